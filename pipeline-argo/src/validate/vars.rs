//! Checks the `{{...}}` tags of a template's strings: simple tags against the [`super::scope`]
//! they appear in, expression tags (`{{=...}}`) best-effort by [`super::expr`].

use serde_json::Value;

use super::error::ErrorKind;
use super::expr::check_expression;
use super::scope::{resolve, Scope};
use crate::lang::tags::{tags, Tag};

/// Checks every string inside `value` (JSON of a template, task or outputs).
pub(crate) fn check_value(scope: &Scope<'_>, path: &str, value: &Value, errs: &mut Vec<ErrorKind>) {
    match value {
        Value::String(s) => check_text(scope, path, s, errs),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_value(scope, &format!("{path}[{i}]"), v, errs);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                check_value(scope, &p, v, errs);
            }
        }
        _ => {}
    }
}

/// Checks the tags of one string.
pub(crate) fn check_text(scope: &Scope<'_>, field: &str, text: &str, errs: &mut Vec<ErrorKind>) {
    let Ok(found) = tags(text) else {
        errs.push(ErrorKind::UnclosedTag {
            field: field.to_string(),
            text: text.to_string(),
        });
        return;
    };
    for tag in found {
        let (shown, result) = match tag {
            Tag::Variable(t) => (t.to_string(), resolve(scope, t)),
            Tag::Expression(e) => (format!("={e}"), check_expression(scope, e)),
        };
        if let Err(reason) = result {
            errs.push(ErrorKind::UnresolvedVariable {
                field: field.to_string(),
                tag: shown,
                reason,
            });
        }
    }
}
