use super::featurize::FeatureMatrix;
use super::train_fold::FoldPredictions;
use crate::model::cv::demo_fields;
use crate::model::ensemble::{Ensemble, FoldModel};
use crate::model::features::Featurizer;
use crate::model::importance::{permutation_importance, FoldData};
use crate::model::metrics::MetricsSummary;
use crate::model::plots;
use crate::model::validation::{ByFields, Evaluation, Score, ScoreSpread, Validation};
use crate::passenger::Passenger;
use pipeline_dsl::prelude::*;

/// What `evaluate` produces.
#[derive(Outputs)]
pub struct EvaluateOutputs {
    /// KFP metrics: the published ensemble's out-of-fold accuracy, precision, recall, F1, ROC
    /// AUC, PR AUC, log loss, Brier score and confusion counts; the repeated cross-validation's
    /// mean and sd, and the held-out score, each with all fields and with demo fields only.
    pub metrics: Metrics,
    /// The same figures, typed (they go into the model bundle and its card).
    pub evaluation: Json<Evaluation>,
    /// The published ensemble's out-of-fold accuracy on the development passengers (gates
    /// `publish`).
    pub accuracy: Param<f64>,
    /// The published ensemble's out-of-fold ROC AUC.
    pub roc_auc: Param<f64>,
    /// Predicted probability against observed survival rate by bin, out of fold and held out.
    pub reliability: Png,
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

/// Scores the models. Out of fold on the development passengers: every passenger is predicted
/// by the fold model, and the featurizer, that did not train on it, under every fold seed (mean
/// and spread). Then, once, the published ensemble (the first fold seed's fold models) on the
/// held-out passengers, exactly as serving computes it. Both with every field and with the
/// demo's request fields only. Metrics, a typed summary and plots.
///
/// # Parameters
/// - `holdout_seed`: the seed `split` held the passengers out with (recorded).
#[component(cpu = "500m", memory = "256Mi")]
pub fn evaluate(
    models: Input<Collection<Json<FoldModel>>>,
    predictions: Input<Collection<Json<Vec<FoldPredictions>>>>,
    features: Input<Json<FeatureMatrix>>,
    featurizer: Input<Json<Vec<Featurizer>>>,
    held_out: Input<Dataset<Passenger>>,
    holdout_seed: u64,
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
    let Some(first) = m.repeats.first() else {
        return Err("the features hold no fold assignment".into());
    };
    let featurizers = featurizer.0.into_inner();
    if ensemble.folds.len() != first.folds.len() || featurizers.len() != first.folds.len() {
        return Err(format!(
            "{} fold models and {} featurizers for {} folds of features",
            ensemble.folds.len(),
            featurizers.len(),
            first.folds.len()
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
    let cv = repeated_cv(m, predictions.0.into_items())?;
    let held = held_out.rows();
    let y_held = crate::model::cv::labels(held)?;
    let proba = |rows: &[Passenger]| -> Vec<f64> {
        rows.iter()
            .map(|p| published_proba(&ensemble, &featurizers, p))
            .collect()
    };
    let p_held = proba(held);
    let demo_held: Vec<Passenger> = held.iter().map(demo_fields).collect();
    let validation = Validation {
        development_rows: n,
        held_out_rows: held.len(),
        holdout_seed,
        folds: first.folds.len(),
        fold_seeds: m.repeats.iter().map(|r| r.fold_seed).collect(),
        held_out: ByFields {
            all_fields: Score::of(&y_held, &p_held)?,
            demo_fields: Score::of(&y_held, &proba(&demo_held))?,
        },
        cv,
    };
    let c = &summary.confusion;
    let mut metrics = Metrics::new()
        .with("accuracy", summary.accuracy)
        .with("precision", summary.precision.unwrap_or(0.0))
        .with("recall", summary.recall.unwrap_or(0.0))
        .with("f1", summary.f1.unwrap_or(0.0))
        .with("roc-auc", summary.roc_auc)
        .with("pr-auc", summary.pr_auc)
        .with("log-loss", summary.log_loss)
        .with("brier", summary.brier)
        .with("true-positives", c.tp as f64)
        .with("false-positives", c.fp as f64)
        .with("true-negatives", c.tn as f64)
        .with("false-negatives", c.fn_ as f64);
    for (name, value) in validation.figures("-") {
        metrics = metrics.with(&name, value);
    }
    let curves: Vec<(String, &_)> = ensemble
        .folds
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.curves.first().map(|c| (format!("fold {i}"), c)))
        .collect();
    let fold_data: Vec<FoldData> = ensemble
        .folds
        .iter()
        .zip(&first.folds)
        .map(|(model, fold)| FoldData {
            model,
            x: &fold.rows,
        })
        .collect();
    // The plots do not depend on each other or on the permutation importance (the slowest
    // part), so they are drawn on their own threads while this one scores the permutations.
    let (roc, pr, confusion, loss, reliability, importance) = std::thread::scope(|s| {
        let roc = s.spawn(|| plots::roc_png(&m.labels, &oof));
        let pr = s.spawn(|| plots::pr_png(&m.labels, &oof));
        let confusion = s.spawn(|| plots::confusion_png(c));
        let loss = s.spawn(|| plots::loss_png(&curves));
        let reliability = s.spawn(|| {
            plots::reliability_png(&[
                ("out of fold", &m.labels, &oof),
                ("held out", &y_held, &p_held),
            ])
        });
        let importance = permutation_importance(&fold_data, &m.labels, &m.names, 3, 7)
            .map(|imp| plots::importance_png(&imp));
        (
            join(roc),
            join(pr),
            join(confusion),
            join(loss),
            join(reliability),
            importance,
        )
    });
    // Errors in the order the steps ran before they ran in parallel.
    let importance = importance?;
    let (roc, pr, confusion, loss, reliability) = (roc?, pr?, confusion?, loss?, reliability?);
    Ok(EvaluateOutputs {
        accuracy: Param(summary.accuracy),
        roc_auc: Param(summary.roc_auc),
        roc_curve: Png(roc),
        pr_curve: Png(pr),
        confusion_matrix: Png(confusion),
        loss_curves: Png(loss),
        reliability: Png(reliability),
        feature_importance: Png(importance?),
        evaluation: Json(Evaluation {
            out_of_fold: summary,
            validation,
        }),
        metrics,
    })
}

/// The published ensemble's survival probability of `p`: the mean over fold models, each
/// reading its own featurizer's vector (as `ModelBundle::predict_proba`).
fn published_proba(ensemble: &Ensemble, featurizers: &[Featurizer], p: &Passenger) -> f64 {
    let s: f64 = ensemble
        .folds
        .iter()
        .zip(featurizers)
        .map(|(fold, f)| fold.predict_unchecked(&f.transform(p)))
        .sum();
    s / featurizers.len() as f64
}

/// Out-of-fold scores of every fold seed (all and demo fields), from the folds' predictions.
fn repeated_cv(
    m: &FeatureMatrix,
    folds: Vec<Json<Vec<FoldPredictions>>>,
) -> Result<ByFields<ScoreSpread>> {
    let n = m.labels.len();
    let (mut all, mut demo) = (Vec::new(), Vec::new());
    for repeat in &m.repeats {
        let (mut pa, mut pd) = (vec![f64::NAN; n], vec![f64::NAN; n]);
        for fold in folds.iter().flat_map(|f| &f.0) {
            if fold.fold_seed != repeat.fold_seed {
                continue;
            }
            for (k, &i) in fold.valid_idx.iter().enumerate() {
                if let (Some(a), Some(d), true) =
                    (fold.all_fields.get(k), fold.demo_fields.get(k), i < n)
                {
                    (pa[i], pd[i]) = (*a, *d);
                }
            }
        }
        if pa.iter().chain(&pd).any(|p| !p.is_finite()) {
            return Err(format!(
                "fold seed {}: some passengers have no out-of-fold prediction",
                repeat.fold_seed
            )
            .into());
        }
        all.push(Score::of(&m.labels, &pa)?);
        demo.push(Score::of(&m.labels, &pd)?);
    }
    Ok(ByFields {
        all_fields: ScoreSpread::of(&all),
        demo_fields: ScoreSpread::of(&demo),
    })
}

/// The result of a plotting thread (a panic there is re-raised here).
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
