//! The model bundle (from [`titanic_model::bundle`]) and how to train one.

use crate::model::cv::cross_validate;
use crate::model::ensemble::Ensemble;
use crate::passenger::validate;
pub use titanic_model::bundle::*;
use titanic_model::{FeatureSet, MetricsSummary, ModelError, Passenger, TrainParams};

/// Validates `rows`, trains one fold model per stratified fold with a featurizer fitted on that
/// fold's training rows only, and computes out-of-fold metrics at threshold 0.5.
pub fn train_bundle(
    rows: &[Passenger],
    k: usize,
    fold_seed: u64,
    params: &TrainParams,
    set: FeatureSet,
) -> Result<ModelBundle, ModelError> {
    validate(rows).map_err(|e| ModelError::InvalidData(e.to_string()))?;
    let cv = cross_validate(rows, k, fold_seed, params, set)?;
    let metrics = MetricsSummary::compute(&cv.labels, &cv.oof, 0.5)?;
    let ensemble = Ensemble { folds: cv.folds };
    ModelBundle::assemble(rows, cv.featurizers, ensemble, metrics, fold_seed, params)
}

#[cfg(test)]
mod tests;
