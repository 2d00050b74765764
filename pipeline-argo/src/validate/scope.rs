//! `{{...}}` variable scopes (Argo `resolveAllVariables` / `addOutputsToScope`, made stricter):
//! what a template, a DAG task or a step can see, and the structural resolution of a simple tag,
//! so an error says *why* a name is not in scope. Tags whose root is not an Argo root
//! (`workflow`, `inputs`, `outputs`, `tasks`, `steps`, `item`, `pod`, `retries`, `lastRetry`,
//! `node`) are left alone, as Argo does (they may belong to another template language).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::graph::DepGraph;
use crate::model::{DagTask, Template};

/// Names visible everywhere (`workflow.*`).
#[derive(Debug, Default)]
pub(crate) struct Globals {
    /// `spec.arguments.parameters` names.
    pub params: BTreeSet<String>,
    /// Label keys of the Workflow (metadata + workflowMetadata).
    pub labels: BTreeSet<String>,
    /// Annotation keys of the Workflow.
    pub annotations: BTreeSet<String>,
    /// `globalName`s of output parameters.
    pub out_params: BTreeSet<String>,
    /// `globalName`s of output artifacts.
    pub out_artifacts: BTreeSet<String>,
}

/// A task of the DAG being checked, with the template it calls (if it exists).
pub(crate) struct TaskInfo<'a> {
    pub task: &'a DagTask,
    pub template: Option<&'a Template>,
}

/// Where the text being checked lives.
pub(crate) enum Place<'a> {
    /// Inside a container template.
    Leaf,
    /// In a DAG task's fields (task number `id` of `graph`); only its upstream tasks may be
    /// referenced.
    DagTask {
        task: &'a DagTask,
        id: usize,
        graph: &'a DepGraph<'a>,
    },
    /// In a DAG template's outputs; any task of the DAG may be referenced.
    DagOutputs,
}

/// Everything needed to decide whether a variable is in scope.
pub(crate) struct Scope<'a> {
    pub globals: &'a Globals,
    /// The template whose `inputs.*` are visible.
    pub template: &'a Template,
    /// Tasks of the DAG (empty for a leaf).
    pub tasks: &'a BTreeMap<&'a str, TaskInfo<'a>>,
    pub place: Place<'a>,
    /// `workflow.status` / `workflow.failures` are allowed (exit-handler templates).
    pub exit_vars: bool,
    /// The template only runs as part of the exit handler (for clearer messages).
    pub in_exit_handler: bool,
}

const ARGO_ROOTS: &[&str] = &[
    "workflow",
    "inputs",
    "outputs",
    "tasks",
    "steps",
    "item",
    "pod",
    "retries",
    "lastRetry",
    "node",
];

/// Resolves one simple tag.
pub(super) fn resolve(scope: &Scope<'_>, tag: &str) -> Result<(), String> {
    let parts: Vec<&str> = tag.split('.').collect();
    let root = parts[0];
    if !ARGO_ROOTS.contains(&root) {
        return Ok(());
    }
    let rest = &parts[1..];
    match root {
        "workflow" => resolve_workflow(scope, &rest.join(".")),
        "inputs" => resolve_inputs(scope, rest),
        "outputs" => resolve_outputs(scope, rest),
        "tasks" => resolve_task(scope, rest, false),
        "steps" => Err("steps.* exists only in steps templates".to_string()),
        "item" => resolve_item(scope, rest),
        "pod" => match (rest, &scope.place) {
            (["name"], Place::Leaf) => Ok(()),
            (["name"], _) => Err("pod.name exists only in container templates".to_string()),
            _ => Err("unknown pod variable (only pod.name exists)".to_string()),
        },
        "retries" | "lastRetry" => resolve_retries(scope, root, rest),
        _ => match rest {
            ["name"] => Ok(()),
            _ => Err("unknown node variable (only node.name exists)".to_string()),
        },
    }
}

fn resolve_retries(scope: &Scope<'_>, root: &str, rest: &[&str]) -> Result<(), String> {
    if scope.template.retry_strategy.is_none() {
        return Err(format!(
            "{root} exists only in templates with a retryStrategy"
        ));
    }
    match (root, rest) {
        ("retries", []) => Ok(()),
        ("lastRetry", ["exitCode" | "status" | "duration" | "message"]) => Ok(()),
        _ => Err(
            "unknown retry variable (retries, lastRetry.exitCode|status|duration|message)"
                .to_string(),
        ),
    }
}

