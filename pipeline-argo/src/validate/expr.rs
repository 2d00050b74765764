//! Best-effort reading of `{{=expr}}` expression tags: member-access chains rooted at `tasks`,
//! `inputs` or `workflow` are extracted (string literals skipped) and resolved with the same
//! rules as simple tags.

use super::scope::{resolve_inputs, resolve_task, resolve_workflow, Scope};
use crate::lang::tags::{tags, Tag};

/// One member-access chain found in an expression, e.g. `tasks['a'].outputs.result`.
pub(crate) struct ExprRef {
    pub segments: Vec<String>,
    /// The chain is directly followed by `-` (a hyphenated name without index syntax).
    pub hyphen_after: bool,
}

/// Finds member-access chains rooted at `tasks`, `inputs` or `workflow` (string literals skipped).
pub(crate) fn expression_refs(expr: &str) -> Vec<ExprRef> {
    let b = expr.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' || c == b'"' || c == b'`' {
            i = skip_string(b, i);
            continue;
        }
        if !(c.is_ascii_alphabetic() || c == b'_')
            || (i > 0 && (ident(b[i - 1]) || b[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && ident(b[i]) {
            i += 1;
        }
        let root = &expr[start..i];
        if !["tasks", "inputs", "workflow"].contains(&root) {
            continue;
        }
        let mut segments = vec![root.to_string()];
        loop {
            if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(|c| ident(*c)) {
                let s = i + 1;
                i = s;
                while i < b.len() && ident(b[i]) {
                    i += 1;
                }
                segments.push(expr[s..i].to_string());
            } else if b.get(i) == Some(&b'[') && matches!(b.get(i + 1), Some(b'\'' | b'"')) {
                let end = skip_string(b, i + 1);
                if b.get(end) != Some(&b']') || end < i + 3 {
                    break;
                }
                segments.push(expr[i + 2..end - 1].to_string());
                i = end + 1;
            } else {
                break;
            }
        }
        let hyphen_after = b.get(i) == Some(&b'-');
        out.push(ExprRef {
            segments,
            hyphen_after,
        });
    }
    out
}

/// Index just after the string literal starting at `start`.
fn skip_string(b: &[u8], start: usize) -> usize {
    let quote = b[start];
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Best-effort check of an expression tag.
pub(super) fn check_expression(scope: &Scope<'_>, expr: &str) -> Result<(), String> {
    for r in expression_refs(expr) {
        let segs: Vec<&str> = r.segments.iter().map(String::as_str).collect();
        let result = match segs.as_slice() {
            ["tasks", rest @ ..] if !rest.is_empty() => resolve_task(scope, rest, true),
            ["inputs", "parameters" | "artifacts", _, ..] => resolve_inputs(scope, &segs[1..3]),
            ["workflow", "parameters", p, ..] if *p != "json" => {
                resolve_workflow(scope, &format!("parameters.{p}"))
            }
            ["workflow", v @ ("status" | "failures"), ..] => resolve_workflow(scope, v),
            _ => Ok(()),
        };
        if let Err(reason) = result {
            let hint = if r.hyphen_after {
                " (hyphenated names need index syntax in expressions, e.g. tasks['my-task'])"
            } else {
                ""
            };
            return Err(format!("{}: {reason}{hint}", segs.join(".")));
        }
    }
    Ok(())
}

/// `(task, artifact)` pairs referenced as `tasks.<task>.outputs.artifacts.<artifact>` in `text`.
pub(crate) fn task_artifact_refs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for tag in tags(text).unwrap_or_default() {
        match tag {
            Tag::Variable(t) => {
                if let ["tasks", task, "outputs", "artifacts", art] =
                    t.split('.').collect::<Vec<_>>().as_slice()
                {
                    out.push((task.to_string(), art.to_string()));
                }
            }
            Tag::Expression(e) => out.extend(expr_artifact_refs(e)),
        }
    }
    out
}

/// The same, for a bare expression (`fromExpression`).
pub(crate) fn expr_artifact_refs(expr: &str) -> Vec<(String, String)> {
    expression_refs(expr)
        .into_iter()
        .filter_map(|r| match r.segments.as_slice() {
            [root, task, o, a, art, ..]
                if root == "tasks" && o == "outputs" && a == "artifacts" =>
            {
                Some((task.clone(), art.clone()))
            }
            _ => None,
        })
        .collect()
}
