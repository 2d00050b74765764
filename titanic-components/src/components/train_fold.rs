use super::featurize::FeatureMatrix;
use crate::model::cv::{stratified_kfold, train_indices};
use crate::model::ensemble::FoldModel;
use crate::model::params::TrainParams;
use pipeline_dsl::prelude::*;

/// What `train-fold` produces.
#[derive(Outputs)]
pub struct TrainFoldOutputs {
    /// The fold's seed ensemble, its loss curves and its out-of-fold predictions.
    pub model: Json<FoldModel>,
}

/// Trains the MLP seed ensemble of one stratified fold (burn, CPU), early-stopped on the fold's
/// held-out passengers. The pipeline fans this step out over every fold.
///
/// # Parameters
/// - `fold`: which fold is held out (0-based).
/// - `folds`: number of stratified folds.
/// - `fold_seed`: seed of the fold assignment.
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
    folds: u32,
    fold_seed: u64,
    params: TrainParams,
) -> Result<TrainFoldOutputs> {
    let m = &features.0;
    if fold >= folds {
        return Err(format!("fold {fold} is out of range: there are {folds} folds").into());
    }
    let assignment = stratified_kfold(&m.labels, folds as usize, fold_seed)?;
    let valid = &assignment[fold as usize];
    let train = train_indices(&assignment, fold as usize, m.labels.len());
    let y: Vec<f32> = m.labels.iter().map(|&v| f32::from(v)).collect();
    let model = crate::model::train::train_fold(&m.rows, &y, &train, valid, &params)?;
    Ok(TrainFoldOutputs { model: Json(model) })
}
