//! One execution as a scheduler sees it: the function that runs it ([`Execute`]), what it
//! reports while it runs ([`Hooks`]) and how it ended ([`Outcome`]).
//!
//! A DAG or steps template runs executions, and an execution may be a nested DAG or steps
//! template: the scheduler (`dag`) is given an [`Execute`] rather than calling the runners,
//! and `dispatch` wires the concrete ones (a pod's step, a nested template), so the scheduler,
//! the step and the nested runner do not depend on one another.

use std::path::PathBuf;
use std::time::Duration;

use super::context::Ctx;
use super::failures::Failure;
use super::prepare::Unit;
use super::summary::{StepRecord, StepStatus};
use super::values::Collected;

/// Runs one execution to its end, reporting through the [`Hooks`].
pub(crate) type Execute = fn(&Ctx, &Unit, &Hooks) -> Outcome;

/// What a step tells its scheduler while it runs.
pub(crate) struct Hooks<'h> {
    /// Called before attempt `n` starts.
    pub on_attempt: &'h dyn Fn(u32),
    /// Spends a retry's backoff (the scheduler gives the step's slot to another meanwhile,
    /// and the step waits for one again before its next attempt).
    pub backoff: &'h dyn Fn(Duration),
}

/// How one execution ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// Succeeded, Cached, Failed or Skipped.
    pub status: StepStatus,
    /// A runner error rather than a step failure (Argo's `Error`).
    pub errored: bool,
    /// Processes started.
    pub attempts: u32,
    /// Wall time.
    pub duration: Duration,
    /// Log of the last attempt.
    pub log: Option<PathBuf>,
    /// Outputs.
    pub collected: Collected,
    /// Error line, or why it did not run.
    pub message: Option<String>,
    /// The executions of a nested DAG or steps template, in finishing order.
    pub children: Vec<StepRecord>,
    /// The failed nodes under a nested DAG or steps template.
    pub failures: Vec<Failure>,
}

impl Outcome {
    /// An execution that never started a process.
    pub(crate) fn not_run(status: StepStatus, message: String) -> Self {
        Outcome {
            status,
            errored: status == StepStatus::Failed,
            attempts: 0,
            duration: Duration::ZERO,
            log: None,
            collected: Collected::default(),
            message: Some(message),
            children: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// A successful execution.
    pub(crate) fn succeeded(status: StepStatus, attempts: u32, collected: Collected) -> Self {
        Outcome {
            status,
            errored: false,
            attempts,
            duration: Duration::ZERO,
            log: None,
            collected,
            message: None,
            children: Vec::new(),
            failures: Vec::new(),
        }
    }
}
