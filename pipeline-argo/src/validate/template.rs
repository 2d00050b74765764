//! Rules for one template that do not involve other templates or variables.

use crate::lang::duration::{parse_argo, parse_go};
use crate::lang::names::check_field_name;
use crate::lang::quantity::is_quantity;
use crate::lang::retry::RetryPolicy;
use std::collections::{BTreeMap, BTreeSet};

use super::error::{at_template, ErrorKind, ValidationErrors};
use super::names::{check_global_name, check_metadata, check_names, NameKind};
use super::syntax;
use crate::model::{
    Artifact, Backoff, Container, Inputs, Memoize, Outputs, RetryStrategy, Template,
};

/// Checks `t` on its own. `volumes` are the names declared in `spec.volumes`.
pub(crate) fn check_template(t: &Template, volumes: &BTreeSet<&str>, errs: &mut ValidationErrors) {
    let at = at_template(&t.name);
    let types: Vec<&str> = [
        t.container.as_ref().map(|_| "container"),
        t.dag.as_ref().map(|_| "dag"),
    ]
    .into_iter()
    .flatten()
    .collect();
    match types.len() {
        0 => errs.push(&at, ErrorKind::NoTemplateType),
        1 => {}
        _ => errs.push(&at, ErrorKind::MultipleTemplateTypes(types.join(", "))),
    }
    let leaf = t.dag.is_none();
    if !leaf {
        if t.timeout.as_deref().is_some_and(|s| !s.is_empty()) {
            errs.push(&at, ErrorKind::LeafOnlyField("timeout"));
        }
        if t.active_deadline_seconds.is_some() {
            errs.push(&at, ErrorKind::LeafOnlyField("activeDeadlineSeconds"));
        }
    } else if t.parallelism.is_some() {
        errs.push(&at, ErrorKind::DagOnlyField("parallelism"));
    }
    if let Some(timeout) = t.timeout.as_deref().filter(|s| !s.is_empty()) {
        if !syntax::has_tag(timeout) && parse_go(timeout).is_err() {
            errs.push(
                &at,
                invalid_duration("timeout", timeout, "Go duration (e.g. 30m, 1h)"),
            );
        }
    }
    if let Some(ads) = &t.active_deadline_seconds {
        check_int(&at, "activeDeadlineSeconds", ads, errs);
    }
    check_inputs(&at, t.inputs.as_ref(), leaf, errs);
    check_outputs(&at, t.outputs.as_ref(), leaf, errs);
    if let Some(r) = &t.retry_strategy {
        check_retry(&at, r, errs);
    }
    if let Some(m) = &t.memoize {
        check_memoize(&at, m, errs);
    }
    if let Some(c) = &t.container {
        check_container(&at, c, t.inputs.as_ref(), volumes, errs);
    }
    check_metadata(&at, t.metadata.as_ref(), errs);
}

fn invalid_duration(field: &'static str, value: &str, expected: &'static str) -> ErrorKind {
    ErrorKind::InvalidDuration {
        field,
        value: value.to_string(),
        expected,
    }
}

/// An integer string (not negative) or a `{{...}}` tag.
pub(crate) fn check_int(at: &str, field: &'static str, value: &str, errs: &mut ValidationErrors) {
    match syntax::int_value(value) {
        Some(n) if n < 0 => errs.push(
            at,
            ErrorKind::Negative {
                field,
                value: value.to_string(),
            },
        ),
        Some(_) => {}
        None if syntax::is_whole_tag(value) => {}
        None => errs.push(
            at,
            ErrorKind::NotAnInteger {
                field,
                value: value.to_string(),
            },
        ),
    }
}

/// Declared artifact: one location at most.
fn check_locations(at: &str, a: &Artifact, errs: &mut ValidationErrors) {
    let n = [a.s3.is_some(), a.http.is_some(), a.raw.is_some()]
        .iter()
        .filter(|x| **x)
        .count();
    if n > 1 {
        errs.push(at, ErrorKind::MultipleLocations(a.name.clone()));
    }
}

fn artifact_path(
    at: &str,
    what: &'static str,
    a: &Artifact,
    reason: &'static str,
) -> (String, ErrorKind) {
    (
        at.to_string(),
        ErrorKind::ArtifactPath {
            what,
            name: a.name.clone(),
            reason,
        },
    )
}

