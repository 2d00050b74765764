//! The spread of one metric over folds or repetitions: mean, standard deviation and range.

use serde::{Deserialize, Serialize};

/// Mean, standard deviation and range of one metric over the folds.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Spread {
    /// Mean over folds.
    pub mean: f64,
    /// Population standard deviation over folds.
    pub sd: f64,
    /// Lowest fold.
    pub min: f64,
    /// Highest fold.
    pub max: f64,
}

impl Spread {
    /// The spread of `v` (all zeros for no values).
    pub fn of(v: &[f64]) -> Self {
        if v.is_empty() {
            return Self {
                mean: 0.0,
                sd: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        Self {
            mean,
            sd,
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}
