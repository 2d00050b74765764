//! The pipeline graph the builder records and the compiler reads.

use crate::component::ComponentSpec;
use crate::options::TaskOptions;
use crate::param::ValueSource;
use crate::pipeline::Condition;
use crate::refs::{ArtifactSource, TaskId};

/// A pipeline parameter with its default.
#[derive(Debug, Clone)]
pub(crate) struct PipelineParam {
    pub name: String,
    pub default: serde_json::Value,
    pub description: String,
    pub schema: serde_json::Value,
    pub ty: crate::param::ParamType,
}

/// One task as recorded by the builder.
#[derive(Debug, Clone)]
pub(crate) struct TaskNode {
    pub name: String,
    pub spec: ComponentSpec,
    pub artifacts: Vec<(&'static str, ArtifactSource)>,
    pub params: Vec<(&'static str, ValueSource)>,
    pub after: Vec<TaskId>,
    pub when: Option<Condition>,
    pub options: TaskOptions,
    pub items: Option<Vec<serde_json::Value>>,
    pub on_exit: bool,
}

/// Pipeline-wide settings and the recorded tasks.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    pub name: String,
    pub description: String,
    pub image: String,
    pub command: Vec<String>,
    pub params: Vec<PipelineParam>,
    pub tasks: Vec<TaskNode>,
    pub artifact_repository: Option<(String, String)>,
    pub service_account: Option<String>,
    pub parallelism: Option<u32>,
    pub labels: Vec<(String, String)>,
    pub settings: super::Settings,
    /// Every task name in use, and the next numeric suffix to try per base name, so naming a
    /// new task stays O(1) however large the pipeline.
    pub names: std::collections::HashMap<String, usize>,
}

impl Graph {
    /// A task name not used yet: `base`, else `base-2`, `base-3`, ...
    pub fn unique_name(&mut self, base: &str) -> String {
        let mut suffix = self.names.get(base).copied().unwrap_or(1);
        let mut name = base.to_owned();
        while self.names.contains_key(&name) {
            suffix += 1;
            name = format!("{base}-{suffix}");
        }
        self.names.insert(base.to_owned(), suffix.max(1));
        self.names.entry(name.clone()).or_insert(1);
        name
    }
}