fn check_inputs(at: &str, inputs: Option<&Inputs>, leaf: bool, errs: &mut ValidationErrors) {
    let Some(inputs) = inputs else { return };
    let at_in = format!("{at}: inputs");
    check_names(
        &at_in,
        NameKind::Parameter,
        inputs.parameters.iter().map(|p| p.name.as_str()),
        errs,
    );
    check_names(
        &at_in,
        NameKind::Artifact,
        inputs.artifacts.iter().map(|a| a.name.as_str()),
        errs,
    );
    for p in &inputs.parameters {
        check_enum(
            &at_in,
            &p.name,
            p.value.as_ref().or(p.default.as_ref()),
            &p.enum_,
            errs,
        );
    }
    for a in &inputs.artifacts {
        if a.from.is_some() {
            errs.push(&at_in, ErrorKind::FromInInputs(a.name.clone()));
        }
        check_locations(&at_in, a, errs);
        let bad = match (leaf, a.path.as_deref()) {
            (true, None | Some("")) => Some("path is required in container templates"),
            (false, Some(_)) => Some("path is only valid in container templates"),
            _ => None,
        };
        if let Some(reason) = bad {
            let (l, k) = artifact_path(&at_in, "input", a, reason);
            errs.push(l, k);
        }
    }
}

/// A value (if any and not a tag) must be one of a non-empty `enum`.
pub(crate) fn check_enum(
    at: &str,
    name: &str,
    value: Option<&String>,
    allowed: &[String],
    errs: &mut ValidationErrors,
) {
    let Some(v) = value else { return };
    if allowed.is_empty() || syntax::has_tag(v) || allowed.contains(v) {
        return;
    }
    errs.push(
        at,
        ErrorKind::ValueNotInEnum {
            name: name.to_string(),
            value: v.clone(),
            allowed: allowed.to_vec(),
        },
    );
}

fn check_outputs(at: &str, outputs: Option<&Outputs>, leaf: bool, errs: &mut ValidationErrors) {
    let Some(outputs) = outputs else { return };
    let at_out = format!("{at}: outputs");
    check_names(
        &at_out,
        NameKind::Parameter,
        outputs.parameters.iter().map(|p| p.name.as_str()),
        errs,
    );
    check_names(
        &at_out,
        NameKind::Artifact,
        outputs.artifacts.iter().map(|a| a.name.as_str()),
        errs,
    );
    for p in &outputs.parameters {
        let reason = match (&p.value, &p.value_from) {
            (Some(_), Some(_)) => Some("has both value and valueFrom; choose one"),
            (None, None) => Some("needs a value or valueFrom"),
            (None, Some(vf)) if leaf && vf.path.is_none() => {
                Some("valueFrom.path is required in container templates")
            }
            (None, Some(vf)) if !leaf => match (&vf.parameter, &vf.expression) {
                (None, None) => {
                    Some("valueFrom.parameter or valueFrom.expression is required in DAG templates")
                }
                (Some(_), Some(_)) => Some("has both valueFrom.parameter and valueFrom.expression"),
                _ => None,
            },
            _ => None,
        };
        if let Some(reason) = reason {
            errs.push(
                &at_out,
                ErrorKind::InvalidOutputParameter {
                    name: p.name.clone(),
                    reason,
                },
            );
        }
        check_global_name(&at_out, p.global_name.as_ref(), errs);
    }
    for a in &outputs.artifacts {
        check_locations(&at_out, a, errs);
        let bad = match (leaf, a.path.as_deref()) {
            (true, None | Some("")) => Some("path is required in container templates"),
            (false, Some(_)) => Some("path is only valid in container templates"),
            (false, None) if a.from.is_none() && a.from_expression.is_none() => {
                Some("needs from or fromExpression in DAG templates")
            }
            _ => None,
        };
        if let Some(reason) = bad {
            let (l, k) = artifact_path(&at_out, "output", a, reason);
            errs.push(l, k);
        }
        if a.from.is_some() && a.from_expression.is_some() {
            errs.push(&at_out, ErrorKind::FromAndFromExpression(a.name.clone()));
        }
        check_global_name(&at_out, a.global_name.as_ref(), errs);
    }
}

fn check_retry(at: &str, r: &RetryStrategy, errs: &mut ValidationErrors) {
    if *r == RetryStrategy::default() {
        errs.push(
            at,
            ErrorKind::UnboundedRetry("is empty ({}), which retries forever"),
        );
        return;
    }
    let bounded_by_time = r
        .backoff
        .as_ref()
        .and_then(|b| b.max_duration.as_ref())
        .is_some();
    match &r.limit {
        Some(limit) => check_int(at, "retryStrategy.limit", limit, errs),
        None if !bounded_by_time => errs.push(
            at,
            ErrorKind::UnboundedRetry(
                "has no limit (and no backoff.maxDuration), so it retries forever",
            ),
        ),
        None => {}
    }
    if let Some(policy) = &r.retry_policy {
        if policy.parse::<RetryPolicy>().is_err() {
            errs.push(at, ErrorKind::InvalidRetryPolicy(policy.clone()));
        }
    }
    if let Some(b) = &r.backoff {
        check_backoff(at, b, errs);
    }
    if let Some(e) = r.expression.as_deref().filter(|e| !syntax::has_tag(e)) {
        if let Err(reason) = check_retry_expression(e) {
            let kind = ErrorKind::BadExpression {
                field: "retryStrategy",
                expression: e.to_owned(),
                reason,
            };
            errs.push(at, kind);
        }
    }
}

