//! What one run of a component reads and how it fails: the parsed command line
//! ([`RunContext`]), the [`Input`] wrapper, and [`RunError`] with its exit codes. Plain types the
//! [`Component`](crate::component::Component) trait names; running a registered component by
//! name is in `runtime`.

use crate::artifact::{Artifact, ArtifactError};
use crate::outputs::{OutputPaths, Outputs};
use crate::param::{decode, ParamError};
use crate::spec::{ComponentSpec, DuplicateComponent};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The error type component functions return: anything that converts into it, so `?` works on
/// any error (including `anyhow::Error`) and `Err("message".into())` reads well.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An artifact input of a component function: the value read from the upstream artifact.
/// Dereferences to the artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct Input<A>(pub A);

impl<A> Input<A> {
    /// Wraps a value, e.g. to call a component function directly in a test.
    pub fn new(value: A) -> Self {
        Input(value)
    }
    /// The artifact, by value.
    pub fn into_inner(self) -> A {
        self.0
    }
}

impl<A> std::ops::Deref for Input<A> {
    type Target = A;
    fn deref(&self) -> &A {
        &self.0
    }
}

/// The exit code of a component that failed with an error a retry cannot fix: a parameter
/// outside its domain, a malformed command line, malformed input data, a non-finite output.
/// The local runner does not retry it, and the manifest's `retryStrategy.expression` tells Argo
/// the same. Other failures exit with 1.
pub const EXIT_INVALID: u8 = 2;

/// An error a retry cannot fix (bad input data, a value outside its domain). Return it (or
/// anything whose `source()` chain holds it) from a component function to make the component
/// exit with [`EXIT_INVALID`] instead of 1.
///
/// ```
/// use pipeline_dsl::InvalidInput;
/// let e: pipeline_dsl::BoxError = InvalidInput::new("row 3: Age is -1").into();
/// assert_eq!(e.to_string(), "row 3: Age is -1");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

impl InvalidInput {
    /// An invalid-input error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        InvalidInput(message.into())
    }
}

/// Why a component run failed. Printed as one line on stderr by the components binary.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No component of that name is linked into this binary.
    #[error("no component named `{0}` (see `list`)")]
    UnknownComponent(String),
    /// Two components linked into this binary share the name.
    #[error(transparent)]
    Duplicate(#[from] DuplicateComponent),
    /// The command line does not match the component's spec.
    #[error("component `{component}`: {message}")]
    Usage {
        /// The component.
        component: String,
        /// What is missing or unexpected.
        message: String,
    },
    /// A parameter value does not parse as its type.
    #[error("component `{component}`: {source}")]
    Param {
        /// The component.
        component: String,
        /// The bad parameter.
        source: ParamError,
    },
    /// An input could not be read or an output could not be written.
    #[error("component `{component}`: {source}")]
    Artifact {
        /// The component.
        component: String,
        /// The artifact problem.
        source: ArtifactError,
    },
    /// The component function returned an error.
    #[error("component `{component}` failed: {message}")]
    Failed {
        /// The component.
        component: String,
        /// The error and its causes, joined with `: `.
        message: String,
        /// A retry cannot fix it: the error (or a cause) is an [`InvalidInput`] or an invalid
        /// artifact.
        permanent: bool,
    },
    /// The component function panicked.
    #[error("component `{component}` panicked: {message}")]
    Panicked {
        /// The component.
        component: String,
        /// The panic message.
        message: String,
    },
}

fn is_permanent(error: &(dyn std::error::Error + 'static)) -> bool {
    error.is::<InvalidInput>()
        || error.downcast_ref::<ArtifactError>().is_some_and(|e| {
            matches!(
                e,
                ArtifactError::Invalid { .. } | ArtifactError::NonFinite { .. }
            )
        })
}

impl RunError {
    /// The process exit code for this error: [`EXIT_INVALID`] when a retry cannot fix it (bad
    /// command line or parameter, malformed input, non-finite output), else 1.
    pub fn exit_code(&self) -> u8 {
        let permanent = match self {
            RunError::UnknownComponent(_)
            | RunError::Duplicate(_)
            | RunError::Usage { .. }
            | RunError::Param { .. } => true,
            RunError::Artifact { source, .. } => !matches!(source, ArtifactError::Io { .. }),
            RunError::Failed { permanent, .. } => *permanent,
            RunError::Panicked { .. } => false,
        };
        if permanent {
            EXIT_INVALID
        } else {
            1
        }
    }
}

/// The parsed command line of one component run.
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    /// The component's name.
    pub component: String,
    /// `--param name=value`.
    pub params: BTreeMap<String, String>,
    /// `--input name=PATH`.
    pub inputs: BTreeMap<String, PathBuf>,
    /// `--output name=PATH`.
    pub outputs: OutputPaths,
}

impl RunContext {
    /// The parameter `name`, decoded as `T`.
    pub fn param<T: DeserializeOwned>(&self, name: &str) -> Result<T, RunError> {
        let text = self
            .params
            .get(name)
            .ok_or_else(|| self.usage(format!("missing --param {name}=VALUE")))?;
        decode(name, text).map_err(|source| RunError::Param {
            component: self.component.clone(),
            source,
        })
    }

    /// The artifact input `name`, read as `A`.
    pub fn input<A: Artifact>(&self, name: &str) -> Result<Input<A>, RunError> {
        let path = self
            .inputs
            .get(name)
            .ok_or_else(|| self.usage(format!("missing --input {name}=PATH")))?;
        A::read(path).map(Input).map_err(|e| self.artifact_error(e))
    }

    /// Writes the component's outputs to their `--output` paths.
    pub fn write_outputs<O: Outputs>(&self, outputs: &O) -> Result<(), RunError> {
        outputs
            .write(&self.outputs)
            .map_err(|e| self.artifact_error(e))
    }

    /// Wraps the error a component function returned.
    pub fn failed(&self, error: BoxError) -> RunError {
        let mut message = error.to_string();
        let mut permanent = is_permanent(error.as_ref());
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            permanent |= is_permanent(cause);
            source = cause.source();
        }
        RunError::Failed {
            component: self.component.clone(),
            message,
            permanent,
        }
    }

    fn usage(&self, message: String) -> RunError {
        RunError::Usage {
            component: self.component.clone(),
            message,
        }
    }

    fn artifact_error(&self, source: ArtifactError) -> RunError {
        RunError::Artifact {
            component: self.component.clone(),
            source,
        }
    }

    /// Checks the command line against the spec: every parameter, input and output present,
    /// nothing unknown.
    pub fn check(&self, spec: &ComponentSpec) -> Result<(), RunError> {
        let mut problems = Vec::new();
        let expect =
            |kind: &str, given: Vec<&String>, wanted: Vec<&String>, problems: &mut Vec<String>| {
                for w in &wanted {
                    if !given.contains(w) {
                        problems.push(format!("missing --{kind} {w}=..."));
                    }
                }
                for g in given {
                    if !wanted.contains(&g) {
                        problems.push(format!("unknown --{kind} {g}"));
                    }
                }
            };
        expect(
            "param",
            self.params.keys().collect(),
            spec.parameters.iter().map(|p| &p.name).collect(),
            &mut problems,
        );
        expect(
            "input",
            self.inputs.keys().collect(),
            spec.inputs.iter().map(|p| &p.name).collect(),
            &mut problems,
        );
        let outputs: Vec<&String> = spec.outputs.iter().map(|o| &o.name).collect();
        expect(
            "output",
            self.outputs.0.keys().collect(),
            outputs,
            &mut problems,
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(self.usage(problems.join("; ")))
        }
    }
}
