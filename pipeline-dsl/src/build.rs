//! Writing a pipeline's Argo manifest from a build script, so `cargo build` keeps
//! `pipeline.yaml` in step with the code.
//!
//! A build script cannot call into the crate it builds, so the pipeline lives in a module that
//! both compile: `src/pipeline.rs` (components and a `pub fn pipeline() -> Pipeline`), declared
//! by `src/main.rs` as `mod pipeline;` and by `build.rs` as below. `pipeline-dsl` is then both a
//! dependency and a build-dependency (with the same features; see `docs/quickstart.md` for the
//! profile lines that make Cargo build it once for both).
//!
//! ```ignore
//! // build.rs (`#[path]` is relative to the package, which a doctest is not: this exact file
//! // is compiled by `tests/quickstart.rs`, which builds the crate of `docs/quickstart.md`)
//! #[path = "src/pipeline.rs"]
//! mod pipeline;
//!
//! fn main() {
//!     pipeline_dsl::build::emit(&pipeline::pipeline());
//! }
//! ```

use crate::cli::{render, warnings, write_if_changed, Kind};
use crate::compile::CompileError;
use crate::pipeline::Pipeline;
use std::path::{Path, PathBuf};

/// The file [`emit`] writes, relative to the package root (the directory of `Cargo.toml`).
pub const PIPELINE_YAML: &str = "pipeline.yaml";

/// Compiles `pipeline` to an Argo `Workflow` and writes it to `pipeline.yaml` at the package
/// root. See [`emit_to`].
pub fn emit(pipeline: &Pipeline) {
    emit_to(PIPELINE_YAML, pipeline);
}

/// Compiles `pipeline` to an Argo `Workflow` and writes it to `path` (relative to the package
/// root), for a build script to call. The output is deterministic and the file is rewritten only
/// when its content changes. Argo lint findings become `cargo` warnings; a pipeline that does not
/// compile, or a file that cannot be written, fails the build with one error naming the cause.
/// Asks Cargo to rerun the script when `build.rs` or anything under `src/` changes.
pub fn emit_to(path: impl AsRef<Path>, pipeline: &Pipeline) {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src");
    if let Err(error) = try_emit(path.as_ref(), pipeline) {
        for line in error.to_string().lines() {
            println!("cargo::error={line}");
        }
    }
}

/// What [`emit_to`] does, returning the error instead of reporting it to Cargo.
pub fn try_emit(path: &Path, pipeline: &Pipeline) -> Result<EmitReport, EmitError> {
    let yaml = render(pipeline, Kind::Workflow, None).map_err(|source| EmitError::Compile {
        pipeline: pipeline.name().to_owned(),
        source,
    })?;
    for warning in warnings(pipeline) {
        println!("cargo::warning={warning}");
    }
    let path = match std::env::var_os("CARGO_MANIFEST_DIR") {
        Some(root) if path.is_relative() => PathBuf::from(root).join(path),
        _ => path.to_owned(),
    };
    let changed = write_if_changed(&path, &yaml).map_err(|source| EmitError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(EmitReport { path, changed })
}

/// Why [`try_emit`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// The pipeline does not compile (the error names the task and what to write instead).
    #[error("pipeline `{pipeline}` does not compile to Argo: {source}")]
    Compile {
        /// The pipeline's name.
        pipeline: String,
        /// What the compiler found.
        source: CompileError,
    },
    /// The manifest could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The manifest's path.
        path: PathBuf,
        /// What writing it gave.
        source: std::io::Error,
    },
}

/// What [`try_emit`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitReport {
    /// The manifest's path.
    pub path: PathBuf,
    /// `false` when the file already held this content (it was left untouched).
    pub changed: bool,
}
