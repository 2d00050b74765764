//! What a run leaves behind: the [`RunSummary`] (also written as `run.json`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Final status of a workflow run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkflowStatus {
    /// Every task succeeded, was cached, skipped or omitted, and so did the exit handler.
    Succeeded,
    /// A task or the exit handler failed.
    Failed,
    /// SIGINT or SIGTERM stopped the run: running steps were stopped, no new ones started and
    /// the exit handler did not run. A rerun resumes from the finished steps.
    Interrupted,
}

impl WorkflowStatus {
    /// `Succeeded` or `Failed`, as `{{workflow.status}}` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowStatus::Succeeded => "Succeeded",
            WorkflowStatus::Failed => "Failed",
            WorkflowStatus::Interrupted => "Interrupted",
        }
    }
}

/// Status of one step (one execution of a task, or one item of a fan-out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepStatus {
    /// The process ran and succeeded.
    Succeeded,
    /// A cache hit: the outputs of an earlier identical execution were reused, nothing ran.
    Cached,
    /// The process failed after its retries, timed out, or could not be run.
    Failed,
    /// `when` was false.
    Skipped,
    /// `depends` could never be satisfied (an upstream task failed or was skipped).
    Omitted,
}

impl StepStatus {
    /// The status name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Succeeded => "Succeeded",
            StepStatus::Cached => "Cached",
            StepStatus::Failed => "Failed",
            StepStatus::Skipped => "Skipped",
            StepStatus::Omitted => "Omitted",
        }
    }
}

/// Whether an artifact is a single file or a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArtifactKind {
    /// One file: the blob is the file.
    File,
    /// A directory: the blob is a JSON manifest listing the blobs of its files.
    Directory,
}

/// An output artifact in the content-addressed store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactRecord {
    /// Output name.
    pub name: String,
    /// SHA-256 (hex) of the file, or of a directory's manifest.
    pub digest: String,
    /// `<artifacts>/sha256/<digest>`.
    pub path: PathBuf,
    /// File or directory.
    pub kind: ArtifactKind,
    /// Size in bytes (all files of a directory).
    pub size: u64,
    /// Repository key it was recorded under (per-item fan-out outputs), resolved.
    pub key: Option<String>,
}

/// One execution of a task (one item of a fan-out), or a task that never ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// DAG task name.
    pub task: String,
    /// Fan-out item key (e.g. `00001`), if the task fans out.
    pub item: Option<String>,
    /// Template it runs.
    pub template: String,
    /// Outcome.
    pub status: StepStatus,
    /// Processes started (0 when cached, skipped or omitted).
    pub attempts: u32,
    /// Wall time, including retries and backoff.
    #[serde(with = "secs")]
    pub duration: Duration,
    /// Log of the last attempt (stdout and stderr).
    pub log: Option<PathBuf>,
    /// Output parameters.
    pub parameters: BTreeMap<String, String>,
    /// Output artifacts.
    pub artifacts: Vec<ArtifactRecord>,
    /// The error line when it failed, or why it was skipped or omitted.
    pub message: Option<String>,
    /// True for tasks of the exit handler.
    pub exit_handler: bool,
}

/// A DAG task and its dependencies, for drawing the graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Task name.
    pub name: String,
    /// Template it runs.
    pub template: String,
    /// Aggregated status (a fan-out succeeds only if every item did).
    pub status: StepStatus,
    /// Tasks named by its `depends`/`dependencies`.
    pub depends: Vec<String>,
    /// The `depends` expression, if any.
    pub expression: Option<String>,
    /// True for tasks of the exit handler.
    pub exit_handler: bool,
}

/// A metric of the run: one entry of a KFP metrics document (`{"metrics": [...]}`) that a
/// step wrote as an output artifact, such as `accuracy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadlineMetric {
    /// The task that reported it.
    pub task: String,
    /// The metric's name.
    pub name: String,
    /// Its value.
    pub value: f64,
    /// `RAW` or `PERCENTAGE`, as KFP's metrics format says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl HeadlineMetric {
    /// The value as people read it (`83.84%` for a percentage, a count without decimals,
    /// else 4 decimals).
    pub fn shown(&self) -> String {
        match self.format.as_deref() {
            Some("PERCENTAGE") => format!("{:.2}%", self.value * 100.0),
            _ if self.value.fract() == 0.0 && self.value.abs() < 1e15 => {
                format!("{:.0}", self.value)
            }
            _ => format!("{:.4}", self.value),
        }
    }
}

/// The result of [`run`](super::run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Workflow name (`<generateName><short id>` unless given).
    pub workflow: String,
    /// `{{workflow.uid}}` of the run.
    pub uid: String,
    /// Final status (the exit handler included).
    pub status: WorkflowStatus,
    /// Status of the entrypoint DAG alone (what the exit handler saw as `{{workflow.status}}`).
    pub main_status: WorkflowStatus,
    /// Workflow parameters used.
    pub parameters: BTreeMap<String, String>,
    /// Every task, main DAG first, then the exit handler.
    pub tasks: Vec<TaskRecord>,
    /// Every execution, in the order they finished.
    pub steps: Vec<StepRecord>,
    /// Wall time of the run.
    #[serde(with = "secs")]
    pub duration: Duration,
    /// `<artifacts>/runs/<workflow>`: logs, work dirs, `run.json`, `report.html`.
    pub run_dir: PathBuf,
    /// `<run dir>/report.html`.
    pub report: PathBuf,
    /// The metrics the steps reported (every KFP metrics document among the outputs of steps
    /// that did not run in a fan-out), in step order.
    #[serde(default)]
    pub metrics: Vec<HeadlineMetric>,
    /// The signal that interrupted the run (`SIGINT`, `SIGTERM`), if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_by: Option<String>,
    /// Where the run's record was uploaded when the store has a remote copy
    /// (`s3://bucket/prefix/runs/<workflow>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_run_dir: Option<String>,
}

impl RunSummary {
    /// True when the workflow succeeded.
    pub fn succeeded(&self) -> bool {
        self.status == WorkflowStatus::Succeeded
    }

    /// The steps of task `name` (one per item for a fan-out).
    pub fn steps_of(&self, name: &str) -> Vec<&StepRecord> {
        self.steps.iter().filter(|s| s.task == name).collect()
    }

    /// The step of task `name` (the first one for a fan-out).
    pub fn step(&self, name: &str) -> Option<&StepRecord> {
        self.steps.iter().find(|s| s.task == name)
    }

    /// The failed steps' error lines.
    pub fn errors(&self) -> Vec<&str> {
        self.steps
            .iter()
            .filter(|s| s.status == StepStatus::Failed)
            .filter_map(|s| s.message.as_deref())
            .collect()
    }
}

mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}
