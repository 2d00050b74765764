//! Classification metrics for 0/1 labels and predicted probabilities.
//!
//! Conventions: a ratio whose denominator is zero (precision with no predicted positive, recall
//! with no actual positive, ...) is `None`, never NaN; ROC AUC, average precision and the curves
//! need both classes and return [`MetricsError::SingleClass`] otherwise. Nothing here panics.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Inputs that no metric can be computed from.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MetricsError {
    /// No rows.
    #[error("no predictions to evaluate")]
    Empty,
    /// Labels and scores differ in length.
    #[error("{labels} labels but {scores} scores")]
    LengthMismatch {
        /// Number of labels.
        labels: usize,
        /// Number of scores.
        scores: usize,
    },
    /// A label other than 0/1.
    #[error("label {index} is {value}, expected 0 or 1")]
    BadLabel {
        /// Row index.
        index: usize,
        /// The label.
        value: u8,
    },
    /// A NaN or infinite score.
    #[error("score {0} is not finite")]
    NonFinite(usize),
    /// Only one class present: ROC/PR metrics are undefined.
    #[error(
        "only one class present ({positives} positives of {n}): ROC and PR metrics are undefined"
    )]
    SingleClass {
        /// Number of positive labels.
        positives: usize,
        /// Number of rows.
        n: usize,
    },
}

fn check(labels: &[u8], scores: &[f64]) -> Result<(), MetricsError> {
    if labels.len() != scores.len() {
        return Err(MetricsError::LengthMismatch {
            labels: labels.len(),
            scores: scores.len(),
        });
    }
    if labels.is_empty() {
        return Err(MetricsError::Empty);
    }
    if let Some(index) = labels.iter().position(|l| *l > 1) {
        return Err(MetricsError::BadLabel {
            index,
            value: labels[index],
        });
    }
    scores
        .iter()
        .position(|s| !s.is_finite())
        .map_or(Ok(()), |i| Err(MetricsError::NonFinite(i)))
}

