use super::featurize::FeatureMatrix;
use crate::model::cv::train_indices;
use crate::model::ensemble::FoldModel;
use crate::model::params::TrainParams;
use pipeline_dsl::prelude::*;
use serde::{Deserialize, Serialize};

/// Out-of-fold predictions of one fold under one fold seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldPredictions {
    /// Seed of the fold assignment.
    pub fold_seed: u64,
    /// The fold's validation rows.
    pub valid_idx: Vec<usize>,
    /// Survival probability of each validation row, from every field.
    pub all_fields: Vec<f64>,
    /// The same from the demo's request fields only.
    pub demo_fields: Vec<f64>,
}

/// What `train-fold` produces.
#[derive(Outputs)]
pub struct TrainFoldOutputs {
    /// The fold's seed ensemble under the first fold seed (a part of the published ensemble),
    /// its loss curves and its out-of-fold predictions.
    pub model: Json<FoldModel>,
    /// This fold's out-of-fold predictions under every fold seed (repeated cross-validation).
    pub predictions: Json<Vec<FoldPredictions>>,
}

/// Trains the MLP seed ensemble of one stratified fold (burn, CPU) on the features of the fold's
/// own featurizer, early-stopped on the fold's held-out passengers, once per fold seed. The
/// pipeline fans this step out over every fold.
///
/// # Parameters
/// - `fold`: which fold is held out (0-based).
/// - `params`: network and optimizer hyper-parameters.
#[component(
    retries = 1,
    retry_policy = "Always",
    cpu = "1",
    memory = "512Mi",
    timeout = "10m"
)]
pub fn train_fold(
    features: Input<Json<FeatureMatrix>>,
    fold: u32,
    params: TrainParams,
) -> Result<TrainFoldOutputs> {
    let m = &features.0;
    let y: Vec<f32> = m.labels.iter().map(|&v| f32::from(v)).collect();
    let mut published = None;
    let mut predictions = Vec::new();
    for repeat in &m.repeats {
        let Some(this) = repeat.folds.get(fold as usize) else {
            return Err(format!(
                "fold {fold} is out of range: there are {} folds",
                repeat.folds.len()
            )
            .into());
        };
        let assignment: Vec<Vec<usize>> =
            repeat.folds.iter().map(|f| f.valid_idx.clone()).collect();
        let train = train_indices(&assignment, fold as usize, m.labels.len());
        let model =
            crate::model::train::train_fold(&this.rows, &y, &train, &this.valid_idx, &params)?;
        predictions.push(FoldPredictions {
            fold_seed: repeat.fold_seed,
            valid_idx: this.valid_idx.clone(),
            all_fields: model.oof.clone(),
            demo_fields: this
                .demo_valid
                .iter()
                .map(|x| model.predict_unchecked(x))
                .collect(),
        });
        published.get_or_insert(model);
    }
    let Some(model) = published else {
        return Err("the features hold no fold assignment".into());
    };
    Ok(TrainFoldOutputs {
        model: Json(model),
        predictions: Json(predictions),
    })
}
