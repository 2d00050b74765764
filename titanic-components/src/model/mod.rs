//! The Titanic survival model: features, MLP training (burn), cross-validation, ensemble,
//! metrics, plots and the serialisable model bundle.
//!
//! Only [`train`] uses burn; everything needed to serve a [`bundle::ModelBundle`] is plain Rust.

pub mod bundle;
pub mod cv;
pub mod ensemble;
pub mod error;
pub mod features;
pub mod importance;
pub mod metrics;
pub mod mlp;
pub mod params;
pub mod plots;
pub mod rng;
pub mod title;
pub mod train;

pub use bundle::ModelBundle;
pub use error::ModelError;
pub use features::{FeatureSet, Featurizer};
pub use params::TrainParams;
