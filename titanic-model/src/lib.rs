//! # titanic-model
//!
//! Everything needed to serve the Titanic survival model, in plain Rust (no burn, no pipeline
//! runtime): the [`Passenger`] row and its domain check, the fitted [`Featurizer`], the MLP
//! forward pass and fold [`ensemble`], the metrics and training parameters recorded in a bundle,
//! and the serialisable [`ModelBundle`] (`model.json`).
//!
//! `titanic-components` trains bundles (with burn) and re-exports this crate; the inference
//! server depends on this crate alone.

pub mod bundle;
pub mod card;
pub mod ensemble;
pub mod error;
pub mod features;
pub mod group;
pub mod logistic;
pub mod metrics;
pub mod mlp;
pub mod params;
pub mod passenger;
pub mod prepared;
pub mod rng;
pub mod spread;
pub mod title;
pub mod validation;

pub use bundle::ModelBundle;
pub use error::ModelError;
pub use features::{FeatureSet, Featurizer};
pub use metrics::MetricsSummary;
pub use params::TrainParams;
pub use passenger::Passenger;
