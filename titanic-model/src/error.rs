//! The error type shared by the model module.

use crate::features::FeatureError;
use crate::metrics::MetricsError;
use crate::mlp::MlpError;

/// Anything that can go wrong while training, evaluating, saving or using a model.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    /// A hyper-parameter value that cannot train.
    #[error("invalid training parameters: {0}")]
    InvalidParams(String),
    /// Data with the wrong shape or content (empty set, ragged rows, bad indices, ...).
    #[error("invalid data: {0}")]
    InvalidData(String),
    /// Featurizer error.
    #[error(transparent)]
    Features(#[from] FeatureError),
    /// A metric could not be computed (e.g. only one class present).
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// Malformed network weights or input width.
    #[error(transparent)]
    Mlp(#[from] MlpError),
    /// The burn training backend failed.
    #[error("training backend: {0}")]
    Backend(String),
    /// A model bundle could not be read or written.
    #[error("model bundle: {0}")]
    Bundle(String),
    /// A plot could not be drawn or encoded.
    #[error("plot: {0}")]
    Plot(String),
}
