//! The operands of a DAG task's `depends` or `dependencies`, for the checks in [`super::dag`].

use crate::lang::depends::Depends;
use crate::model::DagTask;

/// One reference in `depends`: `task` or `task.Result`.
#[derive(Debug, PartialEq)]
pub(crate) struct DepRef {
    pub task: String,
    pub result: Option<String>,
}

/// The references of a task's `depends` (parsed by [`Depends::parse`]) or `dependencies`.
pub(crate) fn task_deps(task: &DagTask) -> Result<Vec<DepRef>, String> {
    let refs = |d: &Depends| {
        d.refs()
            .into_iter()
            .map(|(task, result)| DepRef {
                task: task.to_owned(),
                result: result.map(str::to_owned),
            })
            .collect()
    };
    match &task.depends {
        Some(text) => Ok(refs(&Depends::parse(text).map_err(|e| e.reason)?)),
        None => Ok(refs(&Depends::all(&task.dependencies))),
    }
}
