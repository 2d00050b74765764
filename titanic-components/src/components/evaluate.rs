use super::featurize::FeatureMatrix;
use crate::model::ensemble::FoldModel;
use pipeline_dsl::prelude::*;

/// What `evaluate` produces.
#[derive(Outputs)]
pub struct EvaluateOutputs {
    /// KFP metrics: accuracy, precision, recall, F1, ROC AUC, PR AUC, confusion counts.
    pub metrics: Metrics,
    /// Out-of-fold accuracy (gates `publish`).
    pub accuracy: Param<f64>,
    /// Out-of-fold ROC AUC.
    pub roc_auc: Param<f64>,
    /// ROC curve.
    pub roc_curve: Png,
    /// Precision-recall curve.
    pub pr_curve: Png,
    /// Confusion matrix.
    pub confusion_matrix: Png,
    /// Train/validation loss per epoch of every fold.
    pub loss_curves: Png,
    /// Permutation importance of each feature.
    pub feature_importance: Png,
    /// The evaluation in words.
    pub summary: Markdown,
}

/// Scores the fold ensemble on out-of-fold predictions (every passenger predicted by the model
/// that did not see it): metrics, plots and a summary.
#[component(cpu = "500m", memory = "256Mi")]
pub fn evaluate(
    models: Input<Collection<Json<FoldModel>>>,
    features: Input<Json<FeatureMatrix>>,
) -> Result<EvaluateOutputs> {
    let _ = (models, features);
    Err("evaluate: being implemented".into())
}
