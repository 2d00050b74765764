//! DAG template bodies and tasks.

use serde::{Deserialize, Serialize};

use super::lenient::{self, is_false};
use super::{Arguments, IntOrString, Item};

/// Body of a DAG template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DagTemplate {
    /// Tasks (1..=200).
    pub tasks: Vec<DagTask>,
    /// Stop scheduling after the first failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_fast: Option<bool>,
    /// Space-separated task names to run (default: all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// One task of a DAG.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DagTask {
    /// Task name (`^[a-zA-Z0-9][-a-zA-Z0-9]*$`, not starting with a digit).
    pub name: String,
    /// Name of the template to run.
    pub template: String,
    /// Enhanced dependency expression, e.g. `evaluate.Succeeded && b`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depends: Option<String>,
    /// Plain dependency list (do not combine with `depends`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Condition (govaluate after `{{...}}` substitution).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Fan out over these items (`{{item}}`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with_items: Vec<Item>,
    /// Fan out over a JSON list given as a `{{...}}` expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_param: Option<String>,
    /// Fan out over a number sequence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_sequence: Option<Sequence>,
    /// Arguments passed to the template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Arguments>,
    /// Continue the DAG when this task fails/errors (not with `depends`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continue_on: Option<ContinueOn>,
    /// Fields this model does not describe (`hooks`, `onExit`, `templateRef`, ...), as written.
    #[serde(flatten, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub other: std::collections::BTreeMap<String, serde_json::Value>,
}

impl DagTask {
    /// True when the task fans out (`withItems`, `withParam` or `withSequence`).
    pub fn is_looped(&self) -> bool {
        !self.with_items.is_empty() || self.with_param.is_some() || self.with_sequence.is_some()
    }
}

/// `withSequence`: `count` or `start`..`end` (strings, may be `{{...}}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Sequence {
    /// Number of items (starting at `start`, default 0).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub count: Option<IntOrString>,
    /// First number.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub start: Option<IntOrString>,
    /// Last number (inclusive).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient::opt_string"
    )]
    pub end: Option<IntOrString>,
    /// printf format of each item, e.g. `fold-%02d`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// Continue on failure/error of a task.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContinueOn {
    /// Continue when the task errors.
    #[serde(skip_serializing_if = "is_false")]
    pub error: bool,
    /// Continue when the task fails.
    #[serde(skip_serializing_if = "is_false")]
    pub failed: bool,
}
