use super::featurize::FeatureMatrix;
use crate::model::cv::train_indices;
use crate::model::ensemble::FoldModel;
use crate::model::params::TrainParams;
use pipeline_dsl::prelude::*;

/// What `train-fold` produces.
#[derive(Outputs)]
pub struct TrainFoldOutputs {
    /// The fold's seed ensemble, its loss curves and its out-of-fold predictions.
    pub model: Json<FoldModel>,
}

/// Trains the MLP seed ensemble of one stratified fold (burn, CPU) on the features of the fold's
/// own featurizer, early-stopped on the fold's held-out passengers. The pipeline fans this step
/// out over every fold.
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
    let Some(this) = m.folds.get(fold as usize) else {
        return Err(format!(
            "fold {fold} is out of range: there are {} folds",
            m.folds.len()
        )
        .into());
    };
    let assignment: Vec<Vec<usize>> = m.folds.iter().map(|f| f.valid_idx.clone()).collect();
    let train = train_indices(&assignment, fold as usize, m.labels.len());
    let y: Vec<f32> = m.labels.iter().map(|&v| f32::from(v)).collect();
    let model = crate::model::train::train_fold(&this.rows, &y, &train, &this.valid_idx, &params)?;
    Ok(TrainFoldOutputs { model: Json(model) })
}
