//! Task-level resolution, done by the scheduler when a task's dependencies are met: `when`,
//! argument parameters and where each argument artifact comes from.

use std::collections::BTreeMap;

use super::context::Ctx;
use super::items::Item;
use super::store::Stored;
use super::subst::{substitute, Scope};
use super::values::{ArtifactIndex, Source};
use super::when;
use crate::argo::{Artifact, DagTask, Template};

/// One execution, ready for a worker.
#[derive(Debug, Clone)]
pub(crate) struct Unit<'w> {
    /// The template it calls.
    pub template: &'w Template,
    /// The fan-out item, if any.
    pub item: Option<Item>,
    /// `task` or `task-<item key>`: names logs and work dirs.
    pub label: String,
    /// Its node's name in Argo (`wf.task(0:a)`, `wf[0].step`, `wf.outer.inner`), from which
    /// its pod name and `ARGO_NODE_ID` follow; set by the scheduler.
    pub node: String,
    /// Argument parameter values.
    pub params: BTreeMap<String, String>,
    /// Argument artifacts.
    pub artifacts: BTreeMap<String, Source>,
    /// `{{workflow.*}}` as the template sees it.
    pub workflow: Scope,
    /// Cache lookups and writes allowed (not for the exit handler).
    pub cache: bool,
    /// Part of the exit handler.
    pub exit_handler: bool,
}

/// What resolution decided.
pub(crate) enum Prepared<'w> {
    /// Run it.
    Run(Box<Unit<'w>>),
    /// `when` is false (the message says so).
    Skipped(String),
    /// Resolution failed: the task errors with this message.
    Error(String),
}

/// Resolves one execution of `task`. `scope` holds workflow and upstream task variables.
pub(crate) fn prepare<'w>(
    ctx: &Ctx<'w>,
    task: &'w DagTask,
    item: Option<Item>,
    scope: &Scope,
    workflow: &Scope,
    outputs: &ArtifactIndex,
    cache: bool,
) -> Prepared<'w> {
    let Some(template) = ctx.templates.get(task.template.as_str()).copied() else {
        return Prepared::Error(format!("unknown template `{}`", task.template));
    };
    let mut scope = scope.clone();
    ctx.add_globals(&mut scope);
    let mut workflow = workflow.clone();
    ctx.add_globals(&mut workflow);
    if let Some(item) = &item {
        scope.set_item(&item.value);
    }
    if let Some(expr) = &task.when {
        match substitute(expr, &scope).and_then(|text| when::evaluate(&text).map(|b| (b, text))) {
            Ok((true, _)) => {}
            Ok((false, text)) => {
                let values = expression_values(expr, &scope);
                return Prepared::Skipped(if values.is_empty() {
                    format!("when `{text}` is false")
                } else {
                    format!("when is false ({values})")
                });
            }
            Err(e) => return Prepared::Error(e),
        }
    }
    let mut params = BTreeMap::new();
    let mut artifacts = BTreeMap::new();
    if let Some(args) = &task.arguments {
        for p in &args.parameters {
            let text = p
                .value
                .as_deref()
                .or(p.default.as_deref())
                .unwrap_or_default();
            match substitute(text, &scope) {
                Ok(v) => params.insert(p.name.clone(), v),
                Err(e) => return Prepared::Error(format!("parameter `{}`: {e}", p.name)),
            };
        }
        for a in &args.artifacts {
            match source(ctx, a, &scope, outputs) {
                Ok(Some(s)) => artifacts.insert(a.name.clone(), s),
                Ok(None) => None,
                Err(e) => return Prepared::Error(format!("artifact `{}`: {e}", a.name)),
            };
        }
    }
    let label = match &item {
        Some(item) => format!("{}-{}", task.name, item.key),
        None => task.name.clone(),
    };
    Prepared::Run(Box::new(Unit {
        template,
        item,
        label,
        node: String::new(),
        params,
        artifacts,
        workflow,
        cache: cache && cacheable(template) && super::host::is_component(template),
        exit_handler: !cache,
    }))
}

