//! Typed training hyper-parameters.

use crate::error::ModelError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Hyper-parameters of one MLP training run (per fold); every field has a default.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TrainParams {
    /// Widths of the hidden layers (ReLU after each), e.g. `[16]`.
    pub hidden: Vec<usize>,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Maximum number of epochs (passes over the training fold).
    pub max_epochs: usize,
    /// Mini-batch size; 0 means full batch.
    pub batch_size: usize,
    /// Stop after this many epochs without a better validation loss (best weights restored).
    pub patience: usize,
    /// L2 weight decay added to the gradients by Adam.
    pub weight_decay: f64,
    /// Dropout probability after each hidden layer during training, in `[0, 1)`.
    pub dropout: f64,
    /// Seed for initialisation, shuffling and dropout masks.
    pub seed: u64,
    /// Networks trained per fold with derived seeds and averaged (a small seed ensemble).
    pub n_seeds: usize,
}

/// The defaults train about 60% fewer epochs than the earlier `learning_rate: 0.02`,
/// `patience: 20`, `n_seeds: 3` for the same out-of-fold quality: mean accuracy / ROC AUC over
/// fold seeds 1..5 (the `oof` example) 0.8382 / 0.8845 against 0.8366 / 0.8843, and within
/// +-0.002 of the old defaults for training seeds 1, 2, 3 and 7 as well.
impl Default for TrainParams {
    fn default() -> Self {
        Self {
            hidden: vec![16],
            learning_rate: 0.03,
            max_epochs: 200,
            batch_size: 0,
            patience: 10,
            weight_decay: 1e-3,
            dropout: 0.1,
            seed: 42,
            n_seeds: 2,
        }
    }
}

impl TrainParams {
    /// Rejects values that cannot train (zero widths, non-positive rates, dropout outside
    /// `[0, 1)`, no epochs or no seeds).
    pub fn check(&self) -> Result<(), ModelError> {
        let bad = |m: &str| Err(ModelError::InvalidParams(m.to_string()));
        if self.hidden.contains(&0) {
            return bad("hidden layer widths must be positive");
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad("learning_rate must be a positive number");
        }
        if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            return bad("weight_decay must be >= 0");
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad("dropout must be in [0, 1)");
        }
        if self.max_epochs == 0 || self.n_seeds == 0 {
            return bad("max_epochs and n_seeds must be at least 1");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_check_and_partial_json() {
        assert_eq!(TrainParams::default().check(), Ok(()));
        let p: TrainParams = serde_json::from_str(r#"{"hidden":[8,4],"n_seeds":1}"#).unwrap();
        assert_eq!((p.hidden, p.n_seeds, p.seed), (vec![8, 4], 1, 42));
        assert!(serde_json::from_str::<TrainParams>(r#"{"hiden":[8]}"#).is_err());
        for bad in [
            TrainParams {
                dropout: 1.0,
                ..Default::default()
            },
            TrainParams {
                hidden: vec![0],
                ..Default::default()
            },
            TrainParams {
                learning_rate: f64::NAN,
                ..Default::default()
            },
            TrainParams {
                n_seeds: 0,
                ..Default::default()
            },
        ] {
            assert!(bad.check().is_err());
        }
        let schema = serde_json::to_string(&schemars::schema_for!(TrainParams)).unwrap();
        assert!(schema.contains("learning_rate"));
    }
}
