//! Workflow-spec rules: templates, arguments, entrypoint / exit handler, and the per-template
//! dispatch to the template, DAG and variable checks.

use std::collections::{BTreeMap, BTreeSet};

use super::dag::{self, DagCtx};
use super::error::{at_template, ErrorKind, ValidationErrors};
use super::names::{self, NameKind};
use super::scope::{Globals, Place, Scope};
use super::{args, not_in_set, template, Mode};
use crate::lang::quantity::is_quantity;
use crate::model::{ObjectMeta, Template, WorkflowSpec};

/// Maximum number of templates (CRD `maxItems`).
const MAX_TEMPLATES: usize = 200;

/// Templates reachable from `start` through DAG tasks.
fn reachable<'a>(
    start: Option<&str>,
    templates: &BTreeMap<&'a str, &'a Template>,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = start.into_iter().collect();
    while let Some(name) = todo.pop() {
        let Some((&key, t)) = templates.get_key_value(name) else {
            continue;
        };
        if !seen.insert(key) {
            continue;
        }
        for task in t.dag.iter().flat_map(|d| &d.tasks) {
            todo.push(&task.template);
        }
    }
    seen
}

pub(crate) fn check_spec(
    spec: &WorkflowSpec,
    metas: &[&ObjectMeta],
    mode: Mode,
    errs: &mut ValidationErrors,
) {
    if spec.templates.len() > MAX_TEMPLATES {
        let kind = ErrorKind::TooMany {
            what: "templates",
            count: spec.templates.len(),
            max: MAX_TEMPLATES,
        };
        errs.push("spec", kind);
    }
    let names = spec.templates.iter().map(|t| t.name.as_str());
    names::check_names("spec.templates", NameKind::Template, names, errs);
    let mut templates: BTreeMap<&str, &Template> = BTreeMap::new();
    for t in &spec.templates {
        templates.entry(t.name.as_str()).or_insert(t);
    }
    args::check_arguments_with(
        "spec",
        spec.arguments.as_ref(),
        mode == Mode::Template,
        errs,
    );

    let entry = spec.entrypoint.as_deref().filter(|e| !e.is_empty());
    let on_exit = spec.on_exit.as_deref().filter(|e| !e.is_empty());
    if entry.is_none() && mode == Mode::Workflow {
        errs.push("spec", ErrorKind::MissingEntrypoint);
    }
    for (field, name) in [("spec.entrypoint", entry), ("spec.onExit", on_exit)] {
        let Some(name) = name else { continue };
        match templates.get(name) {
            None => {
                let kind = ErrorKind::UnknownTemplate {
                    field,
                    name: name.to_string(),
                };
                errs.push("spec", kind);
            }
            Some(t) if mode == Mode::Workflow => {
                args::check_call("spec.arguments", spec.arguments.as_ref(), t, false, errs)
            }
            Some(_) => {}
        }
    }
    check_spec_fields(spec, errs);

    let globals = globals(spec, metas);
    let main = reachable(entry, &templates);
    let exit = reachable(on_exit, &templates);
    let volumes: BTreeSet<&str> = spec.volumes.iter().map(|v| v.name.as_str()).collect();
    let no_tasks = BTreeMap::new();
    for t in &spec.templates {
        template::check_template(t, &volumes, errs);
        let in_main = main.contains(t.name.as_str());
        let exit_vars = !in_main;
        let in_exit_handler = !in_main && exit.contains(t.name.as_str());
        if let Some(d) = &t.dag {
            let cx = DagCtx {
                templates: &templates,
                globals: &globals,
                exit_vars,
                in_exit_handler,
            };
            dag::check_dag(t, d, &cx, errs);
        } else {
            let scope = Scope {
                globals: &globals,
                template: t,
                tasks: &no_tasks,
                place: Place::Leaf,
                exit_vars,
                in_exit_handler,
            };
            dag::push_var_errors(
                &at_template(&t.name),
                &scope,
                "",
                serde_json::to_value(t),
                errs,
            );
        }
    }
}

/// Workflow-wide fields that do not involve templates.
fn check_spec_fields(spec: &WorkflowSpec, errs: &mut ValidationErrors) {
    const POD_GC: &str = "OnPodCompletion, OnPodSuccess, OnWorkflowCompletion, OnWorkflowSuccess";
    if let Some(s) = spec.pod_gc.as_ref().and_then(|p| p.strategy.as_deref()) {
        if !s.is_empty() && !POD_GC.split(", ").any(|x| x == s) {
            errs.push("spec", not_in_set("podGC.strategy", s, POD_GC));
        }
    }
    const ART_GC: &str = "OnWorkflowCompletion, OnWorkflowDeletion, Never";
    if let Some(s) = spec
        .artifact_gc
        .as_ref()
        .and_then(|p| p.strategy.as_deref())
    {
        if !s.is_empty() && !ART_GC.split(", ").any(|x| x == s) {
            errs.push("spec", not_in_set("artifactGC.strategy", s, ART_GC));
        }
    }
    let vols = spec.volumes.iter().map(|v| v.name.as_str());
    names::check_names("spec.volumes", NameKind::Volume, vols, errs);
    for v in &spec.volumes {
        let size = v.empty_dir.as_ref().and_then(|e| e.size_limit.as_ref());
        if let Some(q) = size.filter(|q| !is_quantity(q)) {
            let kind = ErrorKind::InvalidQuantity {
                field: format!("volumes.{}.emptyDir.sizeLimit", v.name),
                value: q.clone(),
            };
            errs.push("spec", kind);
        }
    }
    names::check_metadata(
        "spec.workflowMetadata",
        spec.workflow_metadata.as_ref(),
        errs,
    );
}

/// The `workflow.*` names of this spec.
fn globals(spec: &WorkflowSpec, metas: &[&ObjectMeta]) -> Globals {
    let mut g = Globals::default();
    if let Some(a) = &spec.arguments {
        g.params = a.parameters.iter().map(|p| p.name.clone()).collect();
    }
    for m in metas {
        g.labels.extend(m.labels.keys().cloned());
        g.annotations.extend(m.annotations.keys().cloned());
    }
    if let Some(m) = &spec.workflow_metadata {
        g.labels.extend(m.labels.keys().cloned());
        g.annotations.extend(m.annotations.keys().cloned());
    }
    for o in spec.templates.iter().filter_map(|t| t.outputs.as_ref()) {
        g.out_params
            .extend(o.parameters.iter().filter_map(|p| p.global_name.clone()));
        g.out_artifacts
            .extend(o.artifacts.iter().filter_map(|a| a.global_name.clone()));
    }
    g
}
