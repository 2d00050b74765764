//! Object metadata, labels and the name rules of templates, tasks, parameters and artifacts.

use std::collections::BTreeSet;

use super::error::{ErrorKind, ValidationErrors};
use super::syntax;
use crate::lang::names::{self as rules, NameError};
use crate::model::{Metadata, ObjectMeta, StringMap};

/// Characters Kubernetes appends to `generateName`.
const GENERATED_SUFFIX_LEN: usize = 5;

/// How strict the object name rules are.
pub(crate) struct NameRules {
    /// Maximum length of `metadata.name` (63 for workflows, 52 for CronWorkflows).
    pub max_len: usize,
    /// `generateName` is accepted instead of `name`.
    pub allow_generate_name: bool,
}

/// `metadata.name` / `generateName` / `namespace`, labels and annotations.
pub(crate) fn check_object_meta(meta: &ObjectMeta, rules: &NameRules, errs: &mut ValidationErrors) {
    let at = "metadata";
    match (&meta.name, &meta.generate_name) {
        (Some(name), _) => {
            if let Err(reason) = rules::check_dns_subdomain(name, rules.max_len) {
                errs.push(at, invalid_object_name("metadata.name", name, reason));
            }
        }
        (None, Some(prefix)) if rules.allow_generate_name => {
            check_generate_name(prefix, rules.max_len, errs)
        }
        (None, _) if rules.allow_generate_name => errs.push(
            at,
            ErrorKind::MissingObjectName("metadata.name or metadata.generateName is required"),
        ),
        (None, _) => errs.push(
            at,
            ErrorKind::MissingObjectName("metadata.name is required"),
        ),
    }
    if let Some(ns) = &meta.namespace {
        if let Err(reason) = rules::check_dns_label(ns) {
            errs.push(at, invalid_object_name("metadata.namespace", ns, reason));
        }
    }
    check_labels("metadata", &meta.labels, &meta.annotations, errs);
}

fn invalid_object_name(field: &'static str, value: &str, reason: impl ToString) -> ErrorKind {
    ErrorKind::InvalidObjectName {
        field,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// The generated name (`prefix` + 5 characters) must be a valid name of at most `max_len`.
fn check_generate_name(prefix: &str, max_len: usize, errs: &mut ValidationErrors) {
    let limit = max_len.saturating_sub(GENERATED_SUFFIX_LEN);
    let reason = if prefix.is_empty() {
        Some("must not be empty".to_string())
    } else if prefix.len() > limit {
        Some(format!(
            "must be no more than {limit} characters so that the generated name fits in \
             {max_len} (is {})",
            prefix.len()
        ))
    } else {
        rules::check_dns_subdomain(&format!("{prefix}x0000"), usize::MAX)
            .err()
            .map(|_| {
                "must be lowercase alphanumeric characters, '-' or '.', starting with an \
                 alphanumeric character (e.g. my-pipeline-)"
                    .to_string()
            })
    };
    if let Some(reason) = reason {
        errs.push(
            "metadata",
            invalid_object_name("metadata.generateName", prefix, reason),
        );
    }
}

/// Label keys/values and annotation keys.
pub(crate) fn check_labels(
    at: &str,
    labels: &StringMap,
    annotations: &StringMap,
    errs: &mut ValidationErrors,
) {
    for (k, v) in labels {
        if let Err(reason) = rules::check_label_key(k) {
            errs.push(at, invalid_label("label key", k, reason));
        }
        if let Err(reason) = rules::check_label_value(v) {
            errs.push(at, invalid_label("label value", v, reason));
        }
    }
    for k in annotations.keys() {
        if let Err(reason) = rules::check_label_key(k) {
            errs.push(at, invalid_label("annotation key", k, reason));
        }
    }
}

/// Labels and annotations of a template or of `spec.workflowMetadata`.
pub(crate) fn check_metadata(at: &str, meta: Option<&Metadata>, errs: &mut ValidationErrors) {
    if let Some(m) = meta {
        check_labels(at, &m.labels, &m.annotations, errs);
    }
}

fn invalid_label(what: &'static str, value: &str, reason: impl ToString) -> ErrorKind {
    ErrorKind::InvalidLabel {
        what,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// The kinds of names checked by [`check_names`].
#[derive(Clone, Copy)]
pub(crate) enum NameKind {
    Template,
    Task,
    Parameter,
    Artifact,
    Volume,
}

impl NameKind {
    fn label(self) -> &'static str {
        match self {
            NameKind::Template => "template",
            NameKind::Task => "task",
            NameKind::Parameter => "parameter",
            NameKind::Artifact => "artifact",
            NameKind::Volume => "volume",
        }
    }

    fn check(self, name: &str) -> Result<(), NameError> {
        match self {
            NameKind::Template | NameKind::Task => rules::check_field_name(name),
            NameKind::Parameter | NameKind::Artifact => rules::check_param_name(name),
            NameKind::Volume => rules::check_dns_label(name),
        }
    }
}

/// Every name non-empty, valid for its kind and unique in the list.
pub(crate) fn check_names<'a>(
    at: &str,
    kind: NameKind,
    names: impl IntoIterator<Item = &'a str>,
    errs: &mut ValidationErrors,
) {
    let mut seen = BTreeSet::new();
    for name in names {
        if name.is_empty() {
            errs.push(at, ErrorKind::EmptyName(kind.label()));
            continue;
        }
        if let Err(reason) = kind.check(name) {
            errs.push(
                at,
                ErrorKind::InvalidName {
                    what: kind.label(),
                    name: name.to_string(),
                    reason: reason.to_string(),
                },
            );
        }
        if !seen.insert(name) {
            errs.push(
                at,
                ErrorKind::DuplicateName {
                    what: kind.label(),
                    name: name.to_string(),
                },
            );
        }
    }
}

/// A `globalName`: a parameter-style name unless it is a `{{...}}` tag.
pub(crate) fn check_global_name(at: &str, name: Option<&String>, errs: &mut ValidationErrors) {
    if let Some(g) = name {
        if syntax::is_whole_tag(g) {
            return;
        }
        if let Err(reason) = rules::check_param_name(g) {
            errs.push(
                at,
                ErrorKind::InvalidName {
                    what: "globalName",
                    name: g.clone(),
                    reason: reason.to_string(),
                },
            );
        }
    }
}