pub(super) fn resolve_workflow(scope: &Scope<'_>, rest: &str) -> Result<(), String> {
    let g = scope.globals;
    match rest {
        "name" | "namespace" | "uid" | "serviceAccountName" | "mainEntrypoint" | "duration"
        | "scheduledTime" | "labels" | "labels.json" | "annotations" | "annotations.json" => {
            return Ok(())
        }
        "status" | "failures" if scope.exit_vars => return Ok(()),
        "status" | "failures" => {
            return Err(format!(
                "workflow.{rest} is only available in the exit handler (spec.onExit)"
            ))
        }
        "parameters" | "parameters.json" if !g.params.is_empty() => return Ok(()),
        _ => {}
    }
    if rest == "creationTimestamp" || rest.starts_with("creationTimestamp.") {
        return Ok(());
    }
    let lookups: [(&str, &BTreeSet<String>, &str); 5] = [
        (
            "parameters.",
            &g.params,
            "is not declared in spec.arguments.parameters",
        ),
        ("labels.", &g.labels, "is not a label of the workflow"),
        (
            "annotations.",
            &g.annotations,
            "is not an annotation of the workflow",
        ),
        (
            "outputs.parameters.",
            &g.out_params,
            "is not the globalName of any output parameter",
        ),
        (
            "outputs.artifacts.",
            &g.out_artifacts,
            "is not the globalName of any output artifact",
        ),
    ];
    for (prefix, set, msg) in lookups {
        if let Some(name) = rest.strip_prefix(prefix) {
            return if set.contains(name) {
                Ok(())
            } else {
                Err(format!("{name:?} {msg}"))
            };
        }
    }
    Err("unknown workflow variable".to_string())
}

pub(super) fn resolve_inputs(scope: &Scope<'_>, rest: &[&str]) -> Result<(), String> {
    let t = scope.template;
    let inputs = t.inputs.as_ref();
    let params = inputs.map(|i| i.parameters.as_slice()).unwrap_or_default();
    let arts = inputs.map(|i| i.artifacts.as_slice()).unwrap_or_default();
    let leaf = matches!(scope.place, Place::Leaf);
    match rest {
        ["parameters"] if !params.is_empty() => Ok(()),
        ["parameters", p] => {
            if params.iter().any(|x| x.name == *p) {
                Ok(())
            } else {
                Err(format!(
                    "template {:?} declares no input parameter {p:?}",
                    t.name
                ))
            }
        }
        ["artifacts", a] | ["artifacts", a, "path"] => {
            if !arts.iter().any(|x| x.name == *a) {
                Err(format!(
                    "template {:?} declares no input artifact {a:?}",
                    t.name
                ))
            } else if rest.len() == 3 && !leaf {
                Err("inputs.artifacts.<name>.path exists only in container templates".to_string())
            } else {
                Ok(())
            }
        }
        _ => Err("unknown inputs variable".to_string()),
    }
}

fn resolve_outputs(scope: &Scope<'_>, rest: &[&str]) -> Result<(), String> {
    let t = scope.template;
    if !matches!(scope.place, Place::Leaf) {
        return Err("outputs.* paths exist only in container templates".to_string());
    }
    let outputs = t.outputs.as_ref();
    match rest {
        ["parameters", p, "path"] => {
            let ok = outputs.is_some_and(|o| {
                o.parameters.iter().any(|x| {
                    x.name == *p && x.value_from.as_ref().is_some_and(|v| v.path.is_some())
                })
            });
            ok.then_some(()).ok_or_else(|| {
                format!(
                    "template {:?} declares no output parameter {p:?} with valueFrom.path",
                    t.name
                )
            })
        }
        ["artifacts", a, "path"] => {
            let ok = outputs
                .is_some_and(|o| o.artifacts.iter().any(|x| x.name == *a && x.path.is_some()));
            ok.then_some(()).ok_or_else(|| {
                format!(
                    "template {:?} declares no output artifact {a:?} with a path",
                    t.name
                )
            })
        }
        _ => Err(
            "unknown outputs variable (outputs.parameters.<p>.path, outputs.artifacts.<a>.path)"
                .to_string(),
        ),
    }
}

