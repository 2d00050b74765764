use super::featurize::FeatureMatrix;
use crate::model::ensemble::{Ensemble, FoldModel};
use crate::model::importance::{permutation_importance, FoldData};
use crate::model::metrics::MetricsSummary;
use crate::model::plots;
use pipeline_dsl::prelude::*;

/// What `evaluate` produces.
#[derive(Outputs)]
pub struct EvaluateOutputs {
    /// KFP metrics: accuracy, precision, recall, F1, ROC AUC, PR AUC, log loss, confusion counts.
    pub metrics: Metrics,
    /// The same figures, typed (they go into the model bundle).
    pub evaluation: Json<MetricsSummary>,
    /// Out-of-fold accuracy (gates `publish`).
    pub accuracy: Param<f64>,
    /// Out-of-fold ROC AUC.
    pub roc_auc: Param<f64>,
    /// ROC curve.
    pub roc_curve: Png,
    /// Precision-recall curve.
    pub pr_curve: Png,
    /// Confusion matrix at threshold 0.5.
    pub confusion_matrix: Png,
    /// Train/validation loss per epoch of every fold.
    pub loss_curves: Png,
    /// Permutation importance (ROC AUC drop) of each feature.
    pub feature_importance: Png,
}

/// Scores the fold ensemble out of fold: every passenger is predicted by the fold model, and
/// the featurizer, that did not train on it. Metrics, a typed summary and plots.
#[component(cpu = "500m", memory = "256Mi")]
pub fn evaluate(
    models: Input<Collection<Json<FoldModel>>>,
    features: Input<Json<FeatureMatrix>>,
) -> Result<EvaluateOutputs> {
    let m = &features.0;
    let ensemble = Ensemble {
        folds: models
            .0
            .into_items()
            .into_iter()
            .map(Json::into_inner)
            .collect(),
    };
    ensemble.check(m.names.len())?;
    if ensemble.folds.len() != m.folds.len() {
        return Err(format!(
            "{} fold models for {} folds of features",
            ensemble.folds.len(),
            m.folds.len()
        )
        .into());
    }
    let n = m.labels.len();
    let oof = ensemble.oof(n);
    if let Some(i) = oof.iter().position(|p| !p.is_finite()) {
        return Err(format!(
            "passenger {} has no out-of-fold prediction: the folds do not cover every row",
            m.passenger_ids[i]
        )
        .into());
    }
    let summary = MetricsSummary::compute(&m.labels, &oof, 0.5)?;
    let c = &summary.confusion;
    let metrics = Metrics::new()
        .with("accuracy", summary.accuracy)
        .with("precision", summary.precision.unwrap_or(0.0))
        .with("recall", summary.recall.unwrap_or(0.0))
        .with("f1", summary.f1.unwrap_or(0.0))
        .with("roc-auc", summary.roc_auc)
        .with("pr-auc", summary.pr_auc)
        .with("log-loss", summary.log_loss)
        .with("true-positives", c.tp as f64)
        .with("false-positives", c.fp as f64)
        .with("true-negatives", c.tn as f64)
        .with("false-negatives", c.fn_ as f64);
    let curves: Vec<(String, &_)> = ensemble
        .folds
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.curves.first().map(|c| (format!("fold {i}"), c)))
        .collect();
    let fold_data: Vec<FoldData> = ensemble
        .folds
        .iter()
        .zip(&m.folds)
        .map(|(model, fold)| FoldData {
            model,
            x: &fold.rows,
        })
        .collect();
    // The plots do not depend on each other or on the permutation importance (the slowest
    // part), so they are drawn on their own threads while this one scores the permutations.
    let (roc, pr, confusion, loss, importance) = std::thread::scope(|s| {
        let roc = s.spawn(|| plots::roc_png(&m.labels, &oof));
        let pr = s.spawn(|| plots::pr_png(&m.labels, &oof));
        let confusion = s.spawn(|| plots::confusion_png(c));
        let loss = s.spawn(|| plots::loss_png(&curves));
        let importance = permutation_importance(&fold_data, &m.labels, &m.names, 3, 7)
            .map(|imp| plots::importance_png(&imp));
        (join(roc), join(pr), join(confusion), join(loss), importance)
    });
    // Errors in the order the steps ran before they ran in parallel.
    let importance = importance?;
    let (roc, pr, confusion, loss) = (roc?, pr?, confusion?, loss?);
    Ok(EvaluateOutputs {
        accuracy: Param(summary.accuracy),
        roc_auc: Param(summary.roc_auc),
        roc_curve: Png(roc),
        pr_curve: Png(pr),
        confusion_matrix: Png(confusion),
        loss_curves: Png(loss),
        feature_importance: Png(importance?),
        evaluation: Json(summary),
        metrics,
    })
}

/// The result of a plotting thread (a panic there is re-raised here).
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
