//! DAG rules: task names, `depends` / `dependencies`, cycles, loops, arguments and scopes.

use std::collections::BTreeMap;

use super::args::{check_arguments, check_call, check_looped_from};
use super::depends::task_deps;
use super::error::{at_task, at_template, ErrorKind, ValidationErrors};
use super::graph::DepGraph;
use super::names::{check_names, NameKind};
use super::scope::{Globals, Place, Scope, TaskInfo};
use super::syntax;
use super::vars;
use crate::lang::depends::TASK_RESULTS;
use crate::model::{DagTask, DagTemplate, Template};

/// Maximum number of tasks in a DAG (CRD `maxItems`).
const MAX_TASKS: usize = 200;

/// What a DAG check needs to know about the rest of the workflow.
pub(crate) struct DagCtx<'a> {
    pub templates: &'a BTreeMap<&'a str, &'a Template>,
    pub globals: &'a Globals,
    pub exit_vars: bool,
    pub in_exit_handler: bool,
}

/// Checks a DAG template.
pub(crate) fn check_dag(
    t: &Template,
    dag: &DagTemplate,
    cx: &DagCtx<'_>,
    errs: &mut ValidationErrors,
) {
    let at = at_template(&t.name);
    if dag.tasks.is_empty() {
        errs.push(&at, ErrorKind::EmptyDag);
    }
    if dag.tasks.len() > MAX_TASKS {
        errs.push(
            &at,
            ErrorKind::TooMany {
                what: "tasks",
                count: dag.tasks.len(),
                max: MAX_TASKS,
            },
        );
    }
    check_names(
        &at,
        NameKind::Task,
        dag.tasks.iter().map(|x| x.name.as_str()),
        errs,
    );

    let mut infos: BTreeMap<&str, TaskInfo<'_>> = BTreeMap::new();
    for task in &dag.tasks {
        let template = cx.templates.get(task.template.as_str()).copied();
        infos
            .entry(task.name.as_str())
            .or_insert(TaskInfo { task, template });
    }
    let using_depends = dag.tasks.iter().any(|x| x.depends.is_some());
    let mut graph = DepGraph::new(&dag.tasks);
    for (i, task) in dag.tasks.iter().enumerate() {
        let at_t = at_task(&t.name, &task.name);
        check_task_shape(&at_t, task, using_depends, cx, errs);
        let deps = match task_deps(task) {
            Ok(d) => d,
            Err(reason) => {
                let expr = task.depends.clone().unwrap_or_default();
                errs.push(&at_t, ErrorKind::MalformedDepends { expr, reason });
                Vec::new()
            }
        };
        let id = graph.task(i);
        for d in &deps {
            let (Some(dep_id), Some(dep)) = (graph.id(&d.task), infos.get(d.task.as_str())) else {
                errs.push(&at_t, ErrorKind::UnknownDependency(d.task.clone()));
                continue;
            };
            if dep_id == id {
                errs.push(&at_t, ErrorKind::SelfDependency);
                continue;
            }
            graph.add_dep(id, dep_id);
            let Some(result) = &d.result else { continue };
            if !TASK_RESULTS.contains(&result.as_str()) {
                errs.push(
                    &at_t,
                    ErrorKind::InvalidTaskResult {
                        task: d.task.clone(),
                        result: result.clone(),
                    },
                );
            } else if (result == "AnySucceeded" || result == "AllFailed") && !dep.task.is_looped() {
                errs.push(
                    &at_t,
                    ErrorKind::ItemsResultWithoutLoop {
                        task: d.task.clone(),
                        result: result.clone(),
                    },
                );
            }
        }
    }
    graph.finish();
    if let Some(cycle) = graph.find_cycle() {
        errs.push(&at, ErrorKind::DependencyCycle(cycle));
    }
    if let Some(target) = &dag.target {
        for name in target.split_whitespace() {
            if !syntax::has_tag(name) && !infos.contains_key(name) {
                errs.push(&at, ErrorKind::UnknownTarget(name.to_string()));
            }
        }
    }
    for (i, task) in dag.tasks.iter().enumerate() {
        let at_t = at_task(&t.name, &task.name);
        let id = graph.task(i);
        if let Some(called) = cx.templates.get(task.template.as_str()) {
            check_call(&at_t, task.arguments.as_ref(), called, true, errs);
        }
        check_arguments(&at_t, task.arguments.as_ref(), errs);
        check_looped_from(
            &at_t,
            task.arguments.as_ref().map(|a| a.artifacts.as_slice()),
            &infos,
            errs,
        );
        let scope = Scope {
            globals: cx.globals,
            template: t,
            tasks: &infos,
            place: Place::DagTask {
                task,
                id,
                graph: &graph,
            },
            exit_vars: cx.exit_vars,
            in_exit_handler: cx.in_exit_handler,
        };
        push_var_errors(&at_t, &scope, "", serde_json::to_value(task), errs);
    }
    if let Some(outputs) = &t.outputs {
        let at_out = format!("{at}: outputs");
        check_looped_from(&at_out, Some(outputs.artifacts.as_slice()), &infos, errs);
        let scope = Scope {
            globals: cx.globals,
            template: t,
            tasks: &infos,
            place: Place::DagOutputs,
            exit_vars: cx.exit_vars,
            in_exit_handler: cx.in_exit_handler,
        };
        push_var_errors(&at, &scope, "outputs", serde_json::to_value(outputs), errs);
    }
}

