//! Argo Workflows object model, deterministic YAML emitter and a port of Argo's validation rules.
pub mod contract;
pub mod emit;
pub mod expr;
pub mod lint;
pub mod model;
pub mod validate;
mod yaml_writer;

/// Argo's small languages (depends, `{{...}}` tags, durations, quantities, names, retry policies):
/// the `argo-lang` crate.
pub use argo_lang as lang;

pub use emit::{
    check_size, emit_workflow, from_yaml, from_yaml_as, to_yaml, EmitError, SizeLevel, SizeReport,
    TemplateSize,
};
pub use lint::{lint_workflow, LintContext, Warning};
pub use model::*;
pub use validate::{
    validate_cron_workflow, validate_spec, validate_workflow, validate_workflow_template,
    ErrorKind, ValidationError, ValidationErrors,
};

#[cfg(test)]
mod testdata;
