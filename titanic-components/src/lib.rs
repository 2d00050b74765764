//! # titanic-components
//!
//! The Titanic survival pipeline of the *mlops-titanic* demo, in Rust: the steps
//! ([`components`]), the pipeline definition ([`pipeline()`]), the model ([`model`]) and the
//! passenger data ([`passenger`]). The `titanic` binary runs any step by name, compiles the
//! pipeline, runs it locally, and scores passengers.

pub mod components;
pub mod model;
pub mod passenger;
pub mod pipeline;
pub mod predict;
pub mod tracking;

pub use pipeline::pipeline;
