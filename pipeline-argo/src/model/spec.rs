//! The workflow spec and its workflow-wide settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lenient;
use super::{Arguments, PodSecurityContext, StringMap, Template, WorkflowMetadata};

/// Spec of a [`Workflow`](super::Workflow) / [`WorkflowTemplate`](super::WorkflowTemplate) (the subset we emit). Templates come last.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowSpec {
    /// Name of the template the workflow starts with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<String>,
    /// Workflow parameters (`{{workflow.parameters.*}}`) and artifacts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Arguments>,
    /// Name of the exit-handler template, run after the entrypoint whatever its outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_exit: Option<String>,
    /// Service account the pods run as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Maximum number of pods running at once in this workflow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i64>,
    /// Wall-clock limit for the whole workflow, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    /// Which artifact repository (ConfigMap + key) to use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_repository_ref: Option<ArtifactRepositoryRef>,
    /// Workflow-level artifact garbage collection.
    #[serde(rename = "artifactGC", skip_serializing_if = "Option::is_none")]
    pub artifact_gc: Option<ArtifactGC>,
    /// Pod security context of every pod (init and wait containers too).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Volumes every template may mount.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    /// Node selector of every pod.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: StringMap,
    /// Tolerations of every pod.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// When pods are deleted.
    #[serde(rename = "podGC", skip_serializing_if = "Option::is_none")]
    pub pod_gc: Option<PodGC>,
    /// When the finished Workflow object is deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_strategy: Option<TTLStrategy>,
    /// Labels and annotations added to the Workflow object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_metadata: Option<WorkflowMetadata>,
    /// Labels and annotations of every pod of the workflow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_metadata: Option<super::Metadata>,
    /// All templates (container and DAG templates).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<Template>,
    /// Fields this model does not describe (`volumeClaimTemplates`, `hooks`, ...), as written.
    #[serde(flatten, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// Reference to an artifact repository stored in a ConfigMap.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ArtifactRepositoryRef {
    /// ConfigMap name (default `artifact-repositories`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map: Option<String>,
    /// Key inside the ConfigMap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// Artifact garbage collection (`spec.artifactGC` or per artifact `artifactGC`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ArtifactGC {
    /// `OnWorkflowCompletion`, `OnWorkflowDeletion` or `Never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
}

/// A pod volume (only `emptyDir` is modelled).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Volume {
    /// Volume name, referenced by `volumeMounts[].name`.
    pub name: String,
    /// Scratch space that lives as long as the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDirVolumeSource>,
    /// Other volume sources (`persistentVolumeClaim`, `configMap`, `secret`, ...), as written.
    #[serde(flatten, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// An `emptyDir` volume source. Serializes as `{}` when nothing is set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EmptyDirVolumeSource {
    /// `""` (node disk) or `Memory`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// Size limit as a Kubernetes quantity, e.g. `1Gi`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub size_limit: Option<String>,
}

/// A pod toleration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Toleration {
    /// Taint key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `Exists` or `Equal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// Taint value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
    /// How long a `NoExecute` taint is tolerated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

/// Pod garbage collection.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodGC {
    /// e.g. `OnPodCompletion`, `OnPodSuccess`, `OnWorkflowCompletion`, `OnWorkflowSuccess`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
}

/// When the finished Workflow object is deleted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TTLStrategy {
    /// Seconds after completion, whatever the outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_after_completion: Option<i32>,
    /// Seconds after success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_after_success: Option<i32>,
    /// Seconds after failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_after_failure: Option<i32>,
}
