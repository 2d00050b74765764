use super::Threshold;
use crate::model::ensemble::FoldModel;
use crate::model::metrics::MetricsSummary;
use crate::model::params::TrainParams;
use crate::model::validation::Evaluation;
use crate::tracking::{tolerate, Tracker};
use pipeline_dsl::prelude::*;
use pipeline_remote::mlflow::{now_ms, Metric, MlflowError, Param as MlParam, RunInfo, RunTag};

/// What `track-run` produces.
#[derive(Outputs)]
pub struct TrackRunOutputs {
    /// The workflow's MLflow parent run, or `""` when tracking is off or was skipped.
    pub run_id: Param<String>,
}

/// Logs the workflow to MLflow when `MLFLOW_TRACKING_URI` is set: a parent run named after the
/// workflow with the parameters, the out-of-fold metrics and the plots, and a child run per fold
/// with each network's per-epoch train/validation loss as metric histories. Without the
/// variable it does nothing. An unreachable server is a warning unless `require_tracking`.
/// Never cached: every workflow gets its own run, even when its inputs are a previous one's.
///
/// # Parameters
/// - `workflow`: the workflow's name (the parent run's name and `workflow` tag).
/// - `fold_seed`, `threshold`, `params`: logged as the run's parameters.
/// - `require_tracking`: fail (instead of warn) when tracking is on but MLflow cannot be reached.
#[allow(clippy::too_many_arguments)]
#[component(
    cpu = "100m",
    memory = "128Mi",
    retries = 2,
    backoff = "5s",
    cache = false
)]
pub fn track_run(
    models: Input<Collection<Json<FoldModel>>>,
    evaluation: Input<Json<Evaluation>>,
    roc_curve: Input<Png>,
    pr_curve: Input<Png>,
    confusion_matrix: Input<Png>,
    loss_curves: Input<Png>,
    feature_importance: Input<Png>,
    reliability: Input<Png>,
    workflow: String,
    fold_seed: u64,
    threshold: Threshold,
    params: TrainParams,
    require_tracking: bool,
) -> Result<TrackRunOutputs> {
    let Some(tracker) = tolerate("connect", require_tracking, Tracker::from_env())?.flatten()
    else {
        return Ok(TrackRunOutputs {
            run_id: Param(String::new()),
        });
    };
    let folds: Vec<FoldModel> = models
        .0
        .into_items()
        .into_iter()
        .map(Json::into_inner)
        .collect();
    let plots = [
        ("roc_curve.png", roc_curve.0 .0),
        ("pr_curve.png", pr_curve.0 .0),
        ("confusion_matrix.png", confusion_matrix.0 .0),
        ("loss_curves.png", loss_curves.0 .0),
        ("feature_importance.png", feature_importance.0 .0),
        ("reliability.png", reliability.0 .0),
    ];
    let logged = log_workflow(
        &tracker,
        &workflow,
        &folds,
        &evaluation.0 .0,
        &plots,
        &run_params(fold_seed, threshold, &params, folds.len())?,
    );
    let run_id = tolerate("log the run", require_tracking, logged)?
        .map(|run| run.run_id)
        .unwrap_or_default();
    Ok(TrackRunOutputs {
        run_id: Param(run_id),
    })
}

/// The parameters of the parent run: the pipeline's and every training hyper-parameter.
fn run_params(
    fold_seed: u64,
    threshold: Threshold,
    params: &TrainParams,
    folds: usize,
) -> Result<Vec<MlParam>> {
    let mut out = vec![
        MlParam::new("fold_seed", fold_seed.to_string()),
        MlParam::new("threshold", f64::from(threshold).to_string()),
        MlParam::new("folds", folds.to_string()),
    ];
    if let serde_json::Value::Object(fields) = serde_json::to_value(params)? {
        for (key, value) in fields {
            out.push(MlParam::new(format!("train.{key}"), value.to_string()));
        }
    }
    Ok(out)
}

/// Everything of one workflow: parent run, its params, metrics and plots, one child per fold.
fn log_workflow(
    tracker: &Tracker,
    workflow: &str,
    folds: &[FoldModel],
    evaluation: &Evaluation,
    plots: &[(&str, Vec<u8>)],
    params: &[MlParam],
) -> Result<RunInfo, MlflowError> {
    let mlflow = &tracker.client;
    let mut runs = tracker.workflow_runs(workflow)?;
    let parent = runs.parent.clone();
    let now = now_ms();
    let at = |key: &str, value: f64| Metric {
        key: key.into(),
        value,
        timestamp: now,
        step: 0,
    };
    let summary: &MetricsSummary = &evaluation.out_of_fold;
    let c = &summary.confusion;
    let mut metrics = vec![
        at("accuracy", summary.accuracy),
        at("roc_auc", summary.roc_auc),
        at("pr_auc", summary.pr_auc),
        at("log_loss", summary.log_loss),
        at("brier", summary.brier),
        at("true_positives", c.tp as f64),
        at("false_positives", c.fp as f64),
        at("true_negatives", c.tn as f64),
        at("false_negatives", c.fn_ as f64),
    ];
    for (key, value) in [
        ("precision", summary.precision),
        ("recall", summary.recall),
        ("f1", summary.f1),
    ] {
        metrics.extend(value.map(|v| at(key, v)));
    }
    metrics.extend(
        evaluation
            .validation
            .figures("_")
            .into_iter()
            .map(|(key, value)| at(&key, value)),
    );
    mlflow.log_batch(&parent.run_id, &metrics, params, &[])?;
    for (name, bytes) in plots {
        mlflow.log_artifact(&parent, &format!("plots/{name}"), bytes)?;
    }
    mlflow.log_artifact(
        &parent,
        "evaluation.json",
        serde_json::to_string_pretty(evaluation)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    for (i, fold) in folds.iter().enumerate() {
        let child = tracker.child_run(&mut runs, &format!("fold-{i}"))?;
        let (metrics, tags) = fold_history(fold, now);
        mlflow.log_batch(
            &child.run_id,
            &metrics,
            &[MlParam::new("fold", i.to_string())],
            &tags,
        )?;
        mlflow.end_run(&child.run_id, pipeline_remote::mlflow::RunStatus::Finished)?;
    }
    Ok(parent)
}

/// Per-epoch losses of every network of a fold (`seed<k>/train_loss`, `seed<k>/valid_loss`,
/// step = epoch), its kept epoch, and the fold's size.
fn fold_history(fold: &FoldModel, now: i64) -> (Vec<Metric>, Vec<RunTag>) {
    let mut metrics = Vec::new();
    for (k, curve) in fold.curves.iter().enumerate() {
        for (name, values) in [("train_loss", &curve.train), ("valid_loss", &curve.valid)] {
            metrics.extend(values.iter().enumerate().map(|(epoch, &value)| Metric {
                key: format!("seed{k}/{name}"),
                value,
                timestamp: now,
                step: epoch as i64,
            }));
        }
        metrics.push(Metric {
            key: format!("seed{k}/best_epoch"),
            value: curve.best_epoch as f64,
            timestamp: now,
            step: 0,
        });
    }
    let tags = vec![RunTag::new("n_valid", fold.valid_idx.len().to_string())];
    (metrics, tags)
}