/// Runs the variable check over a serialized value.
pub(crate) fn push_var_errors(
    at: &str,
    scope: &Scope<'_>,
    path: &str,
    value: Result<serde_json::Value, serde_json::Error>,
    errs: &mut ValidationErrors,
) {
    // Model types always serialize; a failure would only hide variable errors.
    let Ok(value) = value else { return };
    let mut found = Vec::new();
    vars::check_value(scope, path, &value, &mut found);
    for k in found {
        errs.push(at, k);
    }
}

fn check_task_shape(
    at: &str,
    task: &DagTask,
    using_depends: bool,
    cx: &DagCtx<'_>,
    errs: &mut ValidationErrors,
) {
    for tag in task
        .when
        .as_deref()
        .map(crate::lang::tags::tags)
        .and_then(Result::ok)
        .unwrap_or_default()
    {
        // A hyphenated name without index syntax is reported (with a hint) by the variable
        // checks; one error per mistake.
        let hyphen = |e: &str| {
            super::expr::expression_refs(e)
                .iter()
                .any(|r| r.hyphen_after)
        };
        if let crate::lang::tags::Tag::Expression(e) = tag {
            if let Err(reason) = crate::expr::parse(e) {
                if hyphen(e) {
                    continue;
                }
                let kind = ErrorKind::BadExpression {
                    field: "when",
                    expression: e.to_owned(),
                    reason: reason.into(),
                };
                errs.push(at, kind);
            }
        }
    }
    let uses_deps = using_depends || !task.dependencies.is_empty();
    if uses_deps && task.name.starts_with(|c: char| c.is_ascii_digit()) {
        errs.push(at, ErrorKind::TaskNameStartsWithDigit(task.name.clone()));
    }
    if using_depends && !task.dependencies.is_empty() {
        errs.push(
            at,
            ErrorKind::DependsAndDependencies {
                task: task.name.clone(),
            },
        );
    }
    if using_depends && task.continue_on.is_some() {
        errs.push(at, ErrorKind::ContinueOnWithDepends);
    }
    if !cx.templates.contains_key(task.template.as_str()) {
        errs.push(
            at,
            ErrorKind::UnknownTemplate {
                field: "template",
                name: task.template.clone(),
            },
        );
    }
    let loops = [
        !task.with_items.is_empty(),
        task.with_param.is_some(),
        task.with_sequence.is_some(),
    ];
    if loops.iter().filter(|x| **x).count() > 1 {
        errs.push(at, ErrorKind::MultipleLoops);
    }
    if let Some(seq) = &task.with_sequence {
        match (&seq.count, &seq.end) {
            (Some(_), Some(_)) => errs.push(
                at,
                ErrorKind::InvalidSequence("only one of count or end can be defined"),
            ),
            (None, None) => errs.push(
                at,
                ErrorKind::InvalidSequence("one of count or end is required"),
            ),
            _ => {}
        }
        for (field, v) in [
            ("count", &seq.count),
            ("start", &seq.start),
            ("end", &seq.end),
        ] {
            if let Some(v) = v {
                if !syntax::is_int_or_tag(v) {
                    errs.push(
                        at,
                        ErrorKind::InvalidSequenceNumber {
                            field,
                            value: v.clone(),
                        },
                    );
                }
            }
        }
    }
}
