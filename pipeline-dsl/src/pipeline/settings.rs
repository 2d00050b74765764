//! Workflow-wide settings of a pipeline: how long it may run, what cleans up its pods and its
//! Workflow object, and the metadata its pods carry.

use super::Pipeline;

/// When Argo deletes a workflow's pods (`spec.podGC.strategy`, argo `workflow_types.go`
/// `PodGCStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodGc {
    /// Each pod as soon as it completes.
    OnPodCompletion,
    /// Each pod that succeeded, as soon as it does (failed pods stay for their logs).
    OnPodSuccess,
    /// All pods when the workflow completes.
    OnWorkflowCompletion,
    /// All pods when the workflow succeeds (a failed workflow keeps them for debugging).
    OnWorkflowSuccess,
}

impl PodGc {
    /// The name Argo uses.
    pub fn as_str(self) -> &'static str {
        match self {
            PodGc::OnPodCompletion => "OnPodCompletion",
            PodGc::OnPodSuccess => "OnPodSuccess",
            PodGc::OnWorkflowCompletion => "OnWorkflowCompletion",
            PodGc::OnWorkflowSuccess => "OnWorkflowSuccess",
        }
    }
}

/// How long a finished Workflow object is kept (`spec.ttlStrategy`), in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ttl {
    /// After it succeeded.
    pub after_success: Option<u32>,
    /// After it failed or errored.
    pub after_failure: Option<u32>,
    /// After it completed, whatever the outcome.
    pub after_completion: Option<u32>,
}

/// Workflow-wide settings (see the [`Pipeline`] methods that set them).
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub active_deadline_seconds: Option<u64>,
    pub pod_gc: Option<PodGc>,
    pub ttl: Option<Ttl>,
    pub pod_labels: Vec<(String, String)>,
    pub pod_annotations: Vec<(String, String)>,
}

impl Pipeline {
    /// Stops the whole workflow after this many seconds (`spec.activeDeadlineSeconds`): running
    /// pods are killed, no step starts, the exit handler still runs.
    pub fn active_deadline_seconds(self, seconds: u64) -> Self {
        self.graph.borrow_mut().settings.active_deadline_seconds = Some(seconds);
        self
    }

    /// When Argo deletes the workflow's pods.
    pub fn pod_gc(self, strategy: PodGc) -> Self {
        self.graph.borrow_mut().settings.pod_gc = Some(strategy);
        self
    }

    /// When Argo deletes the finished Workflow object.
    pub fn ttl(self, ttl: Ttl) -> Self {
        self.graph.borrow_mut().settings.ttl = Some(ttl);
        self
    }

    /// Adds a label to every pod of the workflow (`spec.podMetadata`). Labels set with
    /// [`Pipeline::label`] go to the pods too.
    pub fn pod_label(self, key: &str, value: &str) -> Self {
        let pair = (key.into(), value.into());
        self.graph.borrow_mut().settings.pod_labels.push(pair);
        self
    }

    /// Adds an annotation to every pod of the workflow (`spec.podMetadata`).
    pub fn pod_annotation(self, key: &str, value: &str) -> Self {
        let pair = (key.into(), value.into());
        self.graph.borrow_mut().settings.pod_annotations.push(pair);
        self
    }

    /// Uses the namespace's default artifact repository again (no `artifactRepositoryRef`),
    /// undoing [`Pipeline::artifact_repository`].
    pub fn default_artifact_repository(self) -> Self {
        self.graph.borrow_mut().artifact_repository = None;
        self
    }
}
