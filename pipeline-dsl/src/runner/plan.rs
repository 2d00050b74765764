//! Checking a DAG before it runs: templates exist and are containers, `depends` parses and
//! names known tasks, no cycles.

use std::collections::BTreeSet;

use super::context::Ctx;
use super::depends::Depends;
use super::RunnerError;
use crate::argo::{DagTask, Template};

/// One DAG to run: its template (for `parallelism`/`failFast`) and its tasks with their parsed
/// `depends`.
pub(crate) struct DagPlan<'w> {
    /// The DAG template (or the container template run as a one-task DAG).
    pub template: &'w Template,
    /// The tasks.
    pub tasks: Vec<DagTask>,
    /// Parsed `depends`/`dependencies` of each task.
    pub depends: Vec<Depends>,
}

impl<'w> Ctx<'w> {
    /// The DAG `name` names (a container template becomes a one-task DAG), checked.
    pub(crate) fn plan(&self, name: &str, role: &str) -> Result<DagPlan<'w>, RunnerError> {
        let invalid = |m: String| RunnerError::InvalidWorkflow(format!("{role} `{name}`: {m}"));
        let template = *self
            .templates
            .get(name)
            .ok_or_else(|| invalid("no such template".into()))?;
        let tasks = match (&template.dag, &template.container) {
            (Some(dag), _) => dag.tasks.clone(),
            (None, Some(_)) => vec![DagTask {
                name: name.into(),
                template: name.into(),
                ..Default::default()
            }],
            (None, None) => {
                return Err(invalid("is neither a DAG nor a container template".into()))
            }
        };
        let names: BTreeSet<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
        if names.len() != tasks.len() {
            return Err(invalid("two tasks share a name".into()));
        }
        let mut depends = Vec::new();
        for task in &tasks {
            let called = self.templates.get(task.template.as_str()).ok_or_else(|| {
                invalid(format!(
                    "task `{}` calls unknown template `{}`",
                    task.name, task.template
                ))
            })?;
            if called.container.is_none() {
                return Err(invalid(format!(
                    "task `{}` calls `{}`, which is not a container template (nested DAGs are not supported by the local runner)",
                    task.name, task.template
                )));
            }
            let dep = match (&task.depends, task.dependencies.is_empty()) {
                (Some(_), false) => {
                    return Err(invalid(format!(
                        "task `{}` sets both depends and dependencies",
                        task.name
                    )))
                }
                (Some(expr), true) => Depends::parse(expr)
                    .map_err(|e| invalid(format!("task `{}`: {e}", task.name)))?,
                (None, _) => Depends::all(&task.dependencies),
            };
            if let Some(unknown) = dep
                .tasks()
                .into_iter()
                .find(|t| !names.contains(t.as_str()))
            {
                return Err(invalid(format!(
                    "task `{}` depends on unknown task `{unknown}`",
                    task.name
                )));
            }
            depends.push(dep);
        }
        // Bare names in `depends` and the `dependencies` list widen to the dependency's
        // `continueOn`, as Argo expands them (`workflow/common/ancestry.go`).
        let continues = |name: &str| {
            tasks
                .iter()
                .find(|t| t.name == name)
                .and_then(|t| t.continue_on.as_ref())
                .map_or((false, false), |c| (c.error, c.failed))
        };
        let depends: Vec<Depends> = depends.into_iter().map(|d| d.expand(&continues)).collect();
        check_acyclic(&tasks, &depends).map_err(invalid)?;
        Ok(DagPlan {
            template,
            tasks,
            depends,
        })
    }
}

fn check_acyclic(tasks: &[DagTask], depends: &[Depends]) -> Result<(), String> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    while done.len() < tasks.len() {
        let before = done.len();
        for (task, dep) in tasks.iter().zip(depends) {
            if !done.contains(task.name.as_str())
                && dep.tasks().iter().all(|t| done.contains(t.as_str()))
            {
                done.insert(&task.name);
            }
        }
        if done.len() == before {
            let stuck: Vec<&str> = tasks
                .iter()
                .map(|t| t.name.as_str())
                .filter(|n| !done.contains(n))
                .collect();
            return Err(format!("dependency cycle among tasks {}", stuck.join(", ")));
        }
    }
    Ok(())
}
