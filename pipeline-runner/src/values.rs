//! What passes between tasks: where an input artifact comes from ([`Source`]), the artifacts
//! a DAG can pass on ([`ArtifactIndex`]), and what an execution produced ([`Collected`]).

use std::collections::BTreeMap;

use super::store::Stored;

/// Where an input artifact comes from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// One stored artifact.
    Stored(Stored),
    /// Every artifact under a repository key prefix, by relative name.
    Gathered(Vec<(String, Stored)>),
    /// Inline content.
    Raw(String),
    /// A path inside another source (an argument's `subPath`).
    Sub(Box<Source>, String),
}

/// Artifacts a DAG can pass on, by the reference naming them without braces
/// (`tasks.T.outputs.artifacts.A`, `steps.S.outputs.artifacts.A`, `inputs.artifacts.A`).
pub(crate) type ArtifactIndex = BTreeMap<String, Source>;

/// What a successful attempt produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Collected {
    /// Output parameters.
    pub parameters: BTreeMap<String, String>,
    /// Output artifacts.
    pub artifacts: BTreeMap<String, Stored>,
    /// Resolved repository keys of artifacts that declare `s3.key`.
    pub keys: BTreeMap<String, String>,
    /// `outputs.result`: what the process wrote on stdout, one trailing newline trimmed, the
    /// last 256 kB (`workflow/executor/executor.go` `CaptureScriptResult`, lines 929-967).
    pub result: Option<String>,
    /// `outputs.exitCode` (`workflow/controller/operator.go` line 1616).
    pub exit_code: Option<String>,
}
