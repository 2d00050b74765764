//! Argo's enhanced `depends` expressions (`a && (b.Failed || !c.Skipped)`) and the plain
//! `dependencies` list, parsed once for the validator and the local runner.
//!
//! Argo rewrites a `depends` expression for `govaluate` (`workflow/common/ancestry.go`):
//! operands are task names with an optional `.Result`, combined with `!`, `&&`, `||` and
//! parentheses; a bare name `T` means `T.Succeeded || T.Skipped || T.Daemoned`, widened by the
//! task's `continueOn` ([`Depends::expand`]).
//!
//! ```
//! use argo_lang::depends::Depends;
//!
//! let d = Depends::parse("train && (eval.Failed || !report.Skipped)").unwrap();
//! assert_eq!(
//!     d.refs(),
//!     [("train", None), ("eval", Some("Failed")), ("report", Some("Skipped"))]
//! );
//! assert!(Depends::parse("train &&").is_err());
//! ```

use std::collections::BTreeSet;

/// The results a `depends` operand may name (`task.Result`).
pub const TASK_RESULTS: [&str; 8] = [
    "Succeeded",
    "Failed",
    "Errored",
    "Skipped",
    "Omitted",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
];

/// A parsed `depends` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Depends {
    /// `task` or `task.Result` (any word: [`TASK_RESULTS`] lists the ones Argo knows).
    Task(String, Option<String>),
    /// `!x`.
    Not(Box<Depends>),
    /// `a && b`.
    And(Box<Depends>, Box<Depends>),
    /// `a || b`.
    Or(Box<Depends>, Box<Depends>),
    /// Always true (no dependencies).
    True,
}

/// Why a `depends` expression does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct DependsError {
    /// What is wrong, naming the token.
    pub reason: String,
}

fn fail<T>(reason: impl Into<String>) -> Result<T, DependsError> {
    Err(DependsError {
        reason: reason.into(),
    })
}

impl Depends {
    /// The `dependencies: [a, b]` list form: every task done and not failed.
    pub fn all(tasks: &[String]) -> Depends {
        tasks.iter().fold(Depends::True, |acc, t| {
            let term = Depends::Task(t.clone(), None);
            match acc {
                Depends::True => term,
                acc => Depends::And(Box::new(acc), Box::new(term)),
            }
        })
    }

