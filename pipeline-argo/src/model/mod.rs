//! Serde model of the Argo Workflows `v1alpha1` objects this crate emits.
//!
//! Field names follow Argo's JSON schema exactly (camelCase, see `api/jsonschema/schema.json` of
//! argo-workflows v4.1.2). Every optional field is skipped when unset, so a serialized document
//! only contains what was set. The declaration order of the fields is the order in which they are
//! written to YAML, so it is chosen for reading: name first, the template body last.
//!
//! Integer-or-string fields (`retryStrategy.limit`, `backoff.factor`, `withSequence.count`, ...)
//! and parameter values are plain `String`s on purpose: the full CRD and `schema.json` accept the
//! string form everywhere, so they are always emitted quoted (e.g. `limit: '2'`). When reading a
//! manifest back, bare YAML numbers and booleans are accepted for these fields as well.

mod container;
mod dag;
mod lenient;
mod spec;
mod template;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use container::*;
pub use dag::*;
pub use spec::*;
pub use template::*;

/// The `apiVersion` of every Argo object.
pub const API_VERSION: &str = "argoproj.io/v1alpha1";
/// The annotation Argo's UI shows as a Workflow's (or a template's) description; pipeline-dsl
/// puts a component's doc comment there, up to its first heading. Argo copies a template's
/// `metadata` onto the pod it creates.
pub const DESCRIPTION_ANNOTATION: &str = "workflows.argoproj.io/description";

/// A Kubernetes `IntOrString`, kept in its string form (e.g. `"2"` or `"{{inputs.parameters.n}}"`).
pub type IntOrString = String;

/// One element of a DAG task's `withItems` list (any JSON value).
pub type Item = serde_json::Value;

/// Labels or annotations of an object (sorted, so output is deterministic).
pub type StringMap = BTreeMap<String, String>;

/// An Argo `Workflow` (`kind: Workflow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    /// Always `argoproj.io/v1alpha1`.
    pub api_version: String,
    /// Always `Workflow`.
    pub kind: String,
    /// Name, labels and annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The workflow itself.
    #[serde(default)]
    pub spec: WorkflowSpec,
}

impl Default for Workflow {
    fn default() -> Self {
        Self::new(ObjectMeta::default(), WorkflowSpec::default())
    }
}

impl Workflow {
    /// The `kind` of a [`Workflow`].
    pub const KIND: &'static str = "Workflow";

    /// A `Workflow` with the right `apiVersion` and `kind`.
    pub fn new(metadata: ObjectMeta, spec: WorkflowSpec) -> Self {
        Self {
            api_version: API_VERSION.to_string(),
            kind: Self::KIND.to_string(),
            metadata,
            spec,
        }
    }
}

/// An Argo `WorkflowTemplate` (`kind: WorkflowTemplate`): a stored, reusable workflow spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowTemplate {
    /// Always `argoproj.io/v1alpha1`.
    pub api_version: String,
    /// Always `WorkflowTemplate`.
    pub kind: String,
    /// Name (required for a WorkflowTemplate), labels and annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The workflow spec the template stores.
    #[serde(default)]
    pub spec: WorkflowSpec,
}

impl Default for WorkflowTemplate {
    fn default() -> Self {
        Self::new(ObjectMeta::default(), WorkflowSpec::default())
    }
}

impl WorkflowTemplate {
    /// The `kind` of a [`WorkflowTemplate`].
    pub const KIND: &'static str = "WorkflowTemplate";

    /// A `WorkflowTemplate` with the right `apiVersion` and `kind`.
    pub fn new(metadata: ObjectMeta, spec: WorkflowSpec) -> Self {
        Self {
            api_version: API_VERSION.to_string(),
            kind: Self::KIND.to_string(),
            metadata,
            spec,
        }
    }
}

/// An Argo `CronWorkflow` (`kind: CronWorkflow`): a workflow spec run on a schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronWorkflow {
    /// Always `argoproj.io/v1alpha1`.
    pub api_version: String,
    /// Always `CronWorkflow`.
    pub kind: String,
    /// Name, labels and annotations.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// Schedule and the workflow spec to run.
    #[serde(default)]
    pub spec: CronWorkflowSpec,
}

