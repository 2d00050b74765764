//! The mlops-titanic workspace root: `build.rs` compiles the Titanic pipeline to
//! `pipeline.yaml`, and `examples/` runs it. This crate embeds the compiled manifest.

/// The compiled Argo `Workflow` of the Titanic pipeline, exactly as `build.rs` wrote it to
/// `pipeline.yaml` at the repository root.
pub const PIPELINE_YAML: &str = include_str!("../pipeline.yaml");

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
