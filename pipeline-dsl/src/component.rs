//! The [`Component`] trait, component specs, and the registry the `#[component]` macro fills.

use crate::options::TaskOptions;
use crate::outputs::Outputs;
use crate::param::ValueSource;
use crate::pipeline::ArtifactSource;
use crate::runtime::{RunContext, RunError};
use serde::Serialize;

/// A pipeline step. `#[component]` implements it for the struct it generates from your function;
/// you rarely implement it by hand.
pub trait Component: Sized + 'static {
    /// What the step returns.
    type Outputs: Outputs;
    /// The step's spec: name, description, inputs, parameters, outputs and options.
    fn spec() -> ComponentSpec;
    /// How this task's inputs and parameters are wired (consumes the task struct).
    fn bind(self) -> Bindings;
    /// Runs the step in this process: reads inputs and parameters from `ctx`, calls the
    /// function, writes the outputs.
    fn run(ctx: &RunContext) -> Result<(), RunError>;
}

/// The wiring of one task: its artifact inputs and parameters, by name.
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    /// Artifact inputs.
    pub artifacts: Vec<(&'static str, ArtifactSource)>,
    /// Parameters.
    pub params: Vec<(&'static str, ValueSource)>,
}

/// Everything the compiler and the CLI know about a component.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ComponentSpec {
    /// Name, in kebab-case (`split-folds`); the CLI and Argo template name.
    pub name: String,
    /// From the function's doc comment.
    pub description: String,
    /// Digest of the component's source, to tell versions apart.
    pub source_digest: String,
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

impl ParamSpec {
    /// The [`ExternalData`](crate::external::ExternalData) hooks of the parameter's type, if it
    /// names outside data.
    pub fn external(&self) -> Option<&'static crate::external::ExternalDataHook> {
        crate::external::ExternalDataHook::find(self.type_id)
    }
}

/// An output of a component.
#[derive(Debug, Clone, Serialize, PartialEq)]
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

/// One registered component, submitted by `#[component]` through `inventory`, so one binary can
/// run any component by name.
pub struct Registration {
    /// The component's spec.
    pub spec: fn() -> ComponentSpec,
    /// Runs it in this process.
    pub run: fn(&RunContext) -> Result<(), RunError>,
}

inventory::collect!(Registration);

/// Every component linked into this binary, sorted by name.
pub fn registered() -> Vec<&'static Registration> {
    let mut all: Vec<_> = inventory::iter::<Registration>.into_iter().collect();
    all.sort_by_cached_key(|r| (r.spec)().name);
    all
}

/// The registered component called `name`.
pub fn find(name: &str) -> Option<&'static Registration> {
    inventory::iter::<Registration>
        .into_iter()
        .find(|r| (r.spec)().name == name)
}
