//! How a task ended, from how its executions ended: its phase, its summary status, and the
//! variables it leaves for later tasks (Argo's loop aggregation and skipped-output defaults).

use std::collections::BTreeMap;

use super::depends::{Done, Phase};
use super::execution::Outcome;
use super::items::Item;
use super::store::Store;
use super::subst::render;
use super::summary::{ArtifactRecord, StepRecord, StepStatus, TaskRecord};
use crate::argo::lang::depends::Depends;
use crate::argo::{DagTask, Template};

/// The summary record of one execution of `task`.
pub(crate) fn step_record(
    store: &Store,
    task: &DagTask,
    item: Option<&Item>,
    outcome: &Outcome,
    exit_handler: bool,
) -> StepRecord {
    let collected = &outcome.collected;
    StepRecord {
        task: task.name.clone(),
        item: item.map(|it| it.key.clone()),
        template: task.template.clone(),
        status: outcome.status,
        attempts: outcome.attempts,
        duration: outcome.duration,
        log: outcome.log.clone(),
        parameters: collected.parameters.clone(),
        artifacts: collected
            .artifacts
            .iter()
            .map(|(name, stored)| ArtifactRecord {
                name: name.clone(),
                digest: stored.digest.clone(),
                path: store.blob(&stored.digest),
                kind: stored.kind,
                size: stored.size,
                key: collected.keys.get(name).cloned(),
            })
            .collect(),
        message: outcome.message.clone(),
        exit_handler,
    }
}

/// The summary record of a task (`done` is `None` if it never finished).
pub(crate) fn task_record(
    task: &DagTask,
    depends: &Depends,
    done: Option<Done>,
    steps: &[StepRecord],
    exit_handler: bool,
) -> TaskRecord {
    TaskRecord {
        name: task.name.clone(),
        template: task.template.clone(),
        status: done.map_or(StepStatus::Omitted, |d| {
            task_status(d.phase, steps, &task.name)
        }),
        depends: depends.tasks().into_iter().collect(),
        expression: task
            .depends
            .clone()
            .or_else(|| (!task.dependencies.is_empty()).then(|| task.dependencies.join(" && "))),
        exit_handler,
    }
}

/// The summary status of a finished task (`Cached` when every execution was a cache hit).
fn task_status(phase: Phase, steps: &[StepRecord], task: &str) -> StepStatus {
    match phase {
        Phase::Succeeded => {
            let mut own = steps.iter().filter(|s| s.task == task).peekable();
            if own.peek().is_some() && own.all(|s| s.status == StepStatus::Cached) {
                StepStatus::Cached
            } else {
                StepStatus::Succeeded
            }
        }
        Phase::Failed | Phase::Errored => StepStatus::Failed,
        Phase::Skipped => StepStatus::Skipped,
        Phase::Omitted => StepStatus::Omitted,
    }
}

/// Argo's loop aggregation: `tasks.T.outputs.parameters.P` is a JSON list over the succeeded
/// items, in item order; `tasks.T.outputs.parameters` a list of maps. `prefix` is `tasks.T`.
pub(crate) fn loop_outputs(
    prefix: &str,
    results: &[(Option<Item>, Outcome)],
) -> Vec<(String, String)> {
    let mut lists: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut maps = Vec::new();
    // `outputs.result` of a fan-out: the JSON list of its items' results, each parsed as JSON
    // (`operator.go` `processAggregateNodeOutputs`, lines 3760-3790); text that is not JSON
    // stays a string.
    let mut results_list = Vec::new();
    for (_, o) in results {
        if !matches!(o.status, StepStatus::Succeeded | StepStatus::Cached) {
            continue;
        }
        if let Some(r) = &o.collected.result {
            results_list.push(
                serde_json::from_str(r).unwrap_or_else(|_| serde_json::Value::String(r.clone())),
            );
        }
        for (k, v) in &o.collected.parameters {
            lists.entry(k).or_default().push(v);
        }
        if !o.collected.parameters.is_empty() {
            maps.push(serde_json::json!(o.collected.parameters));
        }
    }
    let mut vars: Vec<(String, String)> = lists
        .into_iter()
        .map(|(k, list)| {
            (
                format!("{prefix}.outputs.parameters.{k}"),
                aggregated_list(&list),
            )
        })
        .collect();
    vars.push((
        format!("{prefix}.outputs.parameters"),
        serde_json::Value::Array(maps).to_string(),
    ));
    vars.push((
        format!("{prefix}.outputs.result"),
        serde_json::Value::Array(results_list).to_string(),
    ));
    vars
}

