//! Exit hooks: the workflow's (`spec.onExit`, or `spec.hooks.exit`) and a task's or step's
//! (`onExit`, or `hooks.exit`). Hooks with an `expression` (`running`, `success`, ...) fire
//! when Argo's controller happens to observe the expression true during a reconciliation
//! (`workflow/controller/hooks.go`), which a local run cannot reproduce: they are refused.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::argo::{Arguments, DagTask, WorkflowSpec};

/// One lifecycle hook (`LifecycleHook`, `pkg/apis/workflow/v1alpha1/workflow_types.go`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Hook {
    /// The template it calls.
    pub template: String,
    /// Its arguments.
    pub arguments: Option<Arguments>,
    /// When it fires (hooks other than `exit`).
    pub expression: Option<String>,
    /// A WorkflowTemplate's template instead of `template`.
    pub template_ref: Option<serde_json::Value>,
}

/// The `hooks` among fields the model does not describe, by event name.
pub(crate) fn hooks(
    other: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, Hook>, String> {
    match other.get("hooks") {
        None | Some(serde_json::Value::Null) => Ok(BTreeMap::new()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("`hooks`: {e}")),
    }
}

/// What cannot run of `hooks` (on `whose`): a hook other than `exit`, or one through a
/// `templateRef`; one line naming it.
pub(crate) fn refused(hooks: &BTreeMap<String, Hook>, whose: &str) -> Option<String> {
    hooks.iter().find_map(|(event, hook)| {
        if event != "exit" {
            Some(format!(
                "lifecycle hook `hooks.{event}` on {whose} (hooks with an `expression` fire when the controller observes it true; only `exit` runs locally)"
            ))
        } else if hook.template_ref.is_some() || hook.template.is_empty() {
            Some(format!(
                "exit hook through `templateRef` on {whose} (WorkflowTemplate references)"
            ))
        } else {
            None
        }
    })
}

/// The workflow's exit hook (`WorkflowSpec.GetExitHook`, `workflow_types.go` lines 516-528):
/// `spec.onExit` with the workflow's arguments, else `spec.hooks.exit` with its own arguments,
/// or the workflow's when it has none (`LifecycleHook.WithArgs`, lines 1850-1856).
pub(crate) fn workflow_exit(spec: &WorkflowSpec) -> Result<Option<Hook>, String> {
    if let Some(on_exit) = spec.on_exit.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Some(Hook {
            template: on_exit.clone(),
            ..Hook::default()
        }));
    }
    Ok(hooks(&spec.other)?.remove("exit"))
}

/// The node a task's exit hook runs as: a task of the same DAG named `<task>.onExit`
/// (`common.GenerateOnExitNodeName`, `workflow/common/util.go` line 348), calling the hook's
/// template with its arguments, or with the workflow's (`arguments`) when it has none or is
/// a plain `onExit` (`DAGTask.GetExitHook`, `workflow_types.go` lines 3686-3694).
pub(crate) fn task_exit(task: &DagTask, arguments: &Arguments) -> Result<Option<DagTask>, String> {
    let on_exit = task
        .other
        .get("onExit")
        .and_then(|v| v.as_str())
        .filter(|t| !t.is_empty());
    let hook = match on_exit {
        Some(t) => Hook {
            template: t.to_owned(),
            ..Hook::default()
        },
        None => match hooks(&task.other)?.remove("exit") {
            Some(hook) => hook,
            None => return Ok(None),
        },
    };
    let own = hook
        .arguments
        .filter(|a| !a.parameters.is_empty() || !a.artifacts.is_empty());
    Ok(Some(DagTask {
        name: format!("{}.onExit", task.name),
        template: hook.template,
        arguments: Some(own.unwrap_or_else(|| arguments.clone())),
        ..DagTask::default()
    }))
}
