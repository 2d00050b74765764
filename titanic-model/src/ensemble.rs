//! Trained fold models and their ensemble (plain Rust, no burn).

use crate::error::ModelError;
use crate::mlp::MlpWeights;
use serde::{Deserialize, Serialize};

/// Training and validation loss (mean BCE) per epoch of one network.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct LossCurve {
    /// Mean training loss of each epoch (over its mini-batches, with dropout).
    pub train: Vec<f64>,
    /// Validation-fold loss after each epoch (training loss if there was no validation fold).
    pub valid: Vec<f64>,
    /// 0-based epoch whose weights were kept (lowest validation loss).
    pub best_epoch: usize,
}

/// The networks trained on one fold (a small seed ensemble) and what they say about the fold.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct FoldModel {
    /// One network per training seed; the fold predicts their mean probability.
    pub members: Vec<MlpWeights>,
    /// Loss curve of each member, same order.
    pub curves: Vec<LossCurve>,
    /// Row indices of the fold's validation part.
    pub valid_idx: Vec<usize>,
    /// Out-of-fold survival probabilities for `valid_idx`, same order.
    pub oof: Vec<f64>,
}

impl FoldModel {
    /// Mean survival probability of the members for one feature vector.
    pub fn predict_proba(&self, x: &[f32]) -> Result<f64, ModelError> {
        if self.members.is_empty() {
            return Err(ModelError::InvalidData("fold model has no networks".into()));
        }
        let mut s = 0.0;
        for m in &self.members {
            s += m.predict_proba(x)?;
        }
        Ok(s / self.members.len() as f64)
    }

    /// [`predict_proba`](Self::predict_proba) for inputs already known to fit.
    pub fn predict_unchecked(&self, x: &[f32]) -> f64 {
        self.predict_proba(x).unwrap_or(f64::NAN)
    }
}

/// The k fold models; predicts the mean of their probabilities.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct Ensemble {
    /// Fold models in fold order.
    pub folds: Vec<FoldModel>,
}

impl Ensemble {
    /// Checks that there is at least one network and that all take `width` inputs.
    pub fn check(&self, width: usize) -> Result<(), ModelError> {
        if self.folds.iter().all(|f| f.members.is_empty()) {
            return Err(ModelError::InvalidData(
                "the ensemble has no networks".into(),
            ));
        }
        for (i, f) in self.folds.iter().enumerate() {
            for (j, m) in f.members.iter().enumerate() {
                m.check()?;
                if m.input_dim() != width {
                    return Err(ModelError::InvalidData(format!(
                        "fold {i} network {j} takes {} features, expected {width}",
                        m.input_dim()
                    )));
                }
            }
            if f.members.is_empty() {
                return Err(ModelError::InvalidData(format!("fold {i} has no networks")));
            }
        }
        Ok(())
    }

    /// Mean survival probability over the fold models for one feature vector.
    pub fn predict_proba(&self, x: &[f32]) -> Result<f64, ModelError> {
        if self.folds.is_empty() {
            return Err(ModelError::InvalidData(
                "the ensemble has no fold models".into(),
            ));
        }
        let mut s = 0.0;
        for f in &self.folds {
            s += f.predict_proba(x)?;
        }
        Ok(s / self.folds.len() as f64)
    }

    /// Out-of-fold probability of every row `0..n` (NaN for rows in no validation fold).
    pub fn oof(&self, n: usize) -> Vec<f64> {
        let mut out = vec![f64::NAN; n];
        for f in &self.folds {
            for (&i, &p) in f.valid_idx.iter().zip(&f.oof) {
                if let Some(o) = out.get_mut(i) {
                    *o = p;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlp::Dense;

    fn constant(logit: f32) -> MlpWeights {
        MlpWeights {
            layers: vec![Dense {
                d_in: 1,
                d_out: 1,
                weight: vec![0.0],
                bias: vec![logit],
            }],
        }
    }

    #[test]
    fn ensemble_averages_probabilities() {
        let fold = |z: f32, idx: Vec<usize>| FoldModel {
            members: vec![constant(z), constant(-z)],
            curves: vec![],
            oof: vec![0.5; idx.len()],
            valid_idx: idx,
        };
        let e = Ensemble {
            folds: vec![fold(2.0, vec![0]), fold(0.0, vec![2])],
        };
        assert_eq!(e.check(1), Ok(()));
        assert!(e.check(2).is_err());
        assert!((e.predict_proba(&[3.0]).unwrap() - 0.5).abs() < 1e-12);
        assert!(e.predict_proba(&[1.0, 2.0]).is_err());
        let oof = e.oof(3);
        assert_eq!((oof[0], oof[2]), (0.5, 0.5));
        assert!(oof[1].is_nan());
        assert!(Ensemble::default().predict_proba(&[1.0]).is_err());
        assert!(Ensemble::default().check(1).is_err());
    }
}