/// One output parameter over a fan-out's items, as Argo aggregates it
/// (`workflow/controller/operator.go`, `aggregatedJSONValueList`): a JSON list of the values
/// parsed as JSON when every one of them is a JSON object or array, else a list of strings.
pub(crate) fn aggregated_list(values: &[&str]) -> String {
    let parsed: Option<Vec<serde_json::Value>> = values
        .iter()
        .map(|v| {
            serde_json::from_str::<serde_json::Value>(v)
                .ok()
                .filter(|j| j.is_object() || j.is_array())
        })
        .collect();
    match parsed {
        Some(list) => serde_json::Value::Array(list).to_string(),
        None => serde_json::json!(values).to_string(),
    }
}

/// Outputs of a skipped or omitted task resolve to their `valueFrom.default`.
pub(crate) fn default_outputs(template: &Template, prefix: &str) -> Vec<(String, String)> {
    template
        .outputs
        .iter()
        .flat_map(|o| &o.parameters)
        .filter_map(|p| {
            let default = p.value_from.as_ref()?.default.as_ref()?;
            Some((
                format!("{prefix}.outputs.parameters.{}", p.name),
                default.clone(),
            ))
        })
        .collect()
}

/// The phase of a task from its executions' outcomes.
pub(crate) fn aggregate(results: &[(Option<Item>, Outcome)], looped: bool) -> Done {
    let statuses: Vec<(StepStatus, bool)> =
        results.iter().map(|(_, o)| (o.status, o.errored)).collect();
    let ok = |s: &StepStatus| matches!(s, StepStatus::Succeeded | StepStatus::Cached);
    let failed: Vec<bool> = statuses
        .iter()
        .filter(|(s, _)| *s == StepStatus::Failed)
        .map(|(_, e)| *e)
        .collect();
    let any = |status: StepStatus| statuses.iter().any(|(s, _)| *s == status);
    let phase = if !failed.is_empty() {
        if failed.iter().all(|e| *e) {
            Phase::Errored
        } else {
            Phase::Failed
        }
    } else if any(StepStatus::Omitted) {
        Phase::Omitted
    } else if statuses.iter().all(|(s, _)| *s == StepStatus::Skipped) {
        Phase::Skipped
    } else {
        Phase::Succeeded
    };
    if !looped {
        return Done::single(phase);
    }
    Done {
        phase,
        any_succeeded: statuses.iter().any(|(s, _)| ok(s)),
        all_failed: !statuses.is_empty() && failed.len() == statuses.len(),
    }
}

/// Argo's name of a phase (`{{tasks.T.status}}`).
pub(crate) fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Succeeded => "Succeeded",
        Phase::Failed => "Failed",
        Phase::Errored => "Error",
        Phase::Skipped => "Skipped",
        Phase::Omitted => "Omitted",
    }
}

/// Argo's display name of a loop child: `task(index:item)`.
pub(crate) fn display_name(task: &str, item: Option<&Item>) -> String {
    match item {
        None => task.to_owned(),
        Some(it) => {
            let text = match &it.value {
                serde_json::Value::Object(fields) => fields
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", render(v)))
                    .collect::<Vec<_>>()
                    .join(","),
                other => render(other),
            };
            format!("{task}({}:{text})", it.index)
        }
    }
}
