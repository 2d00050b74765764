//! Parameters that name data outside the pipeline (a file, a URL, an object in S3).
//!
//! A step's cache key covers its parameter values, but a value such as `data.csv` says nothing
//! about what the file holds today. A parameter type that names outside data implements
//! [`ExternalData`] and registers it with [`external_data!`](crate::external_data); then the
//! local runner, before a step that takes such a parameter runs:
//! - resolves a relative reference against the directory the run started in
//!   ([`RunOptions::base_dir`](crate::runner::RunOptions::base_dir)), so the step (which runs
//!   in its own work directory), the cache key and the run's record all see the resolved value;
//! - adds the value's [`fingerprint`](ExternalData::fingerprint) (a file's digest, an HTTP
//!   resource's `ETag`, an S3 object's version) to the step's cache key, so changed data is
//!   never answered from the cache.
//!
//! `run` applies the same resolution to the pipeline's parameters before the run begins.
//!
//! ```
//! use pipeline_dsl::external::ExternalData;
//! use std::path::{Path, PathBuf};
//!
//! #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
//! struct CsvPath(PathBuf);
//!
//! impl ExternalData for CsvPath {
//!     fn resolve(self, base: &Path) -> Self {
//!         CsvPath(base.join(self.0))
//!     }
//!     fn fingerprint(&self) -> Result<Option<String>, pipeline_dsl::BoxError> {
//!         Ok(Some(pipeline_dsl::external::file_digest(&self.0)?))
//!     }
//! }
//! pipeline_dsl::external_data!(CsvPath);
//! ```

use crate::context::BoxError;
use crate::param::{decode, encode, ParamError, ParamType, Parameter};
use crate::spec::ParamSpec;
use std::any::TypeId;
use std::path::{Path, PathBuf};

/// A parameter type whose value names data outside the pipeline. See the [module](self) docs.
pub trait ExternalData: Parameter {
    /// The value with relative references made absolute against `base` (the directory the run
    /// started in). Absolute references and URLs are returned unchanged.
    fn resolve(self, base: &Path) -> Self;
    /// What identifies the current content of the data (a digest, validators), or `None` when
    /// the value fixes the content itself (data built into the binary).
    fn fingerprint(&self) -> Result<Option<String>, BoxError>;
}

/// Why a parameter naming outside data could not be resolved or fingerprinted.
#[derive(Debug, thiserror::Error)]
pub enum ExternalDataError {
    /// The text is not a value of the parameter's type.
    #[error("{}", .0.message)]
    Decode(#[from] ParamError),
    /// The resolved value could not be written back as parameter text.
    #[error("{0}")]
    Encode(#[from] serde_json::Error),
    /// [`ExternalData::fingerprint`] failed (the file or URL cannot be read).
    #[error("{0}")]
    Fingerprint(BoxError),
}

/// A file that could not be read to its end by [`file_digest`].
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct FileDigestError {
    /// The file.
    pub path: PathBuf,
    /// What reading it gave.
    pub source: std::io::Error,
}

/// The type-erased hooks of one [`ExternalData`] type, registered with
/// [`external_data!`](crate::external_data).
pub struct ExternalDataHook {
    type_id: fn() -> TypeId,
    resolve: fn(&str, &Path) -> Result<String, ExternalDataError>,
    fingerprint: fn(&str) -> Result<Option<String>, ExternalDataError>,
}

inventory::collect!(ExternalDataHook);

impl ExternalDataHook {
    /// The hooks of `T`.
    pub const fn of<T: ExternalData>() -> Self {
        ExternalDataHook {
            type_id: TypeId::of::<T>,
            resolve: resolve_text::<T>,
            fingerprint: fingerprint_text::<T>,
        }
    }

    /// The registered hooks of the type `id`, if it implements [`ExternalData`].
    pub fn find(id: TypeId) -> Option<&'static ExternalDataHook> {
        inventory::iter::<ExternalDataHook>
            .into_iter()
            .find(|h| (h.type_id)() == id)
    }

    /// Resolves parameter text (as it travels on the command line) against `base`.
    pub fn resolve(&self, text: &str, base: &Path) -> Result<String, ExternalDataError> {
        (self.resolve)(text, base)
    }

    /// The fingerprint of parameter text.
    pub fn fingerprint(&self, text: &str) -> Result<Option<String>, ExternalDataError> {
        (self.fingerprint)(text)
    }
}

impl ParamSpec {
    /// The [`ExternalData`] hooks of the parameter's type, if it names outside data.
    pub fn external(&self) -> Option<&'static ExternalDataHook> {
        ExternalDataHook::find(self.type_id)
    }
}

impl ParamType {
    /// The [`ExternalData`] hooks of the type, if it has them.
    pub fn external(&self) -> Option<&'static ExternalDataHook> {
        ExternalDataHook::find(self.type_id)
    }
}

/// The local runner's view of [`ExternalDataHook`]s: every registered component's hooks,
/// submitted as one [`ExternalParamSource`](pipeline_runner::external::ExternalParamSource).
#[cfg(feature = "runner")]
mod runner_hooks {
    use super::ExternalDataHook;
    use crate::context::BoxError;
    use pipeline_runner::external::{ExternalParam, ExternalParamSource, ExternalParams};
    use std::path::Path;

    impl ExternalParam for ExternalDataHook {
        fn resolve(&self, text: &str, base: &Path) -> Result<String, BoxError> {
            Ok(ExternalDataHook::resolve(self, text, base)?)
        }

        fn fingerprint(&self, text: &str) -> Result<Option<String>, BoxError> {
            Ok(ExternalDataHook::fingerprint(self, text)?)
        }
    }

    /// The hooks of the registered components' parameters, for the local runner.
    fn component_hooks() -> ExternalParams {
        // Duplicate names are refused when the pipeline compiles and when a component starts; here
        // they only mean no hooks.
        crate::component::registered()
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.spec)())
            .filter_map(|spec| {
                let hooks: std::collections::BTreeMap<_, _> = spec
                    .parameters
                    .iter()
                    .filter_map(|p| {
                        let hook: &'static dyn ExternalParam = p.external()?;
                        Some((p.name.clone(), hook))
                    })
                    .collect();
                (!hooks.is_empty()).then_some((spec.name, hooks))
            })
            .collect()
    }

    inventory::submit! { ExternalParamSource(component_hooks) }
}

fn resolve_text<T: ExternalData>(text: &str, base: &Path) -> Result<String, ExternalDataError> {
    let value: T = decode("value", text)?;
    Ok(encode(&value.resolve(base))?)
}

fn fingerprint_text<T: ExternalData>(text: &str) -> Result<Option<String>, ExternalDataError> {
    let value: T = decode("value", text)?;
    value.fingerprint().map_err(ExternalDataError::Fingerprint)
}

/// `sha256=<hex>` of a file's content, streamed; the error names the file.
pub fn file_digest(path: &Path) -> Result<String, FileDigestError> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    std::fs::File::open(path)
        .and_then(|mut file| std::io::copy(&mut file, &mut hasher))
        .map_err(|source| FileDigestError {
            path: path.to_owned(),
            source,
        })?;
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("sha256={hex}"))
}

/// Registers a type's [`ExternalData`] hooks, so the local runner resolves and fingerprints
/// parameters of that type: `pipeline_dsl::external_data!(MySource);`.
#[macro_export]
macro_rules! external_data {
    ($ty:ty) => {
        $crate::__private::inventory::submit! {
            $crate::external::ExternalDataHook::of::<$ty>()
        }
    };
}