fn check_both_classes(labels: &[u8], scores: &[f64]) -> Result<(usize, usize), MetricsError> {
    check(labels, scores)?;
    let pos = labels.iter().filter(|l| **l == 1).count();
    if pos == 0 || pos == labels.len() {
        return Err(MetricsError::SingleClass {
            positives: pos,
            n: labels.len(),
        });
    }
    Ok((pos, labels.len() - pos))
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Counts of a thresholded classifier (`positive` = survived).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
pub struct ConfusionMatrix {
    /// Survivors predicted to survive.
    pub tp: usize,
    /// Non-survivors predicted to survive.
    pub fp: usize,
    /// Non-survivors predicted not to survive.
    pub tn: usize,
    /// Survivors predicted not to survive.
    pub fn_: usize,
}

impl ConfusionMatrix {
    /// Counts predictions `score >= threshold` against the labels.
    pub fn new(labels: &[u8], scores: &[f64], threshold: f64) -> Result<Self, MetricsError> {
        check(labels, scores)?;
        let mut m = Self::default();
        for (&l, &s) in labels.iter().zip(scores) {
            match (l == 1, s >= threshold) {
                (true, true) => m.tp += 1,
                (false, true) => m.fp += 1,
                (false, false) => m.tn += 1,
                (true, false) => m.fn_ += 1,
            }
        }
        Ok(m)
    }

    /// Share of correct predictions (`None` only for an empty matrix).
    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }

    /// `tp / (tp + fp)`; `None` when nothing is predicted positive.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// `tp / (tp + fn)`; `None` when there is no actual positive.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// `2 tp / (2 tp + fp + fn)` (harmonic mean of precision and recall, 0 when both are 0);
    /// `None` if precision or recall is undefined.
    pub fn f1(&self) -> Option<f64> {
        self.precision()?;
        self.recall()?;
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

/// Groups rows by descending score (ties together) and returns cumulative (tp, fp) after each
/// distinct score.
fn cumulative(labels: &[u8], scores: &[f64]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut tp, mut fp, mut out) = (0, 0, Vec::new());
    for (k, &i) in order.iter().enumerate() {
        if labels[i] == 1 {
            tp += 1
        } else {
            fp += 1
        }
        if order.get(k + 1).is_none_or(|&j| scores[j] != scores[i]) {
            out.push((tp, fp));
        }
    }
    out
}

/// ROC curve points `(false positive rate, true positive rate)` from `(0, 0)` to `(1, 1)`, one
/// per distinct score (tied scores form one diagonal step).
pub fn roc_curve(labels: &[u8], scores: &[f64]) -> Result<Vec<(f64, f64)>, MetricsError> {
    let (pos, neg) = check_both_classes(labels, scores)?;
    let mut pts = vec![(0.0, 0.0)];
    pts.extend(
        cumulative(labels, scores)
            .into_iter()
            .map(|(tp, fp)| (fp as f64 / neg as f64, tp as f64 / pos as f64)),
    );
    Ok(pts)
}

/// Area under the ROC curve; ties count one half (trapezoids over tied groups).
pub fn roc_auc(labels: &[u8], scores: &[f64]) -> Result<f64, MetricsError> {
    let pts = roc_curve(labels, scores)?;
    Ok(pts
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
        .sum())
}

/// Precision-recall points `(recall, precision)`, one per distinct score in descending order,
/// preceded by `(0, 1)`.
pub fn pr_curve(labels: &[u8], scores: &[f64]) -> Result<Vec<(f64, f64)>, MetricsError> {
    let (pos, _) = check_both_classes(labels, scores)?;
    let mut pts = vec![(0.0, 1.0)];
    pts.extend(
        cumulative(labels, scores)
            .into_iter()
            .map(|(tp, fp)| (tp as f64 / pos as f64, tp as f64 / (tp + fp) as f64)),
    );
    Ok(pts)
}

/// PR AUC as average precision: `sum over thresholds of (R_k - R_{k-1}) * P_k` (no
/// interpolation, tied scores form one threshold; as scikit-learn).
pub fn average_precision(labels: &[u8], scores: &[f64]) -> Result<f64, MetricsError> {
    let pts = pr_curve(labels, scores)?;
    Ok(pts.windows(2).map(|w| (w[1].0 - w[0].0) * w[1].1).sum())
}

/// Mean binary cross-entropy of probabilities (clipped to `[1e-15, 1 - 1e-15]`).
pub fn log_loss(labels: &[u8], probs: &[f64]) -> Result<f64, MetricsError> {
    check(labels, probs)?;
    let s: f64 = labels
        .iter()
        .zip(probs)
        .map(|(&l, &p)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            if l == 1 {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum();
    Ok(s / labels.len() as f64)
}

/// Brier score: mean squared difference between probability and outcome (0 is perfect, 0.25
/// is a constant 0.5); lower means better calibrated and sharper probabilities.
pub fn brier(labels: &[u8], probs: &[f64]) -> Result<f64, MetricsError> {
    check(labels, probs)?;
    let s: f64 = labels
        .iter()
        .zip(probs)
        .map(|(&l, &p)| (p - f64::from(l)).powi(2))
        .sum();
    Ok(s / labels.len() as f64)
}

/// Reliability of the probabilities: the rows split into `bins` equal-width probability bins,
/// each as `(mean predicted probability, observed survival rate, rows)`; empty bins left out.
pub fn reliability(
    labels: &[u8],
    probs: &[f64],
    bins: usize,
) -> Result<Vec<(f64, f64, usize)>, MetricsError> {
    check(labels, probs)?;
    let bins = bins.max(1);
    let mut acc = vec![(0.0, 0.0, 0usize); bins];
    for (&l, &p) in labels.iter().zip(probs) {
        let b = ((p.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1);
        acc[b].0 += p;
        acc[b].1 += f64::from(l);
        acc[b].2 += 1;
    }
    Ok(acc
        .into_iter()
        .filter(|b| b.2 > 0)
        .map(|(p, y, n)| (p / n as f64, y / n as f64, n))
        .collect())
}

/// All headline metrics of one evaluation (serde + JsonSchema; stored in the model bundle).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
pub struct MetricsSummary {
    /// Rows evaluated.
    pub n: usize,
    /// Probability at or above which a passenger is predicted to survive.
    pub threshold: f64,
    /// Share of correct predictions.
    pub accuracy: f64,
    /// See [`ConfusionMatrix::precision`].
    pub precision: Option<f64>,
    /// See [`ConfusionMatrix::recall`].
    pub recall: Option<f64>,
    /// See [`ConfusionMatrix::f1`].
    pub f1: Option<f64>,
    /// Area under the ROC curve.
    pub roc_auc: f64,
    /// Average precision (PR AUC).
    pub pr_auc: f64,
    /// Mean binary cross-entropy.
    pub log_loss: f64,
    /// Brier score (see [`brier`]).
    pub brier: f64,
    /// Counts at `threshold`.
    pub confusion: ConfusionMatrix,
}

impl MetricsSummary {
    /// Computes every metric; needs both classes (see [`MetricsError::SingleClass`]).
    pub fn compute(labels: &[u8], probs: &[f64], threshold: f64) -> Result<Self, MetricsError> {
        let confusion = ConfusionMatrix::new(labels, probs, threshold)?;
        Ok(Self {
            n: labels.len(),
            threshold,
            accuracy: confusion.accuracy().unwrap_or(0.0),
            precision: confusion.precision(),
            recall: confusion.recall(),
            f1: confusion.f1(),
            roc_auc: roc_auc(labels, probs)?,
            pr_auc: average_precision(labels, probs)?,
            log_loss: log_loss(labels, probs)?,
            brier: brier(labels, probs)?,
            confusion,
        })
    }
}

#[cfg(test)]
mod tests;
