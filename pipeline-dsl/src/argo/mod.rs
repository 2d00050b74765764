//! Argo Workflows object model, deterministic YAML emitter and a port of Argo's validation rules.
pub mod emit;
pub mod model;
mod yaml_writer;

pub use emit::{
    check_size, emit_workflow, from_yaml, from_yaml_as, to_yaml, EmitError, SizeLevel, SizeReport,
    TemplateSize,
};
pub use model::*;

#[cfg(test)]
mod testdata;
pub mod validate;
pub use validate::{validate_workflow, ValidationErrors};
