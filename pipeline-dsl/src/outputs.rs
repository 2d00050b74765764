//! What a component returns: named artifacts and output parameters, and the typed handles the
//! pipeline builder hands out for them.

use crate::artifact::{Artifact, ArtifactError};
use crate::param::{encode, Parameter};
use crate::refs::{ArtifactSource, OutputRef, TaskId};
use crate::spec::{OutputKind, OutputSpec};
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// The named outputs of a component. Derive it with `#[derive(Outputs)]` on a struct whose fields
/// are artifacts or [`Param`]s; `()` means "no outputs".
///
/// ```
/// use pipeline_dsl::prelude::*;
/// #[derive(Outputs)]
/// pub struct EvalOutputs {
///     /// KFP metrics.
///     pub metrics: Metrics,
///     /// Out-of-fold accuracy, readable by `when` conditions.
///     pub accuracy: Param<f64>,
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a component outputs type",
    label = "expected `()` or a `#[derive(Outputs)]` struct",
    note = "a component returns `Result<O>` where `O` is `()` (no outputs) or a struct with \
            `#[derive(Outputs)]` whose named fields are artifacts or `Param<T>`",
    note = "to return a single value, name it: `#[derive(Outputs)] pub struct Scored {{ pub score: Param<f64> }}` \
            and return `Result<Scored>`"
)]
pub trait Outputs: Sized {
    /// The typed handles a pipeline gets for these outputs (one field per output).
    type Handles: Copy;
    /// The output specs, in field order.
    fn specs() -> Vec<OutputSpec>;
    /// Handles pointing at the outputs of `task`.
    fn handles(task: TaskId) -> Self::Handles;
    /// Writes every output to its path.
    fn write(&self, paths: &OutputPaths) -> Result<(), ArtifactError>;
}

impl Outputs for () {
    type Handles = ();
    fn specs() -> Vec<OutputSpec> {
        Vec::new()
    }
    fn handles(_: TaskId) {}
    fn write(&self, _: &OutputPaths) -> Result<(), ArtifactError> {
        Ok(())
    }
}

/// Where each output goes, by output name (from `--output name=PATH`).
#[derive(Debug, Clone, Default)]
pub struct OutputPaths(pub BTreeMap<String, PathBuf>);

impl OutputPaths {
    /// The path for output `name`, or an error naming the missing `--output`.
    pub fn get(&self, name: &str) -> Result<&Path, ArtifactError> {
        self.0.get(name).map(PathBuf::as_path).ok_or_else(|| {
            ArtifactError::invalid(
                Path::new(name),
                format!("no --output {name}=PATH was given"),
            )
        })
    }
}

/// One field of an [`Outputs`] struct: an artifact or a [`Param`]. Implemented by the library.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an output: an output field is an artifact or a `Param<T>`",
    label = "not an artifact or `Param<T>`",
    note = "artifacts are `Dataset<R>`, `Json<T>`, `Model<T>`, `Metrics`, `Png`, `Html`, `Markdown`, \
            `Collection<A>`, or your own type that implements `pipeline_dsl::Artifact`",
    note = "a small value that `when` conditions or other tasks' parameters read is an output \
            parameter: write `Param<{Self}>`"
)]
pub trait OutputSlot {
    /// The handle type the pipeline builder hands out for this output.
    type Handle: Copy + std::fmt::Debug;
    /// The spec of an output called `name`.
    fn spec(name: &'static str, description: &str) -> OutputSpec;
    /// The handle for output `name` of `task`.
    fn handle(task: TaskId, name: &'static str) -> Self::Handle;
    /// Writes the value to `path`.
    fn write_to(&self, path: &Path) -> Result<(), ArtifactError>;
}

// Hidden from "required for `f64` to implement `OutputSlot`" chains: a field that is not an
// output is reported as such, with `OutputSlot`'s own message, not as a missing `Artifact`.
#[diagnostic::do_not_recommend]
impl<A: Artifact> OutputSlot for A {
    type Handle = ArtifactRef<A>;
    fn spec(name: &'static str, description: &str) -> OutputSpec {
        OutputSpec {
            name: name.into(),
            description: description.into(),
            kind: OutputKind::Artifact {
                kind: A::KIND.into(),
                type_name: std::any::type_name::<A>().into(),
                is_dir: A::IS_DIR,
            },
        }
    }
    fn handle(task: TaskId, name: &'static str) -> Self::Handle {
        ArtifactRef::new(ArtifactSource::Output(OutputRef { task, name }))
    }
    fn write_to(&self, path: &Path) -> Result<(), ArtifactError> {
        self.write(path)
    }
}

/// An output parameter: a small value (a score, a count, a URI) that Argo reads from a file and
/// that `when` conditions and other tasks' parameters can use.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Param<T>(pub T);

impl<T: Parameter> OutputSlot for Param<T> {
    type Handle = ParamRef<T>;
    fn spec(name: &'static str, description: &str) -> OutputSpec {
        OutputSpec {
            name: name.into(),
            description: description.into(),
            kind: OutputKind::Parameter {
                schema: crate::param::schema_of::<T>(),
            },
        }
    }
    fn handle(task: TaskId, name: &'static str) -> Self::Handle {
        ParamRef {
            output: OutputRef { task, name },
            _type: PhantomData,
        }
    }
    fn write_to(&self, path: &Path) -> Result<(), ArtifactError> {
        ArtifactError::check_finite(path, &self.0)?;
        let text = encode(&self.0).map_err(|e| ArtifactError::invalid(path, e.to_string()))?;
        crate::artifact::write_atomic(path, text.as_bytes())
    }
}

/// A typed handle on an artifact produced in the pipeline. Only fits an input of the same type.
pub struct ArtifactRef<A> {
    source: ArtifactSource,
    _type: PhantomData<fn() -> A>,
}

impl<A> ArtifactRef<A> {
    pub(crate) fn new(source: ArtifactSource) -> Self {
        ArtifactRef {
            source,
            _type: PhantomData,
        }
    }
    /// Where the artifact comes from.
    pub fn source(&self) -> ArtifactSource {
        self.source
    }
}

impl<A> Clone for ArtifactRef<A> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<A> Copy for ArtifactRef<A> {}
impl<A> std::fmt::Debug for ArtifactRef<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ArtifactRef<{}>({:?})",
            std::any::type_name::<A>(),
            self.source
        )
    }
}

/// A typed handle on an output parameter of a task; use it as another task's parameter or in a
/// [`Condition`](crate::pipeline::Condition).
pub struct ParamRef<T> {
    pub(crate) output: OutputRef,
    _type: PhantomData<fn() -> T>,
}

impl<T> ParamRef<T> {
    /// The task and output name.
    pub fn output(&self) -> OutputRef {
        self.output
    }
}

impl<T> Clone for ParamRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ParamRef<T> {}
impl<T> std::fmt::Debug for ParamRef<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ParamRef<{}>({:?})",
            std::any::type_name::<T>(),
            self.output
        )
    }
}

impl<T> From<ParamRef<T>> for crate::param::Value<T> {
    fn from(r: ParamRef<T>) -> Self {
        crate::param::Value::from_source(crate::param::ValueSource::Output(r.output))
    }
}
