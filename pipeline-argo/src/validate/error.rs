//! Validation errors: where ([`ValidationError::location`]) and what ([`ErrorKind`]).

use std::fmt;

/// What is wrong. The message names the offending value; the location is in [`ValidationError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `metadata.name` / `metadata.generateName` / `metadata.namespace` is not a valid name.
    #[error("{field} {value:?} is invalid: {reason}")]
    InvalidObjectName {
        /// The metadata field.
        field: &'static str,
        /// Its value.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// Neither `metadata.name` nor `metadata.generateName` is set.
    #[error("{0}")]
    MissingObjectName(&'static str),
    /// A label key/value or annotation key is invalid.
    #[error("{what} {value:?} is invalid: {reason}")]
    InvalidLabel {
        /// `label key`, `label value` or `annotation key`.
        what: &'static str,
        /// The offending text.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A template, task, parameter, artifact or volume name does not match Argo's rules.
    #[error("{what} name {name:?} is invalid: {reason}")]
    InvalidName {
        /// What kind of name (`template`, `task`, `parameter`, ...).
        what: &'static str,
        /// The name.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A name is empty.
    #[error("a {0} has an empty name")]
    EmptyName(&'static str),
    /// A name appears twice where names must be unique.
    #[error("{what} name {name:?} is not unique")]
    DuplicateName {
        /// What kind of name.
        what: &'static str,
        /// The duplicated name.
        name: String,
    },
    /// Too many items in a list the CRD bounds.
    #[error("has {count} {what}, more than the {max} the CRD allows")]
    TooMany {
        /// What is counted.
        what: &'static str,
        /// How many there are.
        count: usize,
        /// The maximum.
        max: usize,
    },
    /// `spec.entrypoint` is missing.
    #[error("spec.entrypoint is required")]
    MissingEntrypoint,
    /// A reference to a template that does not exist.
    #[error("{field} refers to unknown template {name:?}")]
    UnknownTemplate {
        /// The referencing field (`spec.entrypoint`, `spec.onExit`, `template`).
        field: &'static str,
        /// The missing template.
        name: String,
    },
    /// A template sets no template type.
    #[error("template type unspecified: set exactly one of container, dag")]
    NoTemplateType,
    /// A template sets more than one template type.
    #[error("multiple template types specified ({0}): set exactly one of container, dag")]
    MultipleTemplateTypes(String),
    /// A field only valid on leaf (container) templates is set on a DAG template.
    #[error("{0} is only valid for leaf (container) templates, not for DAG templates")]
    LeafOnlyField(&'static str),
    /// A field only valid on DAG templates is set on a container template.
    #[error("{0} is only valid for DAG templates")]
    DagOnlyField(&'static str),
    /// A container template without an image.
    #[error("container.image may not be empty")]
    EmptyImage,
    /// A DAG without tasks.
    #[error("dag must have at least one task")]
    EmptyDag,
    /// Both `depends` and `dependencies` are used in one DAG.
    #[error("cannot use both 'depends' and 'dependencies' in the same DAG (task {task:?} uses 'dependencies')")]
    DependsAndDependencies {
        /// A task using `dependencies`.
        task: String,
    },
    /// `continueOn` with `depends`.
    #[error("cannot use 'continueOn' when the DAG uses 'depends'; use '<task>.Failed' / '<task>.Errored' instead")]
    ContinueOnWithDepends,
    /// A task name starting with a digit in a DAG that uses dependencies.
    #[error("task name {0:?} cannot begin with a digit when using 'depends' or 'dependencies'")]
    TaskNameStartsWithDigit(String),
    /// `depends` cannot be parsed.
    #[error("depends {expr:?} is malformed: {reason}")]
    MalformedDepends {
        /// The expression.
        expr: String,
        /// What is wrong.
        reason: String,
    },
    /// A dependency on a task that does not exist.
    #[error("depends on unknown task {0:?}")]
    UnknownDependency(String),
    /// A task depends on itself.
    #[error("depends on itself")]
    SelfDependency,
    /// An unknown task result such as `a.Finished`.
    #[error("task result '{result}' for task {task:?} is invalid (use Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded, AllFailed)")]
    InvalidTaskResult {
        /// The task.
        task: String,
        /// The result.
        result: String,
    },
    /// `.AnySucceeded` / `.AllFailed` on a task without items.
    #[error("dependency {task:?} uses the items-based condition .{result} but does not loop (withItems/withParam/withSequence)")]
    ItemsResultWithoutLoop {
        /// The dependency.
        task: String,
        /// The result used.
        result: String,
    },
    /// A dependency cycle.
    #[error("dependency cycle: {}", .0.join(" -> "))]
    DependencyCycle(Vec<String>),
    /// A `dag.target` names an unknown task.
    #[error("target {0:?} is not a task of this DAG")]
    UnknownTarget(String),
    /// More than one of withItems/withParam/withSequence.
    #[error("only one of withItems, withParam, withSequence can be specified")]
    MultipleLoops,
    /// `withSequence` with both or neither of count and end.
    #[error("withSequence: {0}")]
    InvalidSequence(&'static str),
    /// A `withSequence` number that is neither an integer nor a `{{...}}` tag.
    #[error("withSequence.{field} {value:?} must be an integer or a {{{{...}}}} tag")]
    InvalidSequenceNumber {
        /// `count`, `start` or `end`.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A required input parameter is not supplied.
    #[error("does not supply input parameter {param:?} of template {template:?} (it has no value or default)")]
    MissingArgument {
        /// The parameter.
        param: String,
        /// The called template.
        template: String,
    },
    /// A required input artifact is not supplied.
    #[error("does not supply input artifact {artifact:?} of template {template:?} (it has no location and is not optional)")]
    MissingArtifactArgument {
        /// The artifact.
        artifact: String,
        /// The called template.
        template: String,
    },
    /// An argument the called template does not declare.
    #[error("passes {what} {name:?} that template {template:?} does not declare as an input")]
    UnknownArgument {
        /// `parameter` or `artifact`.
        what: &'static str,
        /// The argument name.
        name: String,
        /// The called template.
        template: String,
    },
    /// An argument parameter without `value` or `valueFrom`.
    #[error("argument parameter {0:?} needs a value or valueFrom")]
    ArgumentWithoutValue(String),
    /// An argument parameter with an unsupported `valueFrom`.
    #[error(
        "argument parameter {0:?}: valueFrom only allows default, configMapKeyRef and supplied"
    )]
    InvalidArgumentValueFrom(String),
    /// A parameter value outside its enum.
    #[error("parameter {name:?} value {value:?} is not in its enum {allowed:?}")]
    ValueNotInEnum {
        /// The parameter.
        name: String,
        /// Its value.
        value: String,
        /// The allowed values.
        allowed: Vec<String>,
    },
    /// An argument artifact without a source.
    #[error("argument artifact {0:?} needs from, fromExpression, or a location (s3/http/raw)")]
    ArtifactWithoutSource(String),
    /// Both `from` and `fromExpression`.
    #[error("artifact {0:?} has both from and fromExpression")]
    FromAndFromExpression(String),
    /// `from` on an input artifact.
    #[error("input artifact {0:?}: from is not valid in inputs (pass it as a task argument)")]
    FromInInputs(String),
    /// An artifact path where it is not allowed or missing where required.
    #[error("{what} artifact {name:?}: {reason}")]
    ArtifactPath {
        /// `input` or `output`.
        what: &'static str,
        /// The artifact.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An artifact sets more than one location.
    #[error("artifact {0:?} sets more than one location (s3, http, raw)")]
    MultipleLocations(String),
    /// An output parameter without a usable source.
    #[error("output parameter {name:?}: {reason}")]
    InvalidOutputParameter {
        /// The parameter.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A PATTERNS.md §1.1 violation: an artifact taken from a looped task.
    #[error("artifact {artifact:?} takes {from:?}, but task {task:?} loops (withItems/withParam/withSequence) and Argo does not aggregate looped artifacts; use key-only artifacts under a shared prefix or a static unroll")]
    LoopedArtifactFrom {
        /// The consuming artifact.
        artifact: String,
        /// The `from` text.
        from: String,
        /// The looped producer task.
        task: String,
    },
    /// A `{{` without a closing `}}`.
    #[error("{field}: unclosed '{{{{' in {text:?}")]
    UnclosedTag {
        /// Where the text is.
        field: String,
        /// The text.
        text: String,
    },
    /// A `{{...}}` variable that is not in scope.
    #[error("{field}: cannot resolve {{{{{tag}}}}}: {reason}")]
    UnresolvedVariable {
        /// Where the tag is.
        field: String,
        /// The tag content.
        tag: String,
        /// Why it is not in scope.
        reason: String,
    },
    /// An expression (a `{{=...}}` tag in `when`, or `retryStrategy.expression`) outside the
    /// expr subset the compiler emits and the local runner evaluates, or reading variables the
    /// field does not see.
    #[error("{field} expression `{expression}`: {reason}")]
    BadExpression {
        /// The field.
        field: &'static str,
        /// The expression.
        expression: String,
        /// What is wrong.
        reason: String,
    },
    /// An invalid retryPolicy.
    #[error("retryStrategy.retryPolicy {0:?} is invalid (use Always, OnFailure, OnError, OnTransientError)")]
    InvalidRetryPolicy(String),
    /// An empty retryStrategy or one without a bound.
    #[error("retryStrategy {0}")]
    UnboundedRetry(&'static str),
    /// A value that must be an integer (or `{{...}}`).
    #[error("{field} {value:?} must be an integer or a {{{{...}}}} tag")]
    NotAnInteger {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A negative number where a positive one is required.
    #[error("{field} {value:?} must not be negative")]
    Negative {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A `backoff` without `duration`.
    #[error("retryStrategy.backoff needs a duration (Argo fails at runtime with \"no base duration specified\")")]
    BackoffWithoutDuration,
    /// An invalid duration.
    #[error("{field} {value:?} is not a valid {expected}")]
    InvalidDuration {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// A memoize key whose fixed text breaks the cache key regex.
    #[error("memoize.key {0:?} must match ^[a-zA-Z0-9][-a-zA-Z0-9]*$ after substitution (hash raw values with {{{{=sprig.sha256sum(...)}}}})")]
    InvalidMemoizeKey(String),
    /// A memoize cache without a ConfigMap name.
    #[error("memoize.cache.configMap.name is required")]
    MissingCacheName,
    /// An invalid Kubernetes quantity.
    #[error("{field} {value:?} is not a valid Kubernetes quantity (e.g. 500m, 1.5, 512Mi, 2G)")]
    InvalidQuantity {
        /// The field.
        field: String,
        /// The value.
        value: String,
    },
    /// A value outside a fixed set.
    #[error("{field} {value:?} is invalid (use one of {allowed})")]
    NotInSet {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
        /// The allowed values.
        allowed: &'static str,
    },
    /// A volume mount naming an undeclared volume.
    #[error("volumeMount {0:?} refers to a volume not declared in spec.volumes")]
    UnknownVolume(String),
    /// Two mounts (or a mount and an input artifact) at the same path.
    #[error("path {path:?} is already used by {previous}")]
    PathCollision {
        /// The path.
        path: String,
        /// What else uses it.
        previous: String,
    },
    /// An env var with both value and valueFrom.
    #[error("env {0:?} sets both value and valueFrom")]
    EnvValueAndValueFrom(String),
    /// A CronWorkflow schedule problem.
    #[error("{0}")]
    InvalidSchedule(String),
}

/// One validation error: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct ValidationError {
    /// Where, e.g. `template "train": task "fold"` or `spec.arguments`.
    pub location: String,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// All errors found in one document, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidationErrors {
    /// The errors.
    pub errors: Vec<ValidationError>,
}

impl ValidationErrors {
    /// Number of errors.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// True when there is no error.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Iterates over the errors.
    pub fn iter(&self) -> std::slice::Iter<'_, ValidationError> {
        self.errors.iter()
    }

    /// `Ok(())` when empty, else `Err(self)`.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    pub(crate) fn push(&mut self, location: impl Into<String>, kind: ErrorKind) {
        self.errors.push(ValidationError {
            location: location.into(),
            kind,
        });
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "{n} Argo validation error{}",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationError;
    type IntoIter = std::slice::Iter<'a, ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

/// Location text of a template.
pub(crate) fn at_template(t: &str) -> String {
    format!("template {t:?}")
}

/// Location text of a DAG task.
pub(crate) fn at_task(t: &str, task: &str) -> String {
    format!("template {t:?}: task {task:?}")
}