fn resolve_item(scope: &Scope<'_>, rest: &[&str]) -> Result<(), String> {
    let Place::DagTask { task, .. } = &scope.place else {
        return Err(
            "{{item}} resolves only in a looped task's own fields (arguments, when), \
                    not inside the called template; pass it as an input parameter"
                .to_string(),
        );
    };
    if !task.is_looped() {
        return Err(
            "item exists only in a task with withItems, withParam or withSequence".to_string(),
        );
    }
    if rest.is_empty() || task.with_param.is_some() {
        return Ok(());
    }
    if task.with_sequence.is_some() {
        return Err("withSequence items are numbers; use {{item}}".to_string());
    }
    let key = rest.join(".");
    let found = task.with_items.iter().any(|item| match item {
        Value::Object(m) => m.contains_key(&key),
        Value::Array(a) => (0..a.len()).any(|i| key == format!("[{i}]")),
        _ => false,
    });
    found
        .then_some(())
        .ok_or_else(|| format!("no withItems entry has the key {key:?}"))
}

/// Resolves `tasks.<rest>`; `partial` accepts an incomplete path (expressions).
pub(super) fn resolve_task(scope: &Scope<'_>, rest: &[&str], partial: bool) -> Result<(), String> {
    const EXIT_MSG: &str =
        "the exit handler cannot reference tasks of the main DAG; export values \
                            with globalName and use {{workflow.outputs.parameters.<name>}}";
    let Some(&name) = rest.first() else {
        return Err("incomplete tasks reference".to_string());
    };
    if name == "name" && rest.len() == 1 {
        return Ok(());
    }
    if matches!(scope.place, Place::Leaf) {
        return Err(if scope.in_exit_handler {
            EXIT_MSG.to_string()
        } else {
            "tasks.* is only available in DAG templates; pass values as input parameters"
                .to_string()
        });
    }
    let Some(info) = scope.tasks.get(name) else {
        return Err(if scope.in_exit_handler {
            format!("no task {name:?} in this DAG ({EXIT_MSG})")
        } else {
            format!("no task {name:?} in this DAG")
        });
    };
    if let Place::DagTask { task, id, graph } = &scope.place {
        if task.name == name {
            return Err("a task cannot reference its own outputs".to_string());
        }
        if !graph.is_upstream(name, *id) {
            return Err(format!(
                "task {name:?} is not upstream of task {:?}; add it to depends/dependencies",
                task.name
            ));
        }
    }
    let Some(tmpl) = info.template else {
        return Ok(()); // unknown template: reported elsewhere
    };
    let leaf = tmpl.container.is_some();
    let outputs = tmpl.outputs.as_ref();
    match &rest[1..] {
        [] if partial => Ok(()),
        ["outputs"] | ["outputs", "parameters" | "artifacts"] if partial => Ok(()),
        ["id" | "startedAt" | "finishedAt" | "hostNodeName" | "status"] => Ok(()),
        ["exitCode"] | ["outputs", "result"] if leaf => Ok(()),
        ["exitCode"] | ["outputs", "result"] => Err(format!(
            "task {name:?} runs DAG template {:?}, which has no outputs.result/exitCode",
            tmpl.name
        )),
        ["outputs", "parameters"] if info.task.is_looped() => Ok(()),
        ["outputs", "parameters"] => Err(format!(
            "the aggregated tasks.{name}.outputs.parameters exists only for looped tasks"
        )),
        ["outputs", "parameters", p, ..] => {
            if outputs.is_some_and(|o| o.parameters.iter().any(|x| x.name == *p)) {
                Ok(())
            } else {
                Err(format!(
                    "template {:?} (task {name:?}) declares no output parameter {p:?}",
                    tmpl.name
                ))
            }
        }
        ["outputs", "artifacts", a, ..] => {
            if outputs.is_some_and(|o| o.artifacts.iter().any(|x| x.name == *a)) {
                Ok(())
            } else {
                Err(format!(
                    "template {:?} (task {name:?}) declares no output artifact {a:?}",
                    tmpl.name
                ))
            }
        }
        _ => Err(format!("unknown variable of task {name:?}")),
    }
}
