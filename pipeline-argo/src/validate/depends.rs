//! Parsing of enhanced `depends` expressions (`a && (b.Failed || !c.Skipped)`).

use crate::model::DagTask;

/// One reference in `depends`: `task` or `task.Result`.
#[derive(Debug, PartialEq)]
pub(crate) struct DepRef {
    pub task: String,
    pub result: Option<String>,
}

/// Parses an enhanced `depends` expression (`a && (b.Failed || !c.Skipped)`).
pub(crate) fn parse_depends(expr: &str) -> Result<Vec<DepRef>, String> {
    #[derive(PartialEq)]
    enum Tok {
        And,
        Or,
        Not,
        Open,
        Close,
        Name,
    }
    let b = expr.as_bytes();
    let mut toks = Vec::new();
    let mut refs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'&' | b'|' if b.get(i + 1) == Some(&c) => {
                toks.push(if c == b'&' { Tok::And } else { Tok::Or });
                i += 2;
            }
            b'!' | b'(' | b')' => {
                toks.push(match c {
                    b'!' => Tok::Not,
                    b'(' => Tok::Open,
                    _ => Tok::Close,
                });
                i += 1;
            }
            c if c.is_ascii_alphanumeric() => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
                    i += 1;
                }
                let task = expr[start..i].to_string();
                let mut result = None;
                if b.get(i) == Some(&b'.') {
                    let s = i + 1;
                    i = s;
                    while i < b.len() && b[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    if i == s {
                        return Err(format!("missing task result after \"{task}.\""));
                    }
                    result = Some(expr[s..i].to_string());
                }
                refs.push(DepRef { task, result });
                toks.push(Tok::Name);
            }
            _ => {
                return Err(format!(
                    "unexpected character {:?} at offset {i}",
                    expr[i..].chars().next().unwrap_or('?')
                ))
            }
        }
    }
    // Grammar: expr := unary (('&&'|'||') unary)* ; unary := '!'* (NAME | '(' expr ')').
    let mut depth = 0usize;
    let mut expect_operand = true;
    for t in &toks {
        match (t, expect_operand) {
            (Tok::Not, true) => {}
            (Tok::Open, true) => depth += 1,
            (Tok::Name, true) => expect_operand = false,
            (Tok::And | Tok::Or, false) => expect_operand = true,
            (Tok::Close, false) if depth > 0 => depth -= 1,
            (Tok::Close, false) => return Err("unbalanced ')'".to_string()),
            (_, true) => return Err("expected a task name".to_string()),
            (_, false) => return Err("expected '&&', '||' or ')' between task names".to_string()),
        }
    }
    if toks.is_empty() {
        return Err("empty expression".to_string());
    }
    if expect_operand {
        return Err("ends with an operator".to_string());
    }
    if depth > 0 {
        return Err("unbalanced '('".to_string());
    }
    Ok(refs)
}

/// The references of a task's `depends` or `dependencies` (empty on a parse error).
pub(crate) fn task_deps(task: &DagTask) -> Result<Vec<DepRef>, String> {
    match &task.depends {
        Some(d) => parse_depends(d),
        None => Ok(task
            .dependencies
            .iter()
            .map(|d| DepRef {
                task: d.clone(),
                result: None,
            })
            .collect()),
    }
}
