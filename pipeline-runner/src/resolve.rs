//! What one execution of a container template resolves before its first attempt: template-level
//! substitution of its inputs, command and environment, its retry plan, timeout and cache key.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::cache;
use super::context::Ctx;
use super::duration;
use super::prepare::{source, Unit};
use super::retry::RetryPlan;
use super::store::hex;
use super::subst::{substitute, Scope};
use super::values::{ArtifactIndex, Source};
use crate::external::HookError;

/// Everything resolved before the first attempt.
pub(crate) struct Resolved {
    /// Variables the template sees.
    pub scope: Scope,
    /// Input artifacts: the path each is placed at and where it comes from.
    pub inputs: Vec<(String, Source)>,
    /// The main container's `command`, substituted.
    pub command: Vec<String>,
    /// Its `args`, substituted.
    pub args: Vec<String>,
    /// A script template's `source`, substituted.
    pub source: Option<String>,
    /// The variables its template declares, resolved.
    pub env: Vec<(String, String)>,
    /// Its `retryStrategy`.
    pub retry: RetryPlan,
    /// Its `timeout`.
    pub timeout: Option<Duration>,
    /// Its cache key.
    pub key: String,
}

/// Resolves everything `unit` needs before its first attempt: its variables, inputs, command,
/// environment, retry plan, timeout and cache key.
pub(crate) fn resolve(ctx: &Ctx, unit: &Unit) -> Result<Resolved, String> {
    let template = unit.template;
    let mut scope = unit.workflow.clone();
    let mut input_values = BTreeMap::new();
    let mut fingerprints = BTreeMap::new();
    let declared = template.inputs.clone().unwrap_or_default();
    let external = component_name(template).and_then(|c| ctx.external.get(c));
    for p in &declared.parameters {
        // A template's own value or default may reference variables (`{{workflow.*}}`).
        let own = match p.value.as_ref().or(p.default.as_ref()) {
            Some(v) => Some(substitute(v, &scope)?),
            None => None,
        };
        let from_map = match p
            .value_from
            .as_ref()
            .and_then(|f| f.config_map_key_ref.as_ref())
        {
            Some(r) if !unit.params.contains_key(&p.name) => super::pod_env::key(
                "ConfigMap",
                "--configmaps",
                ctx.options.configmaps.as_deref(),
                &r.name,
                &r.key,
                r.optional == Some(true),
            )
            .map_err(|e| format!("input parameter `{}`: {e}", p.name))?,
            _ => None,
        };
        let mut value = unit
            .params
            .get(&p.name)
            .or(from_map.as_ref())
            .or(own.as_ref())
            .ok_or_else(|| format!("input parameter `{}` has no value", p.name))?
            .clone();
        if let Some(hook) = external.and_then(|e| e.get(&p.name)) {
            // Outside data: a relative reference resolves against where the run started, and
            // what the data holds now is part of the cache key.
            let bad = |e: HookError| format!("input parameter `{}` = `{value}`: {e}", p.name);
            value = hook.resolve(&value, &ctx.options.base_dir).map_err(bad)?;
            let bad = |e: HookError| format!("input parameter `{}` = `{value}`: {e}", p.name);
            if let Some(fp) = hook.fingerprint(&value).map_err(bad)? {
                fingerprints.insert(p.name.clone(), fp);
            }
        }
        scope.set(format!("inputs.parameters.{}", p.name), &value);
        input_values.insert(p.name.clone(), value);
    }
    for a in &declared.artifacts {
        if let Some(path) = &a.path {
            scope.set(format!("inputs.artifacts.{}.path", a.name), path);
        }
    }
    // `{{outputs.artifacts.A.path}}` and `{{outputs.parameters.P.path}}`
    // (`workflow/controller/operator.go`, `substituteParams` of a pod's template).
    for o in template.outputs.iter() {
        for a in &o.artifacts {
            if let Some(path) = &a.path {
                scope.set(format!("outputs.artifacts.{}.path", a.name), path);
            }
        }
        for p in &o.parameters {
            if let Some(path) = p.value_from.as_ref().and_then(|f| f.path.as_ref()) {
                scope.set(format!("outputs.parameters.{}.path", p.name), path);
            }
        }
    }
    let mut inputs = Vec::new();
    let mut digests = BTreeMap::new();
    for a in &declared.artifacts {
        let found = match unit.artifacts.get(&a.name) {
            Some(s) => Some(s.clone()),
            None if a.has_location() => source(ctx, a, &scope, &ArtifactIndex::new())
                .map_err(|e| format!("input artifact `{}`: {e}", a.name))?,
            None if a.optional == Some(true) => None,
            None => return Err(format!("input artifact `{}` was not passed", a.name)),
        };
        let Some(found) = found else { continue };
        let path = a
            .path
            .clone()
            .ok_or_else(|| format!("input artifact `{}` has no path", a.name))?;
        digests.insert(a.name.clone(), digest_of(&found));
        inputs.push((path, found));
    }
    let container = template.main_container().cloned().unwrap_or_default();
    let all = |list: &[String]| {
        list.iter()
            .map(|a| substitute(a, &scope))
            .collect::<Result<Vec<_>, _>>()
    };
    let args = all(&container.args)?;
    let command = all(&container.command)?;
    let source = match &template.script {
        Some(s) => Some(substitute(&s.source, &scope)?),
        None => None,
    };
    let env = declared_env(&container, &scope, &ctx.key_sources())?;
    let mut retry_strategy = template.retry_strategy.clone();
    if let Some(rs) = &mut retry_strategy {
        for field in [&mut rs.limit, &mut rs.expression].into_iter().flatten() {
            *field = substitute(field, &scope)?;
        }
    }
    let retry = RetryPlan::from_strategy(retry_strategy.as_ref())?;
    let timeout = timeout(ctx, template, &scope)?;
    let key = cache::key(
        template,
        &input_values,
        &fingerprints,
        &digests,
        &serde_json::json!({ "args": args, "env": env }),
        &ctx.binary_digest,
    );
    Ok(Resolved {
        scope,
        inputs,
        command,
        args,
        source,
        env,
        retry,
        timeout,
        key,
    })
}