    /// Parses an expression: `expr := and ('||' and)*`, `and := unary ('&&' unary)*`,
    /// `unary := '!' unary | '(' expr ')' | NAME ['.' RESULT]`; names are letters, digits, `-`
    /// and `_`.
    pub fn parse(text: &str) -> Result<Depends, DependsError> {
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return fail("empty expression");
        }
        let mut parser = Parser { tokens, pos: 0 };
        let expr = parser.or()?;
        match parser.tokens.get(parser.pos) {
            None => Ok(expr),
            Some(t) => fail(format!("unexpected `{t}` after a complete expression")),
        }
    }

    /// Argo's expansion of a bare task name (`workflow/common/ancestry.go`, `expandDependency`):
    /// `T` means `T.Succeeded || T.Skipped || T.Daemoned`, plus `T.Errored` when `T` sets
    /// `continueOn.error` and `T.Failed` when it sets `continueOn.failed`. `continues(T)` gives
    /// `(error, failed)`; a bare name stays bare with the widening results or-ed to it.
    pub fn expand(self, continues: &dyn Fn(&str) -> (bool, bool)) -> Depends {
        match self {
            Depends::Task(t, None) => {
                let (error, failed) = continues(&t);
                let mut expr = Depends::Task(t.clone(), None);
                for (on, result) in [(error, "Errored"), (failed, "Failed")] {
                    if on {
                        let term = Depends::Task(t.clone(), Some(result.into()));
                        expr = Depends::Or(Box::new(expr), Box::new(term));
                    }
                }
                expr
            }
            Depends::Not(a) => Depends::Not(Box::new(a.expand(continues))),
            Depends::And(a, b) => {
                Depends::And(Box::new(a.expand(continues)), Box::new(b.expand(continues)))
            }
            Depends::Or(a, b) => {
                Depends::Or(Box::new(a.expand(continues)), Box::new(b.expand(continues)))
            }
            other => other,
        }
    }

    /// Every operand, in order: the task and the result it names.
    pub fn refs(&self) -> Vec<(&str, Option<&str>)> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    /// The task names the expression mentions.
    pub fn tasks(&self) -> BTreeSet<String> {
        self.refs().into_iter().map(|(t, _)| t.to_owned()).collect()
    }

    fn collect<'a>(&'a self, out: &mut Vec<(&'a str, Option<&'a str>)>) {
        match self {
            Depends::Task(t, r) => out.push((t, r.as_deref())),
            Depends::Not(a) => a.collect(out),
            Depends::And(a, b) | Depends::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Depends::True => {}
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<String>, DependsError> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    let word_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' | ')' | '!' => tokens.push(c.to_string()),
            '&' | '|' => match chars.next() {
                Some((_, d)) if d == c => tokens.push(format!("{c}{c}")),
                _ => return fail(format!("expected `{c}{c}` at offset {i}")),
            },
            c if word_char(c) => {
                let mut word = c.to_string();
                while let Some(&(_, d)) = chars.peek() {
                    if word_char(d) || d == '.' {
                        word.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(word);
            }
            other => return fail(format!("unexpected character {other:?} at offset {i}")),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<String>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn or(&mut self) -> Result<Depends, DependsError> {
        let mut lhs = self.and()?;
        while self.peek() == Some("||") {
            self.pos += 1;
            lhs = Depends::Or(Box::new(lhs), Box::new(self.and()?));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Depends, DependsError> {
        let mut lhs = self.unary()?;
        while self.peek() == Some("&&") {
            self.pos += 1;
            lhs = Depends::And(Box::new(lhs), Box::new(self.unary()?));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Depends, DependsError> {
        let token = self.peek().map(str::to_owned);
        self.pos += 1;
        match token.as_deref() {
            Some("!") => Ok(Depends::Not(Box::new(self.unary()?))),
            Some("(") => {
                let inner = self.or()?;
                if self.peek() != Some(")") {
                    return fail("unbalanced '('");
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(word) if !matches!(word, ")" | "&&" | "||") => term(word),
            Some(other) => fail(format!("expected a task name, found `{other}`")),
            None => fail("ends with an operator"),
        }
    }
}

fn term(word: &str) -> Result<Depends, DependsError> {
    match word.split_once('.') {
        None => Ok(Depends::Task(word.into(), None)),
        Some((task, result))
            if !task.is_empty()
                && !result.is_empty()
                && result.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            Ok(Depends::Task(task.into(), Some(result.into())))
        }
        Some(_) => fail(format!("`{word}` is not `task` or `task.Result`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_argo_parses() {
        let d = Depends::parse("(a.Succeeded && !b.Failed) || c-d.Errored || e_f").unwrap();
        assert_eq!(
            d.refs(),
            [
                ("a", Some("Succeeded")),
                ("b", Some("Failed")),
                ("c-d", Some("Errored")),
                ("e_f", None)
            ]
        );
        // `&&` binds tighter than `||`.
        assert_eq!(
            Depends::parse("a || b && c").unwrap(),
            Depends::Or(
                Box::new(Depends::Task("a".into(), None)),
                Box::new(Depends::And(
                    Box::new(Depends::Task("b".into(), None)),
                    Box::new(Depends::Task("c".into(), None))
                ))
            )
        );
        // Any word parses as a result; which ones Argo knows is the caller's check.
        assert_eq!(
            Depends::parse("a.Done").unwrap().refs(),
            [("a", Some("Done"))]
        );
    }

    #[test]
    fn rejects_bad_expressions() {
        for (bad, reason) in [
            ("a &", "expected `&&` at offset 2"),
            ("(a", "unbalanced '('"),
            ("a b", "unexpected `b` after a complete expression"),
            ("&& a", "expected a task name, found `&&`"),
            ("", "empty expression"),
            ("a ||", "ends with an operator"),
            ("a.", "`a.` is not `task` or `task.Result`"),
            ("a.b.c", "`a.b.c` is not `task` or `task.Result`"),
            ("a + b", "unexpected character '+' at offset 2"),
        ] {
            assert_eq!(Depends::parse(bad).unwrap_err().reason, reason, "{bad}");
        }
    }

    #[test]
    fn continue_on_widens_bare_names_only() {
        let continues = |t: &str| (t == "e", t == "f");
        let expanded = Depends::parse("f && e.Succeeded")
            .unwrap()
            .expand(&continues);
        assert_eq!(
            expanded.refs(),
            [("f", None), ("f", Some("Failed")), ("e", Some("Succeeded"))]
        );
    }
}
