//! What a local run cannot do, found before any step runs: every template the entrypoint and
//! the exit handler can reach is checked, and the first feature that cannot be emulated is
//! refused with one line naming it and its template.

use std::collections::BTreeSet;
use std::path::Path;

use super::host;
use super::pod_env::KeySources;
use super::volumes::Projection;
use super::{Executor, RunnerError};
use crate::argo::expr::Expr;
use crate::argo::{Template, Workflow};

/// Template kinds and fields with no local equivalent.
const TEMPLATE_FEATURES: &[(&str, &str)] = &[
    ("resource", "resource templates (Kubernetes objects)"),
    ("http", "HTTP templates"),
    ("plugin", "plugin templates"),
    ("suspend", "suspend templates"),
    ("containerSet", "container sets"),
    ("data", "data templates"),
    ("sidecars", "sidecars"),
    ("daemon", "daemoned steps"),
];

/// The first thing the run cannot do, as [`RunnerError::Unsupported`].
pub(crate) fn check(
    workflow: &Workflow,
    executor: Executor,
    sources: &KeySources,
) -> Result<(), RunnerError> {
    let configmaps = sources.configmaps.is_some();
    let refuse = |feature: String, template: &str| RunnerError::Unsupported {
        feature,
        template: template.to_owned(),
    };
    for key in ["volumeClaimTemplates", "podSpecPatch"] {
        if workflow.spec.other.contains_key(key) {
            let what = match key {
                "volumeClaimTemplates" => "persistent volume claims (`volumeClaimTemplates`)",
                _ => "pod spec patches",
            };
            return Err(refuse(what.into(), "spec"));
        }
    }
    let spec_hooks = super::hooks::hooks(&workflow.spec.other).map_err(|e| refuse(e, "spec"))?;
    if let Some(why) = super::hooks::refused(&spec_hooks, "the workflow") {
        return Err(refuse(why, "spec"));
    }
    let exit = super::hooks::workflow_exit(&workflow.spec).map_err(|e| refuse(e, "spec"))?;
    let by_name = |name: &str| workflow.spec.templates.iter().find(|t| t.name == name);
    let mut seen = BTreeSet::new();
    let mut queue: Vec<&str> = workflow
        .spec
        .entrypoint
        .iter()
        .map(String::as_str)
        .chain(exit.as_ref().map(|h| h.template.as_str()))
        .collect();
    let mut host_used = false;
    while let Some(name) = queue.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(t) = by_name(name) else { continue };
        check_template(workflow, t, executor, sources, &refuse)?;
        check_expressions(t).map_err(|e| refuse(e, name))?;
        let from_map = t.inputs.iter().flat_map(|i| &i.parameters).find(|p| {
            p.value_from
                .as_ref()
                .is_some_and(|f| f.config_map_key_ref.is_some())
        });
        if let (Some(p), false) = (from_map, configmaps) {
            return Err(refuse(
                format!(
                    "input parameter `{}` comes from a ConfigMap (pass --configmaps DIR)",
                    p.name
                ),
                name,
            ));
        }
        host_used |= t.main_container().is_some() && !host::is_component(t);
        let calls = t
            .dag
            .iter()
            .flat_map(|d| &d.tasks)
            .chain(t.steps.iter().flatten());
        for task in calls {
            if let Some(key) = ["inline", "templateRef"]
                .into_iter()
                .find(|k| task.other.contains_key(*k))
            {
                let what = match key {
                    "inline" => "inline templates",
                    _ => "WorkflowTemplate references (`templateRef`)",
                };
                return Err(refuse(format!("{what} on `{}`", task.name), name));
            }
            let whose = format!("`{}`", task.name);
            let hooks = super::hooks::hooks(&task.other).map_err(|e| refuse(e, name))?;
            if let Some(why) = super::hooks::refused(&hooks, &whose) {
                return Err(refuse(why, name));
            }
            let none = crate::argo::Arguments::default();
            if let Some(hook) = super::hooks::task_exit(task, &none).map_err(|e| refuse(e, name))? {
                if task.is_looped() {
                    // Argo runs the hook after each item and after the group node too.
                    return Err(refuse(
                        format!("an exit hook on fan-out task {whose}"),
                        name,
                    ));
                }
                let Some(called) = by_name(&hook.template) else {
                    return Err(refuse(
                        format!(
                            "exit hook of {whose} calls unknown template `{}`",
                            hook.template
                        ),
                        name,
                    ));
                };
                queue.push(&called.name);
            }
            queue.push(&task.template);
        }
    }
    if host_used && executor == Executor::Host {
        host::bwrap().map_err(|e| refuse(e, "(any)"))?;
    }
    Ok(())
}

