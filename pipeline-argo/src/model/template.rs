//! Templates, their inputs/outputs, retries and memoization.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::lenient;
use super::{
    ArtifactGC, ConfigMapKeySelector, Container, DagTask, DagTemplate, IntOrString, Metadata,
    PodSecurityContext, SecretKeySelector, StringMap, Toleration,
};

/// One Argo template. Exactly one of `container` / `script` / `dag` / `steps` is set (or a
/// kind kept in [`Template::other`], which the local runner refuses).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Template {
    /// Template name (`^[a-zA-Z0-9][-a-zA-Z0-9]*$`, at most 128 characters).
    pub name: String,
    /// Labels and annotations of the template's pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Declared input parameters and artifacts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
    /// Declared output parameters and artifacts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Outputs>,
    /// Node selector of the pod.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: StringMap,
    /// Tolerations of the pod.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Pod security context (replaces `spec.securityContext`, not merged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Retries. Never emit an empty one (`{}` retries forever).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_strategy: Option<RetryStrategy>,
    /// Timeout of a leaf template (Go duration, e.g. `30m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Deadline of a leaf template in seconds (IntOrString).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub active_deadline_seconds: Option<IntOrString>,
    /// Output caching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memoize: Option<Memoize>,
    /// Maximum number of concurrently running children (DAG templates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i64>,
    /// Stop scheduling new children after a failure (DAG templates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_fast: Option<bool>,
    /// Container template body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// DAG template body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dag: Option<DagTemplate>,
    /// Steps template body: groups run one after another, the steps of a group in parallel.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Vec<DagTask>>,
    /// Script template body: a container whose `source` is run by its `command`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<Script>,
    /// Fields this model does not describe (`resource`, `sidecars`, `daemon`, ...), as written.
    #[serde(flatten, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl Template {
    /// The container a pod of this template runs: `container`, or `script`'s.
    pub fn main_container(&self) -> Option<&Container> {
        self.container
            .as_ref()
            .or(self.script.as_ref().map(|s| &s.container))
    }
}

/// A script template: a container plus the program text its `command` runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Script {
    /// Image, command, env, ... (`args` follow the script file).
    #[serde(flatten)]
    pub container: Container,
    /// The program, written to a file passed to `command`.
    pub source: String,
}

/// Inputs of a template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Inputs {
    /// Input parameters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// Input artifacts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
}

/// Outputs of a template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Outputs {
    /// Output parameters (usually `valueFrom.path`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// Output artifacts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
}

/// Arguments passed to a template (DAG task) or to the workflow (`spec.arguments`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Arguments {
    /// Parameter values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// Artifact sources (`from`, or a location).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
}

/// A parameter: an input/output declaration or an argument value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Parameter {
    /// Parameter name (`^[-a-zA-Z0-9_]+$`).
    pub name: String,
    /// Value (always a string; may contain `{{...}}`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub value: Option<String>,
    /// Default used when no value is supplied.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub default: Option<String>,
    /// Allowed values.
    #[serde(rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_: Vec<String>,
    /// Human description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where an output parameter's value comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<ValueFrom>,
    /// Exports an output as `{{workflow.outputs.parameters.<globalName>}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_name: Option<String>,
}

/// Source of a parameter value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ValueFrom {
    /// File in the container whose content is the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Another parameter (`{{...}}`), for DAG template outputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// An expr expression, for DAG template outputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// A ConfigMap key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map_key_ref: Option<ConfigMapKeySelector>,
    /// Value used when the source is missing (also for skipped producers).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub default: Option<String>,
}

/// An artifact: an input/output declaration or an argument.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Artifact {
    /// Artifact name (`^[-a-zA-Z0-9_]+$`).
    pub name: String,
    /// Path in the container where it is read from / written to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Another artifact, e.g. `{{tasks.train.outputs.artifacts.model}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// An expr expression selecting an artifact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_expression: Option<String>,
    /// A file or directory inside the artifact (`from` a directory artifact), used instead of
    /// the whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
    /// A missing artifact is not an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// File mode of the extracted artifact (e.g. `0o644` = 420).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<i32>,
    /// How the artifact is packed (`none: {}` or `tar`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveStrategy>,
    /// S3 location (often only `key`; the rest comes from the artifact repository).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3: Option<S3Artifact>,
    /// HTTP(S) location (input only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpArtifact>,
    /// Inline content (input only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawArtifact>,
    /// Per-artifact garbage collection.
    #[serde(rename = "artifactGC", skip_serializing_if = "Option::is_none")]
    pub artifact_gc: Option<ArtifactGC>,
    /// Exports an output as `{{workflow.outputs.artifacts.<globalName>}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_name: Option<String>,
}

impl Artifact {
    /// True when the artifact names a location of its own (`s3`, `http` or `raw`).
    pub fn has_location(&self) -> bool {
        self.s3.is_some() || self.http.is_some() || self.raw.is_some()
    }
}

/// How an artifact is archived.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ArchiveStrategy {
    /// Store as is (`none: {}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub none: Option<NoneStrategy>,
    /// Store as a gzipped tarball (the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tar: Option<TarStrategy>,
}

/// `archive: {none: {}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NoneStrategy {}

/// `archive: {tar: {...}}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TarStrategy {
    /// gzip level (0 = no compression).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression_level: Option<i32>,
}

/// An S3 artifact location. Credentials are Secret references only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct S3Artifact {
    /// Object key (or prefix ending in `/` for a directory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Bucket (omit to use the artifact repository's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// Endpoint `host:port` (omit to use the artifact repository's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Use plain HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Secret holding the access key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_secret: Option<SecretKeySelector>,
    /// Secret holding the secret key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key_secret: Option<SecretKeySelector>,
}

/// An HTTP(S) artifact location.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpArtifact {
    /// URL to download.
    pub url: String,
}

/// An inline artifact.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawArtifact {
    /// File content.
    pub data: String,
}

/// Retry policy of a template. Numbers are strings on purpose (`limit: '2'`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RetryStrategy {
    /// Retries after the first attempt (integer string or `{{...}}`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub limit: Option<IntOrString>,
    /// `Always`, `OnFailure`, `OnError` or `OnTransientError`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_policy: Option<String>,
    /// Wait between attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff: Option<Backoff>,
    /// expr over `lastRetry.*`; retry only when true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

/// Backoff between retries. `duration` is required when a backoff is set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Backoff {
    /// Base wait: integer seconds or Go duration (`30s`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub duration: Option<String>,
    /// Integer multiplier per attempt (string).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub factor: Option<IntOrString>,
    /// Give up after this long since the first attempt.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub max_duration: Option<String>,
    /// Upper bound of a single wait.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub cap: Option<String>,
}

/// Output caching of a template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Memoize {
    /// Cache key (`^[a-zA-Z0-9][-a-zA-Z0-9]*$` after substitution).
    pub key: String,
    /// Go duration; always written (required by the schema), `""` means no expiry.
    pub max_age: String,
    /// Where the cache lives.
    pub cache: Cache,
}

/// A memoization cache.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Cache {
    /// The ConfigMap holding the cache (name only).
    pub config_map: LocalObjectReference,
}

/// A reference to an object in the same namespace, by name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LocalObjectReference {
    /// Object name.
    pub name: String,
}
