//! Parameters that name data outside the workflow (a file, a URL, an object in S3).
//!
//! A step's cache key covers its parameter values, but `data.csv` says nothing about what the
//! file holds today. Before a component step runs, the runner asks the hooks registered for
//! its parameters to resolve a relative reference against [`RunOptions::base_dir`] and to
//! fingerprint the data, and adds the fingerprint to the step's cache key.
//!
//! pipeline-dsl registers the hooks of every component linked into the binary (its
//! `ExternalData` trait); another front end submits an [`ExternalParamSource`] the same way.
//!
//! [`RunOptions::base_dir`]: crate::RunOptions::base_dir

use std::collections::BTreeMap;
use std::path::Path;

/// Any error a hook reports.
pub type HookError = Box<dyn std::error::Error + Send + Sync>;

/// How one parameter type names outside data.
pub trait ExternalParam: Sync {
    /// The parameter's text with a relative reference made absolute against `base`.
    fn resolve(&self, text: &str, base: &Path) -> Result<String, HookError>;
    /// What identifies the data's current content, or `None` when the text fixes it.
    fn fingerprint(&self, text: &str) -> Result<Option<String>, HookError>;
}

/// Hooks by component (template `pipeline-dsl/component` name) and parameter name.
pub type ExternalParams = BTreeMap<String, BTreeMap<String, &'static dyn ExternalParam>>;

/// A source of [`ExternalParams`], submitted with `inventory::submit!` by the crate that knows
/// the components (pipeline-dsl does).
pub struct ExternalParamSource(pub fn() -> ExternalParams);

inventory::collect!(ExternalParamSource);

/// The hooks of every registered source.
pub(crate) fn registered() -> ExternalParams {
    let mut all = ExternalParams::new();
    for source in inventory::iter::<ExternalParamSource> {
        for (component, hooks) in (source.0)() {
            all.entry(component).or_default().extend(hooks);
        }
    }
    all
}