/// A container's declared `env` as its pod has it: values substituted, Secret and ConfigMap
/// keys from the sources the user named (an optional one that is absent stays unset).
pub(crate) fn declared_env(
    container: &crate::argo::Container,
    scope: &super::subst::Scope,
    sources: &super::pod_env::KeySources,
) -> Result<Vec<(String, String)>, String> {
    let mut env = Vec::new();
    for e in &container.env {
        match (&e.value, &e.value_from) {
            (Some(v), _) => env.push((e.name.clone(), substitute(v, scope)?)),
            // As in a pod: the key comes from the sources the user named, or not at all.
            (None, Some(from)) => {
                if let Some(value) = sources.resolve(&e.name, from)? {
                    env.push((e.name.clone(), value));
                }
            }
            (None, None) => env.push((e.name.clone(), String::new())),
        }
    }
    Ok(env)
}

/// The component a template runs: its container args start `component <name>`.
fn component_name(template: &crate::argo::Template) -> Option<&str> {
    match template.container.as_ref()?.args.as_slice() {
        [first, name, ..] if first == "component" => Some(name),
        _ => None,
    }
}

fn digest_of(source: &Source) -> String {
    match source {
        Source::Stored(s) => s.digest.clone(),
        Source::Gathered(members) => cache::gathered_digest(members),
        Source::Raw(data) => hex(&Sha256::digest(data.as_bytes())),
        Source::Sub(inner, path) => hex(&Sha256::digest(
            format!("{}/{path}", digest_of(inner)).as_bytes(),
        )),
    }
}

fn timeout(
    ctx: &Ctx,
    template: &crate::argo::Template,
    scope: &Scope,
) -> Result<Option<Duration>, String> {
    let mut limit: Option<Duration> = None;
    let mut tighten = |d: Duration| limit = Some(limit.map_or(d, |l| l.min(d)));
    if let Some(t) = &template.timeout {
        tighten(duration::parse(&substitute(t, scope)?).map_err(|e| format!("timeout: {e}"))?);
    }
    if let Some(t) = &template.active_deadline_seconds {
        let text = substitute(t, scope)?;
        let secs: u64 = text
            .trim()
            .parse()
            .map_err(|_| format!("activeDeadlineSeconds `{text}` is not a number of seconds"))?;
        tighten(Duration::from_secs(secs));
    }
    if let Some(deadline) = ctx.deadline {
        tighten(deadline.saturating_duration_since(Instant::now()));
    }
    Ok(limit)
}
