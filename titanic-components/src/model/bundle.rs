//! The model bundle (from [`titanic_model::bundle`]) and how to train one.

use crate::model::cv::{fit_ensemble, labels};
use crate::passenger::validate;
pub use titanic_model::bundle::*;
use titanic_model::{FeatureSet, Featurizer, MetricsSummary, ModelError, Passenger, TrainParams};

/// Validates `rows`, fits the featurizer on all of them, trains one fold model per stratified
/// fold and computes out-of-fold metrics at threshold 0.5.
pub fn train_bundle(
    rows: &[Passenger],
    k: usize,
    fold_seed: u64,
    params: &TrainParams,
    set: FeatureSet,
) -> Result<ModelBundle, ModelError> {
    validate(rows).map_err(|e| ModelError::InvalidData(e.to_string()))?;
    let y = labels(rows)?;
    let featurizer = Featurizer::fit_with(rows, set)?;
    let x = featurizer.transform_all(rows);
    let ensemble = fit_ensemble(&x, &y, k, fold_seed, params)?;
    let metrics = MetricsSummary::compute(&y, &ensemble.oof(rows.len()), 0.5)?;
    Ok(ModelBundle::assemble(
        rows, featurizer, ensemble, metrics, fold_seed, params,
    ))
}

#[cfg(test)]
#[path = "bundle_tests.rs"]
mod tests;