impl Default for CronWorkflow {
    fn default() -> Self {
        Self::new(ObjectMeta::default(), CronWorkflowSpec::default())
    }
}

impl CronWorkflow {
    /// The `kind` of a [`CronWorkflow`].
    pub const KIND: &'static str = "CronWorkflow";

    /// A `CronWorkflow` with the right `apiVersion` and `kind`.
    pub fn new(metadata: ObjectMeta, spec: CronWorkflowSpec) -> Self {
        Self {
            api_version: API_VERSION.to_string(),
            kind: Self::KIND.to_string(),
            metadata,
            spec,
        }
    }
}

/// Spec of a [`CronWorkflow`]. Argo v4 only has the list form `schedules` (no `schedule`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronWorkflowSpec {
    /// Cron expressions (required by the schema, so always written).
    pub schedules: Vec<String>,
    /// IANA time zone of the schedules, e.g. `Europe/Paris`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `Allow`, `Forbid` or `Replace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency_policy: Option<String>,
    /// Seconds after a missed schedule during which a run may still start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<i64>,
    /// How many succeeded workflows to keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful_jobs_history_limit: Option<i32>,
    /// How many failed workflows to keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_jobs_history_limit: Option<i32>,
    /// Suspends future runs when true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Metadata given to every workflow created from this CronWorkflow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_metadata: Option<ObjectMeta>,
    /// The workflow spec run on each schedule.
    pub workflow_spec: WorkflowSpec,
}

/// Kubernetes object metadata (the subset we emit).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectMeta {
    /// Object name (DNS-1123 subdomain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Name prefix; the API server appends a random suffix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
    /// Namespace of the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: StringMap,
    /// Annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: StringMap,
}

/// Labels and annotations (Argo `Metadata`, used on templates and as `spec.workflowMetadata`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Metadata {
    /// Labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: StringMap,
    /// Annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: StringMap,
}

/// `spec.workflowMetadata` (labels and annotations added to the Workflow object itself).
pub type WorkflowMetadata = Metadata;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::PATTERNS_1_4;

    #[test]
    fn patterns_fixture_parses_and_round_trips() {
        let wf: Workflow = serde_yaml::from_str(PATTERNS_1_4).expect("fixture parses");
        assert_eq!(wf.kind, "Workflow");
        assert_eq!(wf.spec.templates.len(), 7);
        let train = &wf.spec.templates[1];
        let retry = train.retry_strategy.as_ref().expect("retry");
        assert_eq!(retry.limit.as_deref(), Some("2"));
        // Structural round trip: serialize and compare with the original as generic JSON.
        let original: serde_json::Value = serde_yaml::from_str(PATTERNS_1_4).expect("yaml");
        let ours = serde_json::to_value(&wf).expect("json");
        assert_eq!(ours, original);
    }

    #[test]
    fn bare_numbers_are_read_as_strings() {
        let y = "name: t\nretryStrategy: {limit: 3, backoff: {duration: 10, factor: 2}}\n\
                 container: {image: x, resources: {limits: {cpu: 1, memory: 1Gi}}}\n";
        let t: Template = serde_yaml::from_str(y).expect("template");
        let r = t.retry_strategy.expect("retry");
        assert_eq!(r.limit.as_deref(), Some("3"));
        assert_eq!(r.backoff.and_then(|b| b.duration).as_deref(), Some("10"));
        let res = t.container.and_then(|c| c.resources).expect("resources");
        assert_eq!(res.limits.get("cpu").map(String::as_str), Some("1"));
    }

    #[test]
    fn defaults_have_api_version_and_kind() {
        let wf = Workflow::default();
        assert_eq!(wf.api_version, API_VERSION);
        assert_eq!(wf.kind, "Workflow");
        assert_eq!(WorkflowTemplate::default().kind, "WorkflowTemplate");
        assert_eq!(CronWorkflow::default().kind, "CronWorkflow");
    }
}
