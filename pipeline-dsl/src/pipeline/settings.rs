//! Workflow-wide settings of a pipeline: how long it may run, what cleans up its pods and its
//! Workflow object, and the metadata its pods carry (the `Pipeline` methods that set them are in
//! the builder).

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

/// Workflow-wide settings (see the [`Pipeline`](super::Pipeline) methods that set them).
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    pub active_deadline_seconds: Option<u64>,
    pub pod_gc: Option<PodGc>,
    pub ttl: Option<Ttl>,
    pub pod_labels: Vec<(String, String)>,
    pub pod_annotations: Vec<(String, String)>,
}
