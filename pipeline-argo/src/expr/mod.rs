//! The subset of the expr language (github.com/expr-lang/expr) that Argo evaluates in `{{=...}}`
//! tags and in `retryStrategy.expression`, as the compiler emits it and the local runner and the
//! validator read it.
//!
//! Argo builds the environment with `util/expr/env/env.go` `GetFuncMap`: the variables (all
//! strings: `tasks.x.outputs.parameters.p`, `workflow.parameters.p`, `lastRetry.exitCode`, ...)
//! plus `asInt`/`asFloat` (aliases of expr's `int`/`float`), `sprig`, `jsonpath`, `toJson`.
//!
//! Supported: string literals (`'...'`, `"..."`), numbers, `true`/`false`/`nil`, variables with
//! `.name` and `['name']` access, `asFloat`/`float`/`asInt`/`int`/`string` calls,
//! `jsonpath(json, path)` (paths `$`, `.name`, `['name']`, `[index]`), the `sprig.*` string,
//! conversion and integer functions listed in `sprig.rs` (`sprig.trim(s)`,
//! `sprig.replace(old, new, s)`, `sprig.add(a, b, ...)`, ...), `!`/`not`,
//! unary `-`, `== != < <= > >=`, `matches` (RE2 syntax), `&&`/`and`, `||`/`or`, `?:` and
//! parentheses. Anything else is a parse error naming what was found.

mod eval;
pub mod jsonpath;
mod parse;
mod sprig;
mod value;

pub use eval::evaluate;
pub use parse::{parse, Expr};
pub use value::Value;

/// Why an expression or a JSONPath could not be parsed or evaluated: one line naming what was
/// found, as Argo's message would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExprError(String);

impl ExprError {
    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl From<String> for ExprError {
    fn from(message: String) -> Self {
        ExprError(message)
    }
}

impl From<ExprError> for String {
    fn from(e: ExprError) -> Self {
        e.0
    }
}

/// A path in the expression environment (`tasks['train-fold'].outputs.result` is
/// `["tasks", "train-fold", "outputs", "result"]`) written the way expr reads it: `.name` for
/// identifiers, `['name']` for anything else (hyphenated task and parameter names).
pub fn path_text(segments: &[&str]) -> String {
    let mut out = String::new();
    for (i, s) in segments.iter().enumerate() {
        let ident = !s.is_empty()
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !s.starts_with(|c: char| c.is_ascii_digit());
        if i == 0 {
            out.push_str(s);
        } else if ident {
            out.push('.');
            out.push_str(s);
        } else {
            out.push('[');
            out.push_str(&quote(s));
            out.push(']');
        }
    }
    out
}

/// `s` as a single-quoted expr string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// An RE2 pattern matching what both Go's `strconv.ParseFloat` and Rust's `f64` parser read as a
/// finite decimal number: the guard the compiler puts before `asFloat` so that `NaN`, `null`,
/// `80%` or an empty value make a numeric condition false instead of an evaluation error.
pub const NUMBER_PATTERN: &str = "^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$";

#[cfg(test)]
mod tests;
