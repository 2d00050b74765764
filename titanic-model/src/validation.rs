//! The honest validation figures of a trained model: repeated cross-validation on the
//! development rows (mean and spread over fold seeds) and one score on a Kaggle-like held-out
//! part, each with every `test.csv` field and with the demo's request fields only.

use crate::metrics::{brier, roc_auc, ConfusionMatrix, MetricsError, MetricsSummary};
use crate::spread::Spread;
use serde::{Deserialize, Serialize};

/// Accuracy (threshold 0.5), ROC AUC and Brier score of one set of predictions.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Share of correct predictions at threshold 0.5.
    pub accuracy: f64,
    /// Area under the ROC curve.
    pub roc_auc: f64,
    /// Mean squared error of the probabilities (lower is better calibrated).
    pub brier: f64,
}

impl Score {
    /// The score of `probs` against `labels` (needs both classes for the ROC AUC).
    pub fn of(labels: &[u8], probs: &[f64]) -> Result<Self, MetricsError> {
        Ok(Self {
            accuracy: ConfusionMatrix::new(labels, probs, 0.5)?
                .accuracy()
                .unwrap_or(0.0),
            roc_auc: roc_auc(labels, probs)?,
            brier: brier(labels, probs)?,
        })
    }
}

/// The spread of each [`Score`] metric over repetitions (fold seeds).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ScoreSpread {
    /// Accuracy at threshold 0.5.
    pub accuracy: Spread,
    /// ROC AUC.
    pub roc_auc: Spread,
    /// Brier score.
    pub brier: Spread,
}

impl ScoreSpread {
    /// Mean, sd and range of each metric of `scores`.
    pub fn of(scores: &[Score]) -> Self {
        let col = |f: fn(&Score) -> f64| Spread::of(&scores.iter().map(f).collect::<Vec<_>>());
        Self {
            accuracy: col(|s| s.accuracy),
            roc_auc: col(|s| s.roc_auc),
            brier: col(|s| s.brier),
        }
    }
}

/// One figure computed twice: from every field of Kaggle's `test.csv`, and from the fields the
/// demo's `/predict` body carries (no `Ticket`, no `Cabin`): the gap is the train/serve skew.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ByFields<T> {
    /// With every `test.csv` field.
    pub all_fields: T,
    /// With the demo's request fields only.
    pub demo_fields: T,
}

/// How the model was validated and what it scored.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Validation {
    /// Labelled rows the model was developed on (cross-validation and the published ensemble).
    pub development_rows: usize,
    /// Labelled rows held out (a random, stratified share, like Kaggle's test set) and scored
    /// once, by the published model, after everything was chosen.
    pub held_out_rows: usize,
    /// Seed of the held-out split.
    pub holdout_seed: u64,
    /// Folds per cross-validation.
    pub folds: usize,
    /// The fold seeds of the repeated cross-validation; the first one's fold models are the
    /// published ensemble.
    pub fold_seeds: Vec<u64>,
    /// Out-of-fold scores on the development rows over the fold seeds (a featurizer fitted
    /// inside each fold).
    pub cv: ByFields<ScoreSpread>,
    /// The published ensemble on the held-out rows.
    pub held_out: ByFields<Score>,
}

impl Validation {
    /// Every figure as `(name, value)`, the name's words joined by `sep`: with `-`,
    /// `cv-accuracy-all-fields-mean`, `cv-roc-auc-demo-fields-sd`, `held-out-brier-all-fields`.
    pub fn figures(&self, sep: &str) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        for (fields, cv, held) in [
            ("all", &self.cv.all_fields, &self.held_out.all_fields),
            ("demo", &self.cv.demo_fields, &self.held_out.demo_fields),
        ] {
            let metrics = [
                (&["accuracy"][..], &cv.accuracy, held.accuracy),
                (&["roc", "auc"][..], &cv.roc_auc, held.roc_auc),
                (&["brier"][..], &cv.brier, held.brier),
            ];
            for (name, spread, _) in &metrics {
                for (stat, value) in [("mean", spread.mean), ("sd", spread.sd)] {
                    let words = [&["cv"], *name, &[fields, "fields", stat]].concat();
                    out.push((words.join(sep), value));
                }
            }
            for (name, _, value) in metrics {
                let words = [&["held", "out"], name, &[fields, "fields"]].concat();
                out.push((words.join(sep), value));
            }
        }
        out
    }
}

/// What the `evaluate` step reports (`evaluation.json`).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// All metrics of the published ensemble's out-of-fold predictions on the development rows
    /// (every field).
    pub out_of_fold: MetricsSummary,
    /// Repeated cross-validation and the held-out score, with all and with demo fields.
    pub validation: Validation,
}

#[cfg(test)]
mod tests;
