//! Permutation feature importance on out-of-fold data.
//!
//! For each fold, one feature column of the fold's validation rows is shuffled and the fold's
//! own model re-scored; the importance is the mean drop in ROC AUC over folds and repeats.
//! Every row is scored only by the model that did not train on it.

use crate::model::ensemble::FoldModel;
use crate::model::error::ModelError;
use crate::model::metrics::roc_auc;
use crate::model::rng::SplitMix64;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How much one feature matters.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
pub struct FeatureImportance {
    /// Feature name.
    pub feature: String,
    /// Mean drop in ROC AUC when the feature is shuffled (higher = more important).
    pub auc_drop: f64,
    /// Standard deviation of the drop over folds x repeats.
    pub std: f64,
}

/// One fold's model with the feature matrix it reads (all rows; `fold.valid_idx` selects).
pub struct FoldData<'a> {
    /// The fold model (with its validation indices).
    pub model: &'a FoldModel,
    /// Feature vectors of all rows, as produced by this fold's featurizer.
    pub x: &'a [Vec<f32>],
}

fn auc_of(model: &FoldModel, rows: &[Vec<f32>], y: &[u8]) -> Result<f64, ModelError> {
    let p = rows
        .iter()
        .map(|r| model.predict_proba(r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(roc_auc(y, &p)?)
}

/// Permutation importance of every feature (sorted by decreasing `auc_drop`).
///
/// `labels` has one 0/1 label per row of the feature matrices, `names` one name per feature.
/// Errors if a fold's validation rows hold only one class or shapes disagree.
///
/// The folds are scored on parallel threads. Every permutation is drawn up front, in the order
/// of a sequential pass, so the numbers (and the first error, in fold order) do not depend on
/// the threads.
pub fn permutation_importance(
    folds: &[FoldData<'_>],
    labels: &[u8],
    names: &[String],
    repeats: usize,
    seed: u64,
) -> Result<Vec<FeatureImportance>, ModelError> {
    let mut rng = SplitMix64::new(seed);
    let perms: Vec<Vec<Vec<usize>>> = folds
        .iter()
        .map(|fd| {
            let n = fd.model.valid_idx.len();
            (0..names.len() * repeats.max(1))
                .map(|_| {
                    let mut perm: Vec<usize> = (0..n).collect();
                    rng.shuffle(&mut perm);
                    perm
                })
                .collect()
        })
        .collect();
    let per_fold: Vec<Result<Vec<f64>, ModelError>> = std::thread::scope(|s| {
        let jobs: Vec<_> = folds
            .iter()
            .zip(&perms)
            .map(|(fd, perms)| s.spawn(move || fold_drops(fd, labels, names.len(), perms)))
            .collect();
        jobs.into_iter()
            .map(|job| {
                job.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut drops: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for fold in per_fold {
        let fold = fold?;
        for (j, d) in drops.iter_mut().enumerate() {
            let per = fold.len() / names.len().max(1);
            d.extend_from_slice(&fold[j * per..(j + 1) * per]);
        }
    }
    let mut out: Vec<FeatureImportance> = names
        .iter()
        .zip(&drops)
        .map(|(n, d)| {
            let m = d.iter().sum::<f64>() / d.len().max(1) as f64;
            let v = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / d.len().max(1) as f64;
            FeatureImportance {
                feature: n.clone(),
                auc_drop: m,
                std: v.sqrt(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.auc_drop.total_cmp(&a.auc_drop));
    Ok(out)
}

/// One fold's AUC drops, feature by feature, one per permutation in `perms` (which holds
/// `repeats` permutations of the validation rows for each feature, feature-major).
fn fold_drops(
    fd: &FoldData<'_>,
    labels: &[u8],
    width: usize,
    perms: &[Vec<usize>],
) -> Result<Vec<f64>, ModelError> {
    let idx = &fd.model.valid_idx;
    if idx.iter().any(|&i| i >= fd.x.len() || i >= labels.len()) {
        return Err(ModelError::InvalidData(
            "validation index out of range".into(),
        ));
    }
    let rows: Vec<Vec<f32>> = idx.iter().map(|&i| fd.x[i].clone()).collect();
    if rows.iter().any(|r| r.len() != width) {
        return Err(ModelError::InvalidData(format!(
            "feature rows are not {width} wide"
        )));
    }
    let y: Vec<u8> = idx.iter().map(|&i| labels[i]).collect();
    let base = auc_of(fd.model, &rows, &y)?;
    let repeats = perms.len() / width.max(1);
    // One working copy: column `j` is permuted in it, scored, and put back.
    let mut shuffled = rows.clone();
    let mut out = Vec::with_capacity(perms.len());
    for j in 0..width {
        for perm in &perms[j * repeats..(j + 1) * repeats] {
            for (r, &src) in shuffled.iter_mut().zip(perm) {
                r[j] = rows[src][j];
            }
            out.push(base - auc_of(fd.model, &shuffled, &y)?);
        }
        for (r, orig) in shuffled.iter_mut().zip(&rows) {
            r[j] = orig[j];
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::mlp::{Dense, MlpWeights};

    #[test]
    fn the_used_feature_matters_and_the_ignored_one_does_not() {
        // Model: logit = 3 * x0 (x1 ignored).
        let w = MlpWeights {
            layers: vec![Dense {
                d_in: 2,
                d_out: 1,
                weight: vec![3.0, 0.0],
                bias: vec![0.0],
            }],
        };
        let mut rng = SplitMix64::new(1);
        let x: Vec<Vec<f32>> = (0..60)
            .map(|_| vec![rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)])
            .collect();
        let y: Vec<u8> = x.iter().map(|r| u8::from(r[0] > 0.0)).collect();
        let model = FoldModel {
            members: vec![w],
            curves: vec![],
            valid_idx: (0..60).collect(),
            oof: vec![],
        };
        let names = vec!["x0".to_string(), "x1".to_string()];
        let imp = permutation_importance(
            &[FoldData {
                model: &model,
                x: &x,
            }],
            &y,
            &names,
            3,
            5,
        )
        .unwrap();
        assert_eq!(imp[0].feature, "x0");
        assert!(imp[0].auc_drop > 0.2);
        assert_eq!(imp[1].auc_drop, 0.0);
        let one_class = vec![1u8; 60];
        assert!(permutation_importance(
            &[FoldData {
                model: &model,
                x: &x
            }],
            &one_class,
            &names,
            1,
            5
        )
        .is_err());
        assert!(permutation_importance(
            &[FoldData {
                model: &model,
                x: &x[..10]
            }],
            &y,
            &names,
            1,
            5
        )
        .is_err());
    }
}
