//! # pipeline-dsl
//!
//! Typed ML pipelines compiled to Argo Workflows. Write steps as annotated Rust functions, wire
//! them into a pipeline that the Rust compiler type-checks, compile it to an Argo `Workflow`, and
//! run the same pipeline on one machine with the local runner.
//!
//! ```
//! use pipeline_dsl::prelude::*;
//!
//! #[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
//! pub struct Passenger { pub age: Option<f64>, pub survived: u8 }
//!
//! #[derive(Outputs)]
//! pub struct SplitOutputs {
//!     /// Rows to train on.
//!     pub train: Dataset<Passenger>,
//!     /// Rows held out.
//!     pub validation: Dataset<Passenger>,
//! }
//!
//! /// Splits passengers into train and validation sets.
//! ///
//! /// # Parameters
//! /// - `every`: every n-th row goes to validation.
//! #[component(retries = 2, cpu = "500m", memory = "512Mi")]
//! pub fn split(passengers: Input<Dataset<Passenger>>, every: usize) -> Result<SplitOutputs> {
//!     let (mut train, mut validation) = (Vec::new(), Vec::new());
//!     for (i, row) in passengers.iter().enumerate() {
//!         if i % every.max(1) == 0 { validation.push(row.clone()) } else { train.push(row.clone()) }
//!     }
//!     Ok(SplitOutputs { train: train.into(), validation: validation.into() })
//! }
//!
//! // The function stays callable as-is:
//! let rows = Dataset::new(vec![Passenger { age: None, survived: 1 }; 4]);
//! let out = split(Input::new(rows), 2).unwrap();
//! assert_eq!(out.validation.len(), 2);
//! ```
//!
//! Everything a pipeline author needs comes from [`prelude`].

extern crate self as pipeline_dsl;

pub mod artifact;
#[cfg(feature = "runner")]
pub mod build;
#[cfg(feature = "runner")]
pub mod cli;
pub mod compile;
pub mod component;
mod context;
pub mod external;
pub mod options;
pub mod outputs;
pub mod param;
pub mod pipeline;
mod refs;
pub mod runtime;
mod spec;

/// The Argo Workflows model, emitter, validator and expression language (the `pipeline-argo` crate).
pub use pipeline_argo as argo;
/// The local runner (the `pipeline-runner` crate): runs a compiled workflow on this machine.
#[cfg(feature = "runner")]
pub use pipeline_runner as runner;

pub use artifact::{Artifact, ArtifactError};
#[cfg(feature = "runner")]
pub use cli::outcome::{NotRun, Published, RunOutcome};
#[cfg(feature = "runner")]
pub use cli::run::{RunArgs, RunFailure};
pub use component::{
    Bindings, Component, ComponentSpec, DuplicateComponent, OutputKind, OutputSpec, Registration,
};
pub use options::{Retry, RetryPolicy, SecretEnv, TaskOptions};
pub use outputs::{ArtifactRef, OutputPaths, OutputSlot, Outputs, Param, ParamRef};
pub use param::{Parameter, Value};
pub use pipeline::{Pipeline, TaskId};
pub use runtime::{BoxError, Input, InvalidInput, RunContext, RunError, EXIT_INVALID};

/// Everything needed to write components and pipelines.
pub mod prelude {
    pub use crate::artifact::{
        read_bytes, read_text, write_atomic, Artifact, ArtifactError, Collection, Dataset, Html,
        Json, Markdown, Metrics, Model, Png,
    };
    pub use crate::options::{Retry, RetryPolicy};
    pub use crate::outputs::{ArtifactRef, Param, ParamRef};
    pub use crate::param::Value;
    pub use crate::pipeline::{Condition, FanOut, Pipeline, PodGc, Task, Ttl};
    pub use crate::runtime::{BoxError, Input, InvalidInput};
    pub use pipeline_macros::{component, Outputs};

    /// The result type of component functions: any error converts into [`BoxError`].
    pub type Result<T, E = BoxError> = std::result::Result<T, E>;
}

/// Support for the generated code (the macro/runtime contract); not a public API.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