/// `retryStrategy.expression` sees only `retries` and `lastRetry.{exitCode,status,duration,
/// message}` (argo `buildRetryStrategyLocalScope`, `workflow/controller/operator.go`).
fn check_retry_expression(e: &str) -> Result<(), String> {
    let parsed = crate::expr::parse(e)?;
    for var in parsed.variables() {
        let ok = match var {
            [one] => one == "retries",
            [root, field] => {
                root == "lastRetry"
                    && ["exitCode", "status", "duration", "message"].contains(&field.as_str())
            }
            _ => false,
        };
        if !ok {
            return Err(format!(
                "`{}` is not in scope (only retries and lastRetry.exitCode/status/duration/message)",
                var.join(".")
            ));
        }
    }
    Ok(())
}

fn check_backoff(at: &str, b: &Backoff, errs: &mut ValidationErrors) {
    if b.duration.is_none() {
        errs.push(at, ErrorKind::BackoffWithoutDuration);
    }
    let fields = [
        ("retryStrategy.backoff.duration", &b.duration),
        ("retryStrategy.backoff.maxDuration", &b.max_duration),
        ("retryStrategy.backoff.cap", &b.cap),
    ];
    for (field, value) in fields {
        let Some(v) = value else { continue };
        let ok = syntax::has_tag(v) || parse_argo(v).is_ok();
        if !ok {
            errs.push(
                at,
                invalid_duration(
                    field,
                    v,
                    "duration (integer seconds or Go duration such as 30s, 2m, 1h)",
                ),
            );
        }
    }
    if let Some(f) = &b.factor {
        check_int(at, "retryStrategy.backoff.factor", f, errs);
    }
}

/// The key with every `{{...}}` replaced by `x` must match `^[a-zA-Z0-9][-a-zA-Z0-9]*$`.
fn check_memoize(at: &str, m: &Memoize, errs: &mut ValidationErrors) {
    let mut fixed = String::new();
    let mut rest = m.key.as_str();
    while let Some(start) = rest.find("{{") {
        fixed.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                fixed.push('x');
                rest = &rest[start + end + 2..];
            }
            None => {
                fixed.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    fixed.push_str(rest);
    if check_field_name(&fixed).is_err() || fixed.len() > 253 {
        errs.push(at, ErrorKind::InvalidMemoizeKey(m.key.clone()));
    }
    let age = &m.max_age;
    if !age.is_empty() && !syntax::has_tag(age) && parse_go(age).is_err() {
        errs.push(
            at,
            invalid_duration(
                "memoize.maxAge",
                age,
                "Go duration (e.g. 180s, 720h; no 'd' unit)",
            ),
        );
    }
    if m.cache.config_map.name.is_empty() {
        errs.push(at, ErrorKind::MissingCacheName);
    }
}

fn check_container(
    at: &str,
    c: &Container,
    inputs: Option<&Inputs>,
    volumes: &BTreeSet<&str>,
    errs: &mut ValidationErrors,
) {
    if c.image.trim().is_empty() {
        errs.push(at, ErrorKind::EmptyImage);
    }
    if let Some(r) = &c.resources {
        for (kind, map) in [("limits", &r.limits), ("requests", &r.requests)] {
            for (name, q) in map {
                if !syntax::has_tag(q) && !is_quantity(q) {
                    errs.push(
                        at,
                        ErrorKind::InvalidQuantity {
                            field: format!("container.resources.{kind}.{name}"),
                            value: q.clone(),
                        },
                    );
                }
            }
        }
    }
    let mut paths: BTreeMap<&str, String> = BTreeMap::new();
    for m in &c.volume_mounts {
        if !volumes.contains(m.name.as_str()) {
            errs.push(at, ErrorKind::UnknownVolume(m.name.clone()));
        }
        let what = format!("volumeMount {:?}", m.name);
        if let Some(prev) = paths.insert(&m.mount_path, what) {
            errs.push(at, path_collision(&m.mount_path, prev));
        }
    }
    for a in inputs.map(|i| i.artifacts.as_slice()).unwrap_or_default() {
        let Some(p) = a.path.as_deref() else { continue };
        if let Some(prev) = paths.insert(p, format!("input artifact {:?}", a.name)) {
            errs.push(at, path_collision(p, prev));
        }
    }
    for e in &c.env {
        if e.value.is_some() && e.value_from.is_some() {
            errs.push(at, ErrorKind::EnvValueAndValueFrom(e.name.clone()));
        }
    }
}

fn path_collision(path: &str, previous: String) -> ErrorKind {
    ErrorKind::PathCollision {
        path: path.to_string(),
        previous,
    }
}
