//! The [`Component`] trait, component specs, and the registry the `#[component]` macro fills.

use crate::options::TaskOptions;
use crate::outputs::Outputs;
use crate::param::ValueSource;
use crate::pipeline::ArtifactSource;
use crate::runtime::{RunContext, RunError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

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
#[non_exhaustive]
pub struct Bindings {
    /// Artifact inputs.
    pub artifacts: Vec<(&'static str, ArtifactSource)>,
    /// Parameters.
    pub params: Vec<(&'static str, ValueSource)>,
}

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

impl ParamSpec {
    /// The [`ExternalData`](crate::external::ExternalData) hooks of the parameter's type, if it
    /// names outside data.
    pub fn external(&self) -> Option<&'static crate::external::ExternalDataHook> {
        crate::external::ExternalDataHook::find(self.type_id)
    }
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

/// One registered component, submitted by `#[component]` through `inventory`, so one binary can
/// run any component by name. Built by the macro through `__private::registration`.
#[non_exhaustive]
pub struct Registration {
    /// The component's spec.
    pub spec: fn() -> ComponentSpec,
    /// Runs it in this process.
    pub run: fn(&RunContext) -> Result<(), RunError>,
    /// Where the component is defined.
    pub site: Site,
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
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

inventory::collect!(Registration);

/// The components linked into this binary by name, or the first name two of them share; built
/// once. A duplicate anywhere refuses every lookup: a binary in which one name is ambiguous is
/// misbuilt, and saying so at its first use beats running it until someone uses that name.
fn index() -> &'static Result<BTreeMap<String, &'static Registration>, DuplicateComponent> {
    static INDEX: OnceLock<Result<BTreeMap<String, &'static Registration>, DuplicateComponent>> =
        OnceLock::new();
    INDEX.get_or_init(|| {
        let mut by_name: BTreeMap<String, Vec<&'static Registration>> = BTreeMap::new();
        for r in inventory::iter::<Registration> {
            by_name.entry((r.spec)().name).or_default().push(r);
        }
        by_name
            .into_iter()
            .map(|(name, mut same)| {
                same.sort_by_key(|r| r.site.function);
                match same[..] {
                    [one] => Ok((name, one)),
                    [first, second, ..] => Err(DuplicateComponent {
                        name,
                        first: first.site,
                        second: second.site,
                    }),
                    [] => unreachable!("every name has a registration"),
                }
            })
            .collect()
    })
}

/// Every component linked into this binary, sorted by name; an error when two share a name.
pub fn registered() -> Result<Vec<&'static Registration>, DuplicateComponent> {
    let index = index().as_ref().map_err(Clone::clone)?;
    Ok(index.values().copied().collect())
}

/// The registered component called `name` (`Ok(None)` when there is none); an error when any two
/// components linked into this binary share a name (see [`registered`]).
pub fn find(name: &str) -> Result<Option<&'static Registration>, DuplicateComponent> {
    Ok(index().as_ref().map_err(Clone::clone)?.get(name).copied())
}
