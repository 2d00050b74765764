//! The model card stored in the bundle: data, features, validation scheme, metrics with their
//! spread over folds, known limits.

use crate::ensemble::Ensemble;
use crate::metrics::{roc_auc, ConfusionMatrix};
use crate::passenger::Passenger;
use crate::validation::Validation;
use serde::{Deserialize, Serialize};

pub use crate::spread::Spread;

/// What a user of the model should know before relying on it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ModelCard {
    /// The training data.
    pub data: String,
    /// The features, in vector order.
    pub features: Vec<String>,
    /// How the stored metrics were obtained.
    pub validation: String,
    /// Out-of-fold accuracy (threshold 0.5) of each fold's validation rows, over folds.
    pub fold_accuracy: Spread,
    /// Out-of-fold ROC AUC of each fold's validation rows, over folds.
    pub fold_roc_auc: Spread,
    /// Known limits.
    pub limits: Vec<String>,
    /// Repeated cross-validation and the Kaggle-like held-out score, with all and with demo
    /// fields (absent in bundles trained without a held-out part).
    #[serde(default)]
    pub evaluation: Option<Validation>,
}

impl ModelCard {
    /// The card of an ensemble trained on `rows` (with labels) reading `features`.
    pub fn new(rows: &[Passenger], ensemble: &Ensemble, features: &[String]) -> Self {
        let (mut acc, mut auc) = (Vec::new(), Vec::new());
        for f in &ensemble.folds {
            let y: Vec<u8> = f
                .valid_idx
                .iter()
                .map(|&i| rows.get(i).and_then(|p| p.survived).unwrap_or(0))
                .collect();
            if let Ok(Some(a)) = ConfusionMatrix::new(&y, &f.oof, 0.5).map(|c| c.accuracy()) {
                acc.push(a);
            }
            if let Ok(a) = roc_auc(&y, &f.oof) {
                auc.push(a);
            }
        }
        let survivors = rows.iter().filter(|p| p.survived == Some(1)).count();
        Self {
            data: format!(
                "{} labelled passengers ({survivors} survivors) in Kaggle's train.csv format",
                rows.len()
            ),
            features: features.to_vec(),
            validation: format!(
                "stratified {}-fold cross-validation; each fold's featurizer (imputation, \
                 standardization, family/group survival table) fitted on its training rows only, \
                 group signal leave-one-out for those rows; every row scored by the fold model \
                 that never saw it. Prediction averages the fold models.",
                ensemble.folds.len()
            ),
            fold_accuracy: Spread::of(&acc),
            fold_roc_auc: Spread::of(&auc),
            limits: vec![
                "Trained on passengers of one voyage (Kaggle's train.csv); not meaningful for anything else.".into(),
                "The group signal needs the surname, class, fare and port of a family member \
                 seen in training; for a passenger travelling alone it is the prior."
                    .into(),
                "Out-of-fold figures are estimates from a few hundred rows: expect a few points of \
                 variation on a new sample (see the fold spread)."
                    .into(),
                "Probabilities are not recalibrated after training; see the Brier score and \
                 the reliability plot."
                    .into(),
            ],
            evaluation: None,
        }
    }

    /// The card with the validation figures of `v` (and says how they were obtained).
    pub fn with_validation(mut self, v: Validation) -> Self {
        self.data = format!(
            "{}: the development part of the {} labelled passengers, the other {} held out",
            self.data,
            v.development_rows + v.held_out_rows,
            v.held_out_rows
        );
        self.validation = format!(
            "{} Repeated over fold seeds {:?} (mean and spread in `card.evaluation.cv`). A random \
             stratified {} of the labelled passengers (split seed {}; families and ticket groups \
             fall on both sides, as between train.csv and test.csv) was held out before any of \
             this and scored once by the published ensemble (`card.evaluation.held_out`); it chose \
             nothing.",
            self.validation, v.fold_seeds, v.held_out_rows, v.holdout_seed
        );
        self.evaluation = Some(v);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_values() {
        let s = Spread::of(&[0.8, 0.9, 1.0]);
        assert!((s.mean - 0.9).abs() < 1e-12 && (s.sd - (0.02f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max), (0.8, 1.0));
        assert_eq!(Spread::of(&[]).mean, 0.0);
    }
}
