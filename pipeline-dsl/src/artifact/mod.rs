//! Typed artifacts: values a component writes to a path and the next component reads back.
//!
//! Every artifact type implements [`Artifact`]. The built-ins cover what a pipeline author needs:
//! [`Dataset`] (CSV rows of a serde struct), [`Json`] (any serde value), [`Model`] (a model bundle
//! written as JSON), [`Metrics`] (KFP-style metrics), [`Png`], [`Html`] and [`Markdown`] (files
//! people look at) and [`Collection`] (the gathered outputs of a fan-out).

mod cells;
mod collection;
mod dataset;
mod files;
mod finite;
mod json;
mod metrics;

pub use collection::Collection;
pub use dataset::Dataset;
pub use files::{Html, Markdown, Png};
pub use finite::{find_non_finite, NonFinite};
pub use json::{Json, Model};
pub use metrics::{Metric, Metrics};

use std::io::Write;
use std::path::{Path, PathBuf};

/// A value that is written to a path by one component and read from a path by another.
///
/// Implement it for your own types to pass them between steps; the type is part of the wiring, so
/// an output of type `A` only connects to an input of type `A`.
///
/// ```
/// use pipeline_dsl::prelude::*;
/// use std::path::Path;
///
/// /// A vocabulary, one word a line.
/// struct Vocab(Vec<String>);
///
/// impl Artifact for Vocab {
///     const KIND: &'static str = "Vocab";
///     fn write(&self, path: &Path) -> Result<(), ArtifactError> {
///         write_atomic(path, self.0.join("\n").as_bytes())
///     }
///     fn read(path: &Path) -> Result<Self, ArtifactError> {
///         let text = read_text(path)?;
///         Ok(Vocab(text.lines().map(str::to_owned).collect()))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an artifact type",
    label = "expected an artifact type",
    note = "artifacts are `Dataset<R>`, `Json<T>`, `Model<T>`, `Metrics`, `Png`, `Html`, `Markdown`, \
            `Collection<A>`, or your own type that implements `pipeline_dsl::Artifact`",
    note = "a small value (a number, a string, a list) is a parameter, not an artifact: as a component \
            argument write `name: T` without `Input<..>`; as an output field write `Param<T>`; \
            or wrap it in an artifact, e.g. `Json<{Self}>`"
)]
pub trait Artifact: Sized + 'static {
    /// Short kind shown in component specs and run reports, e.g. `Dataset`.
    const KIND: &'static str;
    /// `true` when the artifact is a directory rather than a single file.
    const IS_DIR: bool = false;
    /// Writes the value to `path` (atomically: readers never see a half-written file).
    fn write(&self, path: &Path) -> Result<(), ArtifactError>;
    /// Reads a value back from `path`, naming what is wrong if the content is not valid.
    fn read(path: &Path) -> Result<Self, ArtifactError>;
}

/// Why an artifact could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The content is not what the artifact type expects.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the row/column or field where possible.
        message: String,
    },
    /// The value holds a NaN or an infinity, which no format can carry as a number (JSON would
    /// write `null`): the step producing it fails rather than pass it on.
    #[error("{path}: non-finite number: {found}")]
    NonFinite {
        /// The file that was to be written.
        path: PathBuf,
        /// Where the number is and what it is.
        found: NonFinite,
    },
}

impl ArtifactError {
    /// Fails with [`ArtifactError::NonFinite`] if `value` holds a NaN or an infinity.
    pub fn check_finite<T: serde::Serialize + ?Sized>(
        path: &Path,
        value: &T,
    ) -> Result<(), ArtifactError> {
        match find_non_finite(value) {
            Some(found) => Err(ArtifactError::NonFinite {
                path: path.to_owned(),
                found,
            }),
            None => Ok(()),
        }
    }

    /// An [`ArtifactError::Invalid`] for `path`.
    pub fn invalid(path: &Path, message: impl Into<String>) -> Self {
        ArtifactError::Invalid {
            path: path.to_owned(),
            message: message.into(),
        }
    }

    /// An [`ArtifactError::Io`] for `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        ArtifactError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, renamed into
/// place, so a reader never sees a half-written file. Parent directories are created.
///
/// It does not fsync: a step's outputs are read back (by the local runner, or Argo's executor)
/// through the same page cache right after the step exits, and whoever keeps them makes them
/// durable (the local runner's store fsyncs every new blob). A sync per output would only make
/// every step wait on the disk.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ArtifactError> {
    let io = |e| ArtifactError::io(path, e);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("artifact");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Reads a whole file as bytes, with the path in the error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ArtifactError> {
    std::fs::read(path).map_err(|e| ArtifactError::io(path, e))
}

/// Reads a whole file as UTF-8 text, with the path in the error.
pub fn read_text(path: &Path) -> Result<String, ArtifactError> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| ArtifactError::invalid(path, format!("not UTF-8: {e}")))
}
