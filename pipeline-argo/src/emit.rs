//! Deterministic YAML output and input of Argo manifests, and the manifest size budget.
//!
//! * [`to_yaml`] writes any model object as block-style YAML. Field order is the struct order,
//!   maps are sorted, and strings that YAML 1.1 or 1.2 could read as something else (`"2"`,
//!   `"0.8"`, `"true"`, `"yes"`, `"500m"`, `"{{...}}"`) are single-quoted, so the same value always
//!   gives the same bytes and reads back as the same strings in Kubernetes, PyYAML and serde.
//! * [`from_yaml`] / [`from_yaml_as`] read manifests back.
//! * [`check_size`] applies the size budget: a Workflow is stored in etcd (about 1.5 MiB per
//!   object, status included), so we warn above [`SIZE_WARN_BYTES`] and refuse above
//!   [`SIZE_LIMIT_BYTES`], naming the largest templates.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::model::{Workflow, WorkflowSpec};
use crate::yaml_writer;

/// Above this many bytes a manifest gets a warning (512 KiB).
pub const SIZE_WARN_BYTES: usize = 512 * 1024;
/// Above this many bytes a manifest is refused (1 MiB).
pub const SIZE_LIMIT_BYTES: usize = 1024 * 1024;
/// How many templates a [`SizeReport`] names.
pub const SIZE_REPORT_TOP: usize = 5;

/// Errors of emitting or reading a manifest.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// The object could not be turned into YAML.
    #[error("cannot serialize the manifest to YAML: {0}")]
    Serialize(String),
    /// The text is not a valid manifest of the expected type.
    #[error("cannot parse the manifest: {0}")]
    Parse(#[from] serde_yaml::Error),
    /// The manifest is of another kind.
    #[error("expected a manifest of kind {expected:?}, found kind {found:?}")]
    WrongKind {
        /// The kind that was expected.
        expected: String,
        /// The kind in the manifest.
        found: String,
    },
    /// The manifest exceeds [`SIZE_LIMIT_BYTES`].
    #[error("{0}")]
    TooLarge(SizeReport),
}

/// Serializes `doc` to deterministic YAML (no leading `---`, ends with a newline).
pub fn to_yaml<T: Serialize + ?Sized>(doc: &T) -> Result<String, EmitError> {
    yaml_writer::to_string(doc).map_err(|e| EmitError::Serialize(e.to_string()))
}

/// Parses a `Workflow` manifest; fails with [`EmitError::WrongKind`] on another `kind`.
pub fn from_yaml(s: &str) -> Result<Workflow, EmitError> {
    let wf: Workflow = from_yaml_as(s)?;
    if wf.kind != Workflow::KIND {
        return Err(EmitError::WrongKind {
            expected: Workflow::KIND.to_string(),
            found: wf.kind,
        });
    }
    Ok(wf)
}

/// Parses any model object (e.g. a `WorkflowTemplate` or `CronWorkflow`) from YAML.
pub fn from_yaml_as<T: DeserializeOwned>(s: &str) -> Result<T, EmitError> {
    Ok(serde_yaml::from_str(s)?)
}

/// Serializes a workflow and applies the size budget: `Err(TooLarge)` above the limit, otherwise
/// the YAML and the [`SizeReport`] (check [`SizeReport::warning`]).
pub fn emit_workflow(wf: &Workflow) -> Result<(String, SizeReport), EmitError> {
    let yaml = to_yaml(wf)?;
    let report = check_size(&yaml, &wf.spec).into_result()?;
    Ok((yaml, report))
}

/// How a manifest's size compares with the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeLevel {
    /// At most [`SIZE_WARN_BYTES`].
    Ok,
    /// Above [`SIZE_WARN_BYTES`], at most [`SIZE_LIMIT_BYTES`].
    Warn,
    /// Above [`SIZE_LIMIT_BYTES`]: refused.
    TooLarge,
}

/// Serialized size of one template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSize {
    /// Template name.
    pub name: String,
    /// Bytes of its YAML.
    pub bytes: usize,
}

/// Result of [`check_size`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeReport {
    /// Bytes of the whole manifest.
    pub bytes: usize,
    /// Verdict.
    pub level: SizeLevel,
    /// The largest templates, largest first (at most [`SIZE_REPORT_TOP`]).
    pub largest_templates: Vec<TemplateSize>,
}

impl SizeReport {
    /// True when the size is within the warning threshold.
    pub fn is_ok(&self) -> bool {
        self.level == SizeLevel::Ok
    }

    /// The warning or refusal message, if any.
    pub fn warning(&self) -> Option<String> {
        (!self.is_ok()).then(|| self.to_string())
    }

    /// `Err(EmitError::TooLarge)` when the manifest is refused, else `Ok(self)`.
    pub fn into_result(self) -> Result<SizeReport, EmitError> {
        if self.level == SizeLevel::TooLarge {
            Err(EmitError::TooLarge(self))
        } else {
            Ok(self)
        }
    }
}

fn kib(bytes: usize) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

impl fmt::Display for SizeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            SizeLevel::Ok => write!(f, "manifest is {}", kib(self.bytes))?,
            SizeLevel::Warn => write!(
                f,
                "manifest is {}, above the {} warning threshold (Workflow objects live in etcd)",
                kib(self.bytes),
                kib(SIZE_WARN_BYTES)
            )?,
            SizeLevel::TooLarge => write!(
                f,
                "manifest is {}, above the {} limit; move large values into artifacts",
                kib(self.bytes),
                kib(SIZE_LIMIT_BYTES)
            )?,
        }
        if !self.largest_templates.is_empty() {
            let names: Vec<String> = self
                .largest_templates
                .iter()
                .map(|t| format!("\"{}\" ({})", t.name, kib(t.bytes)))
                .collect();
            write!(f, "; largest templates: {}", names.join(", "))?;
        }
        Ok(())
    }
}

/// Applies the size budget to a serialized manifest, naming its largest templates.
pub fn check_size(yaml: &str, wf: &WorkflowSpec) -> SizeReport {
    let bytes = yaml.len();
    let level = if bytes > SIZE_LIMIT_BYTES {
        SizeLevel::TooLarge
    } else if bytes > SIZE_WARN_BYTES {
        SizeLevel::Warn
    } else {
        SizeLevel::Ok
    };
    let mut largest_templates: Vec<TemplateSize> = wf
        .templates
        .iter()
        .map(|t| TemplateSize {
            name: t.name.clone(),
            // A template that cannot be serialized counts as empty; to_yaml reports the error.
            bytes: to_yaml(t).map(|y| y.len()).unwrap_or(0),
        })
        .collect();
    largest_templates.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    largest_templates.truncate(SIZE_REPORT_TOP);
    SizeReport {
        bytes,
        level,
        largest_templates,
    }
}

#[cfg(test)]
mod tests;
