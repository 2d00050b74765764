//! The mlops-titanic workspace root: `build.rs` compiles the Titanic pipeline to
//! `pipeline.yaml`, and `examples/` runs it. This crate embeds the compiled manifest.

/// The compiled Argo `Workflow` of the Titanic pipeline, exactly as `build.rs` wrote it to
/// `pipeline.yaml` at the repository root.
pub const PIPELINE_YAML: &str = include_str!("../pipeline.yaml");

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The Rust example of `docs/writing-components.md`, compiled as a doctest (`docs/quickstart.md`
/// is built as a crate of its own by `tests/quickstart.rs`).
#[doc = include_str!("../docs/writing-components.md")]
#[cfg(doctest)]
pub struct WritingComponentsDoctests;
