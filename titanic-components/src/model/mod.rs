//! The Titanic survival model: what serving needs comes from [`titanic_model`] (re-exported
//! here under the same paths); this crate adds MLP training (burn), cross-validation,
//! permutation importance and plots.

pub mod bundle;
pub mod card_png;
pub mod cv;
pub mod importance;
pub mod plots;
pub mod train;

pub use bundle::ModelBundle;
pub use titanic_model::{
    card, ensemble, error, features, group, logistic, metrics, mlp, params, rng, title, validation,
};
pub use titanic_model::{FeatureSet, Featurizer, ModelError, TrainParams};