/// `false` for a template the compiler marked as never cached (`#[component(cache = false)]`).
fn cacheable(template: &Template) -> bool {
    template
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.get(crate::argo::contract::CACHE_ANNOTATION))
        .is_none_or(|v| v != "false")
}

/// The source of an artifact argument or input; `None` for a missing optional one.
pub(crate) fn source(
    ctx: &Ctx,
    a: &Artifact,
    scope: &Scope,
    outputs: &ArtifactIndex,
) -> Result<Option<Source>, String> {
    let optional = a.optional == Some(true);
    if let Some(from) = &a.from {
        let reference = from
            .trim()
            .strip_prefix("{{")
            .and_then(|r| r.strip_suffix("}}"))
            .map(str::trim)
            .ok_or_else(|| format!("`from: {from}` is not one `{{{{...}}}}` reference"))?;
        let global = ctx.global_artifact(reference);
        return match outputs.get(reference).or(global.as_ref()) {
            Some(source) => Ok(Some(match &a.sub_path {
                Some(sub) => Source::Sub(Box::new(source.clone()), substitute(sub, scope)?),
                None => source.clone(),
            })),
            None if optional => Ok(None),
            None => Err(format!(
                "`{from}` names no artifact produced so far (did its step run?)"
            )),
        };
    }
    if let Some(key) = a.s3.as_ref().and_then(|s| s.key.as_ref()) {
        let key = substitute(key, scope)?;
        let gathered = gather(ctx, &key);
        return match gathered {
            Some(source) => Ok(Some(source)),
            None if optional => Ok(None),
            None => Err(format!("nothing was stored under key `{key}` in this run")),
        };
    }
    if let Some(raw) = &a.raw {
        return Ok(Some(Source::Raw(substitute(&raw.data, scope)?)));
    }
    if a.http.is_some() {
        return Err("http artifacts are not supported by the local runner".into());
    }
    if optional {
        return Ok(None);
    }
    Err("no source (from, s3.key or raw)".into())
}

/// The artifact stored under `key`, or every artifact under the prefix `key/`.
fn gather(ctx: &Ctx, key: &str) -> Option<Source> {
    let keys = ctx.keys.lock().unwrap_or_else(|e| e.into_inner());
    if !key.ends_with('/') {
        if let Some(stored) = keys.get(key) {
            return Some(Source::Stored(stored.clone()));
        }
    }
    // A key inside a stored directory artifact (`parts/2.json` under `parts`).
    let mut parent = key.trim_end_matches('/');
    while let Some((up, _)) = parent.rsplit_once('/') {
        let dir = keys.get(up).or_else(|| keys.get(&format!("{up}/")));
        if let Some(dir) = dir.filter(|s| s.kind == super::summary::ArtifactKind::Directory) {
            let rel = key[up.len() + 1..].trim_end_matches('/').to_owned();
            return Some(Source::Sub(Box::new(Source::Stored(dir.clone())), rel));
        }
        parent = up;
    }
    let prefix = format!("{}/", key.trim_end_matches('/'));
    let members: Vec<(String, Stored)> = keys
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, v)| {
            (
                k[prefix.len()..].trim_end_matches('/').to_owned(),
                v.clone(),
            )
        })
        .filter(|(name, _)| !name.is_empty())
        .collect();
    (!members.is_empty()).then_some(Source::Gathered(members))
}

/// For a `when` with expression tags (which resolve to a bare `false`): `name=value, ...` of
/// the variables they read, so a skip says what was compared.
fn expression_values(when: &str, scope: &Scope) -> String {
    let mut values: Vec<String> = Vec::new();
    for tag in crate::argo::lang::tags::tags(when).unwrap_or_default() {
        let crate::argo::lang::tags::Tag::Expression(e) = tag else {
            continue;
        };
        let Ok(parsed) = crate::argo::expr::parse(e) else {
            continue;
        };
        for var in parsed.variables() {
            let name = var.join(".");
            let shown = format!("{name}={}", scope.get(&name).unwrap_or("?"));
            if !values.contains(&shown) {
                values.push(shown);
            }
        }
    }
    values.join(", ")
}
