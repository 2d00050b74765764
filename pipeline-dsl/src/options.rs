//! Per-component and per-task execution options: image, resources, retries, timeout, scheduling,
//! environment, secrets and caching.

use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Argo's `retryPolicy` (from `argo-lang`, so the macro, the validator and the runner read the
/// same names).
pub use crate::argo::lang::retry::RetryPolicy;

/// Execution options of a component (from `#[component(...)]`) or of one task (from the
/// [`Task`](crate::pipeline::Task) builder methods, which override the component's).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[non_exhaustive]
pub struct TaskOptions {
    /// Container image; the pipeline's image when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// CPU/memory/GPU requests and limits.
    pub resources: Resources,
    /// Retries after the first attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Timeout of one attempt, a Go duration such as `10m`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Plain environment variables.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Environment variables read from Kubernetes Secrets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secret_env: Vec<SecretEnv>,
    /// Node selector labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// Tolerations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
    /// Memoize successful results in Argo for this long (a Go duration such as `720h`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    /// Never reuse a result (`#[component(cache = false)]`, [`Task::never_cache`]): the local
    /// runner runs the step every time and records no cache entry for it, and Argo does not
    /// memoize it. For steps with side effects (logging a run, publishing, notifying).
    ///
    /// [`Task::never_cache`]: crate::pipeline::Task::never_cache
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub never_cache: bool,
}

/// CPU, memory and GPU requests and limits, as Kubernetes quantities (`500m`, `512Mi`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Resources {
    /// CPU request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<String>,
    /// Memory request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// CPU limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_limit: Option<String>,
    /// Memory limit (defaults to the request when only the request is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<String>,
    /// `nvidia.com/gpu` count (request = limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<u32>,
}

/// Retry policy of a task.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Retry {
    /// Retries after the first attempt.
    pub limit: u32,
    /// Which failures are retried.
    #[serde(serialize_with = "policy_name")]
    pub policy: RetryPolicy,
    /// Wait before retry `n`: `backoff * factor^(n-1)`, a Go duration such as `10s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff: Option<String>,
    /// Backoff multiplier (an integer, as Argo requires).
    pub factor: u32,
    /// Give up retrying this long after the first attempt started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_duration: Option<String>,
    /// Argo's `retryStrategy.expression` (expr over `lastRetry.exitCode`, `lastRetry.status`,
    /// `lastRetry.duration`, `lastRetry.message`, `retries`; all strings): a retry also needs it
    /// to be true. Defaults to [`Retry::NOT_RETRYABLE`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
}

fn policy_name<S: Serializer>(policy: &RetryPolicy, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(policy.as_str())
}

impl Retry {
    /// Exit code with which a component reports an error no retry can fix (a bad parameter or
    /// input); see [`Retry::NOT_RETRYABLE`].
    pub const NOT_RETRYABLE_EXIT_CODE: i32 = 2;

    /// The default `expression`: retry anything but exit code 2. An attempt without an exit code
    /// (an Error: pod deleted, evicted, artifact upload failed) has `lastRetry.exitCode` `-1`
    /// (`buildRetryStrategyLocalScope`, argo `workflow/controller/operator.go`) and is retried
    /// when the policy allows it. A string comparison, so no value can make it fail to evaluate.
    pub const NOT_RETRYABLE: &'static str = "lastRetry.exitCode != '2'";

    /// `limit` retries of failed attempts, without backoff, except of attempts that exited with
    /// [`Retry::NOT_RETRYABLE_EXIT_CODE`].
    pub fn new(limit: u32) -> Self {
        Retry {
            limit,
            policy: RetryPolicy::OnFailure,
            backoff: None,
            factor: 2,
            max_duration: None,
            expression: Some(Self::NOT_RETRYABLE.into()),
        }
    }
    /// Sets the `expression` (`None`: the policy alone decides, whatever the exit code).
    pub fn expression(mut self, expression: Option<&str>) -> Self {
        self.expression = expression.map(str::to_owned);
        self
    }
    /// Waits `duration` before the first retry, doubling each time.
    pub fn backoff(mut self, duration: &str) -> Self {
        self.backoff = Some(duration.into());
        self
    }
    /// Sets the backoff multiplier.
    pub fn factor(mut self, factor: u32) -> Self {
        self.factor = factor;
        self
    }
    /// Sets which failures are retried.
    pub fn policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }
    /// Stops retrying after this long.
    pub fn max_duration(mut self, duration: &str) -> Self {
        self.max_duration = Some(duration.into());
        self
    }
}

/// An environment variable taken from a key of a Kubernetes Secret; the manifest only names the
/// Secret, it never holds the value.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[non_exhaustive]
pub struct SecretEnv {
    /// Variable name.
    pub name: String,
    /// Secret name.
    pub secret: String,
    /// Key in the Secret.
    pub key: String,
    /// The pod starts even when the Secret or key does not exist (the variable is then unset).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
}

/// A Kubernetes toleration.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[non_exhaustive]
pub struct Toleration {
    /// Taint key.
    pub key: String,
    /// `Equal` or `Exists`.
    pub operator: String,
    /// Taint value (for `Equal`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<String>,
}

impl TaskOptions {
    /// These options with every field set in `over` replacing ours.
    pub fn overridden_by(&self, over: &TaskOptions) -> TaskOptions {
        let r = &over.resources;
        let mine = &self.resources;
        TaskOptions {
            image: over.image.clone().or_else(|| self.image.clone()),
            resources: Resources {
                cpu: r.cpu.clone().or_else(|| mine.cpu.clone()),
                memory: r.memory.clone().or_else(|| mine.memory.clone()),
                cpu_limit: r.cpu_limit.clone().or_else(|| mine.cpu_limit.clone()),
                memory_limit: r.memory_limit.clone().or_else(|| mine.memory_limit.clone()),
                gpu: r.gpu.or(mine.gpu),
            },
            retry: over.retry.clone().or_else(|| self.retry.clone()),
            timeout: over.timeout.clone().or_else(|| self.timeout.clone()),
            env: self
                .env
                .iter()
                .chain(&over.env)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            secret_env: merge_by(&self.secret_env, &over.secret_env, |s| s.name.clone()),
            node_selector: self
                .node_selector
                .iter()
                .chain(&over.node_selector)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            tolerations: merge_by(&self.tolerations, &over.tolerations, |t| t.key.clone()),
            cache: over.cache.clone().or_else(|| self.cache.clone()),
            never_cache: over.never_cache || self.never_cache,
        }
    }
}

fn merge_by<T: Clone>(base: &[T], over: &[T], key: impl Fn(&T) -> String) -> Vec<T> {
    let mut out: Vec<T> = base
        .iter()
        .filter(|b| !over.iter().any(|o| key(o) == key(b)))
        .cloned()
        .collect();
    out.extend(over.iter().cloned());
    out
}
