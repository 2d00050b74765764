//! The [`Component`] trait, the wiring of a task ([`Bindings`]), and the registry the
//! `#[component]` macro fills. The spec types are defined in `spec` (plain data the compiler
//! reads) and re-exported here.

use crate::context::{RunContext, RunError};
use crate::outputs::Outputs;
use crate::param::ValueSource;
use crate::refs::ArtifactSource;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub use crate::spec::{
    ComponentSpec, DuplicateComponent, InputSpec, OutputKind, OutputSpec, ParamSpec, Site,
};

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