/// Every `{{=...}}` tag of the template parses in the supported expr subset (and its
/// `jsonpath` paths are in theirs): otherwise the step would fail where Argo's would not.
fn check_expressions(t: &Template) -> Result<(), String> {
    fn strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    fn jsonpaths(e: &Expr) -> Result<(), String> {
        match e {
            Expr::Call(f, args) => {
                if let (true, Some(Expr::Str(path))) = (f == "jsonpath", args.get(1)) {
                    crate::argo::expr::jsonpath::check(path)?;
                }
                args.iter().try_for_each(jsonpaths)
            }
            Expr::Unary(_, a) => jsonpaths(a),
            Expr::Binary(_, a, b) => jsonpaths(a).and(jsonpaths(b)),
            Expr::Cond(a, b, c) => jsonpaths(a).and(jsonpaths(b)).and(jsonpaths(c)),
            _ => Ok(()),
        }
    }
    let value = serde_json::to_value(t).map_err(|e| e.to_string())?;
    let mut texts = Vec::new();
    strings(&value, &mut texts);
    for text in texts {
        for tag in crate::argo::lang::tags::tags(text).unwrap_or_default() {
            if let crate::argo::lang::tags::Tag::Expression(e) = tag {
                let parsed = crate::argo::expr::parse(e)
                    .map_err(|why| format!("expression `{{{{={e}}}}}` ({why})"))?;
                jsonpaths(&parsed).map_err(|why| format!("expression `{{{{={e}}}}}` ({why})"))?;
            }
        }
    }
    Ok(())
}

fn check_template(
    workflow: &Workflow,
    t: &Template,
    executor: Executor,
    sources: &KeySources,
    refuse: &dyn Fn(String, &str) -> RunnerError,
) -> Result<(), RunnerError> {
    if let Some((_, what)) = TEMPLATE_FEATURES.iter().find(|(key, _)| {
        t.other
            .get(*key)
            .is_some_and(|v| !v.is_null() && v != &serde_json::Value::Bool(false))
    }) {
        return Err(refuse((*what).into(), &t.name));
    }
    if t.node_selector
        .get("kubernetes.io/os")
        .is_some_and(|os| os == "windows")
    {
        return Err(refuse("Windows nodes".into(), &t.name));
    }
    let Some(container) = t.main_container() else {
        if t.dag.is_none() && t.steps.is_empty() {
            return Err(refuse(
                "a template kind the local runner does not know".into(),
                &t.name,
            ));
        }
        return Ok(());
    };
    let own = host::template_volumes(t).map_err(|e| refuse(e, &t.name))?;
    if host::is_component(t) {
        // A component runs as a process of this binary with its `/scratch` remapped; a Secret
        // or ConfigMap volume would not be where its template mounts it.
        for mount in &container.volume_mounts {
            let volume = own
                .iter()
                .chain(&workflow.spec.volumes)
                .find(|v| v.name == mount.name);
            if let Some(p) = volume.and_then(|v| Projection::of(v).ok().flatten()) {
                return Err(refuse(
                    format!(
                        "{} volume `{}` mounted at `{}` on a component step (such volumes are mounted only for templates run with --executor host; read the key through `env` `valueFrom` instead)",
                        p.kind(),
                        mount.name,
                        mount.mount_path
                    ),
                    &t.name,
                ));
            }
        }
        return Ok(());
    }
    if executor != Executor::Host {
        return Err(refuse(
            "a container or script template that is not a component of this binary (run it with --executor host)".into(),
            &t.name,
        ));
    }
    let inits = host::init_containers(t).map_err(|e| refuse(e, &t.name))?;
    let containers = std::iter::once(container).chain(&inits);
    for image in containers.clone().map(|c| c.image.as_str()) {
        if let Some(why) = host::image_refusal(image) {
            return Err(refuse(why, &t.name));
        }
    }
    for mount in containers.flat_map(|c| &c.volume_mounts) {
        let volume = own
            .iter()
            .chain(&workflow.spec.volumes)
            .find(|v| v.name == mount.name);
        match volume {
            Some(v) if v.empty_dir.is_some() => {}
            Some(v) => match Projection::of(v).map_err(|e| refuse(e, &t.name))? {
                // A Secret or ConfigMap volume: its files must be at hand before anything runs.
                Some(p) => {
                    p.files(&v.name, sources).map_err(|e| refuse(e, &t.name))?;
                    if let Err(e) = host::local_path(&mount.mount_path, Path::new("/")) {
                        return Err(refuse(format!("volume mount `{}`: {e}", v.name), &t.name));
                    }
                }
                None => {
                    let kind = v.other.keys().next().cloned().unwrap_or_default();
                    return Err(refuse(format!("volume `{}` ({kind})", v.name), &t.name));
                }
            },
            None => {
                return Err(refuse(
                    format!(
                        "volume mount `{}` of a volume the workflow does not declare (a PVC?)",
                        mount.name
                    ),
                    &t.name,
                ))
            }
        }
    }
    Ok(())
}
