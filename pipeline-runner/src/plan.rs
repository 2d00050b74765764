//! Checking a DAG or steps template before it runs: templates exist, `depends` parses and
//! names known tasks, no cycles. A `steps` template becomes a DAG whose steps depend on every
//! step of the group before (Argo runs a group once the previous one succeeded,
//! `workflow/controller/steps.go` lines 116-127).

use std::collections::BTreeSet;

use super::context::Ctx;
use super::RunnerError;
use crate::argo::lang::depends::{Depends, TASK_RESULTS};
use crate::argo::{DagTask, Template};

/// What kind of template a plan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A `dag` template (or a leaf template run as a one-task DAG): `{{tasks.T...}}`.
    Dag,
    /// A `steps` template: `{{steps.S...}}`.
    Steps,
}

/// One DAG to run: its template (for `parallelism`/`failFast`) and its tasks with their parsed
/// `depends`.
pub(crate) struct DagPlan<'w> {
    /// DAG or steps.
    pub kind: Kind,
    /// The DAG template (or the container template run as a one-task DAG).
    pub template: &'w Template,
    /// The tasks.
    pub tasks: Vec<DagTask>,
    /// Parsed `depends`/`dependencies` of each task.
    pub depends: Vec<Depends>,
    /// The group of each step of a steps template (0 for a DAG's tasks): its node is
    /// `<boundary>[group].<step>` (`workflow/controller/steps.go` lines 75 and 272).
    pub groups: Vec<usize>,
    /// Each task's exit hook, as the task it runs as (`<task>.onExit`), see
    /// [`super::hooks::task_exit`].
    pub exit_hooks: Vec<Option<DagTask>>,
}

impl<'w> Ctx<'w> {
    /// The DAG `name` names (a leaf template becomes a one-task DAG), checked.
    pub(crate) fn plan(&self, name: &str, role: &str) -> Result<DagPlan<'w>, RunnerError> {
        let template = *self.templates.get(name).ok_or_else(|| {
            RunnerError::InvalidWorkflow(format!("{role} `{name}`: no such template"))
        })?;
        self.plan_template(template, role)
    }

    /// The plan of `template` (a DAG, steps or leaf template), checked.
    pub(crate) fn plan_template(
        &self,
        template: &'w Template,
        role: &str,
    ) -> Result<DagPlan<'w>, RunnerError> {
        let name = template.name.as_str();
        let invalid = |m: String| RunnerError::InvalidWorkflow(format!("{role} `{name}`: {m}"));
        let (tasks, kind, groups) = if let Some(dag) = &template.dag {
            (dag.tasks.clone(), Kind::Dag, vec![0; dag.tasks.len()])
        } else if !template.steps.is_empty() {
            let groups = (template.steps.iter().enumerate())
                .flat_map(|(g, group)| std::iter::repeat_n(g, group.len()))
                .collect();
            (steps_as_tasks(&template.steps), Kind::Steps, groups)
        } else if template.main_container().is_some() {
            let task = DagTask {
                name: name.into(),
                template: name.into(),
                ..Default::default()
            };
            (vec![task], Kind::Dag, vec![0])
        } else {
            return Err(invalid(
                "is not a DAG, steps, container or script template".into(),
            ));
        };
        let names: BTreeSet<&str> = tasks.iter().map(|t| t.name.as_str()).collect();
        if names.len() != tasks.len() {
            return Err(invalid("two tasks share a name".into()));
        }
        let mut depends = Vec::new();
        let mut exit_hooks = Vec::new();
        for task in &tasks {
            let hook = super::hooks::task_exit(task, &self.arguments)
                .map_err(|e| invalid(format!("task `{}`: {e}", task.name)))?;
            if let Some(hook) = &hook {
                if !self.templates.contains_key(hook.template.as_str()) {
                    return Err(invalid(format!(
                        "task `{}`'s exit hook calls unknown template `{}`",
                        task.name, hook.template
                    )));
                }
            }
            exit_hooks.push(hook);
            if !self.templates.contains_key(task.template.as_str()) {
                return Err(invalid(format!(
                    "task `{}` calls unknown template `{}`",
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
            if let Some((dep_task, result)) = dep
                .refs()
                .into_iter()
                .find_map(|(t, r)| Some((t, r.filter(|r| !TASK_RESULTS.contains(r))?)))
            {
                return Err(invalid(format!(
                    "task `{}`: unknown task result `{dep_task}.{result}` in depends (use one of {})",
                    task.name,
                    TASK_RESULTS.join(", ")
                )));
            }
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
            kind,
            template,
            tasks,
            depends,
            groups,
            exit_hooks,
        })
    }
}

/// The steps of every group, each depending on all steps of the group before (`dependencies`,
/// so a step's `continueOn` widens what its successors accept, as `steps.go` lines 370-377
/// judge a group by its children's phases and `ContinuesOn`).
fn steps_as_tasks(groups: &[Vec<DagTask>]) -> Vec<DagTask> {
    let mut tasks = Vec::new();
    let mut previous: Vec<String> = Vec::new();
    for group in groups {
        for step in group {
            let mut task = step.clone();
            task.depends = None;
            task.dependencies = previous.clone();
            tasks.push(task);
        }
        previous = group.iter().map(|s| s.name.clone()).collect();
    }
    tasks
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
