//! What the compiler, the CLI and the registry know about a component: its spec (name, inputs,
//! parameters, outputs, options), where it is defined, and the error of two components sharing a
//! name. Plain data; the [`Component`](crate::component::Component) trait and the registry sit
//! above it.

use crate::options::TaskOptions;
use serde::Serialize;

/// Everything the compiler and the CLI know about a component.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[non_exhaustive]
pub struct ComponentSpec {
    /// Name, in kebab-case (`split-folds`); the CLI and Argo template name.
    pub name: String,
    /// From the function's doc comment.
    pub description: String,
    /// Digest of the component's source (and declared version), to tell versions apart: part of
    /// the Argo memoization key.
    pub source_digest: String,
    /// The version declared with `#[component(version = "...")]`. When set, the local runner's
    /// cache key holds it instead of the components binary's digest, so editing *other*
    /// components (or this one, without bumping the version) keeps this step's cached results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Artifact inputs.
    pub inputs: Vec<InputSpec>,
    /// Parameters.
    pub parameters: Vec<ParamSpec>,
    /// Outputs: artifacts and output parameters.
    pub outputs: Vec<OutputSpec>,
    /// Image, resources, retries, timeout, env, secrets, caching.
    pub options: TaskOptions,
}

impl ComponentSpec {
    /// The output called `name`, if any.
    pub fn output(&self, name: &str) -> Option<&OutputSpec> {
        self.outputs.iter().find(|o| o.name == name)
    }
}

/// An artifact input of a component.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[non_exhaustive]
pub struct InputSpec {
    /// Argument name.
    pub name: String,
    /// The artifact kind, e.g. `Dataset`.
    pub kind: String,
    /// The Rust type, e.g. `Dataset<Passenger>`.
    pub type_name: String,
    /// `true` for a directory artifact (a [`Collection`](crate::artifact::Collection)).
    pub is_dir: bool,
}

/// A parameter of a component.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[non_exhaustive]
pub struct ParamSpec {
    /// Argument name.
    pub name: String,
    /// From the `# Parameters` list of the doc comment, else the type's schema description.
    pub description: String,
    /// JSON Schema of the parameter's type.
    pub schema: serde_json::Value,
    /// The parameter's Rust type, to find its [`ExternalData`](crate::external::ExternalData)
    /// hooks.
    #[serde(skip)]
    pub type_id: std::any::TypeId,
}

/// An output of a component.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[non_exhaustive]
pub struct OutputSpec {
    /// Field name in the outputs struct.
    pub name: String,
    /// From the field's doc comment.
    pub description: String,
    /// Artifact or parameter.
    pub kind: OutputKind,
}

/// Whether an output is an artifact or an output parameter.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "role", rename_all = "lowercase")]
#[non_exhaustive]
pub enum OutputKind {
    /// A file or directory passed through the artifact repository.
    Artifact {
        /// The artifact kind, e.g. `Model`.
        kind: String,
        /// The Rust type.
        type_name: String,
        /// `true` for a directory.
        is_dir: bool,
    },
    /// A small value read by Argo from a file (`valueFrom.path`).
    Parameter {
        /// JSON Schema of the value's type.
        schema: serde_json::Value,
    },
}

/// Where a component is defined in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Site {
    /// Rust path of the function, e.g. `titanic_components::components::split::split`.
    pub function: &'static str,
    /// Source file of the `#[component]` attribute.
    pub file: &'static str,
    /// Line of the function in `file`.
    pub line: u32,
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` ({}:{})", self.function, self.file, self.line)
    }
}

/// Two components linked into one binary share a name, so running it by name is ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "two components are named `{name}`: {first} and {second}; give one of them another \
     `#[component(name = \"...\")]`"
)]
pub struct DuplicateComponent {
    /// The shared name.
    pub name: String,
    /// One definition.
    pub first: Site,
    /// The other definition.
    pub second: Site,
}
