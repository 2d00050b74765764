//! Argo's enhanced `depends` logic: `A`, `A.Succeeded`, `!`, `&&`, `||` and parentheses; and the
//! plain `dependencies` list.

use std::collections::BTreeSet;

/// Final phase of a DAG task, as `depends` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Ran and succeeded (a cache hit counts as a success).
    Succeeded,
    /// The step exited non-zero, or timed out.
    Failed,
    /// The runner could not run it (bad expression, unknown variable, spawn failure).
    Errored,
    /// `when` was false.
    Skipped,
    /// `depends` can never be satisfied.
    Omitted,
}

/// A finished task: its phase and, for fan-outs, how its items ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Done {
    /// Aggregated phase.
    pub phase: Phase,
    /// At least one item succeeded.
    pub any_succeeded: bool,
    /// Every item failed (and there was at least one).
    pub all_failed: bool,
}

impl Done {
    /// A task that is not a fan-out.
    pub(crate) fn single(phase: Phase) -> Self {
        Done {
            phase,
            any_succeeded: phase == Phase::Succeeded,
            all_failed: matches!(phase, Phase::Failed | Phase::Errored),
        }
    }
}

/// A parsed `depends` expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Depends {
    /// `task` or `task.Result`.
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

const RESULTS: [&str; 8] = [
    "Succeeded",
    "Failed",
    "Skipped",
    "Omitted",
    "Errored",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
];

impl Depends {
    /// The `dependencies: [a, b]` list form: every task done and not failed.
    pub(crate) fn all(tasks: &[String]) -> Depends {
        tasks.iter().fold(Depends::True, |acc, t| {
            let term = Depends::Task(t.clone(), None);
            match acc {
                Depends::True => term,
                acc => Depends::And(Box::new(acc), Box::new(term)),
            }
        })
    }

    /// Parses an expression; the error names the problem and the expression.
    pub(crate) fn parse(text: &str) -> Result<Depends, String> {
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, pos: 0 };
        let expr = parser.or()?;
        match parser.tokens.get(parser.pos) {
            None => Ok(expr),
            Some(t) => Err(format!("unexpected `{t}` in depends `{text}`")),
        }
    }

    /// Argo's expansion of a bare task name (`workflow/common/ancestry.go`, `expandDependency`):
    /// `T` means `T.Succeeded || T.Skipped || T.Daemoned`, plus `T.Errored` when `T` sets
    /// `continueOn.error` and `T.Failed` when it sets `continueOn.failed`. `continues(T)` gives
    /// `(error, failed)`.
    pub(crate) fn expand(self, continues: &dyn Fn(&str) -> (bool, bool)) -> Depends {
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

    /// The task names the expression mentions.
    pub(crate) fn tasks(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut BTreeSet<String>) {
        match self {
            Depends::Task(t, _) => {
                out.insert(t.clone());
            }
            Depends::Not(a) => a.collect(out),
            Depends::And(a, b) | Depends::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Depends::True => {}
        }
    }

    /// Evaluates the expression once every mentioned task is done.
    pub(crate) fn eval(&self, done: &dyn Fn(&str) -> Option<Done>) -> bool {
        match self {
            Depends::True => true,
            Depends::Not(a) => !a.eval(done),
            Depends::And(a, b) => a.eval(done) && b.eval(done),
            Depends::Or(a, b) => a.eval(done) || b.eval(done),
            Depends::Task(task, result) => {
                let Some(d) = done(task) else { return false };
                match result.as_deref() {
                    None => matches!(d.phase, Phase::Succeeded | Phase::Skipped),
                    Some("Succeeded") => d.phase == Phase::Succeeded,
                    Some("Failed") => d.phase == Phase::Failed,
                    Some("Errored") => d.phase == Phase::Errored,
                    Some("Skipped") => d.phase == Phase::Skipped,
                    Some("Omitted") => d.phase == Phase::Omitted,
                    Some("AnySucceeded") => d.any_succeeded,
                    Some("AllFailed") => d.all_failed,
                    _ => false, // Daemoned: the runner has no daemons
                }
            }
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' | ')' | '!' => tokens.push(c.to_string()),
            '&' | '|' => match chars.next() {
                Some((_, d)) if d == c => tokens.push(format!("{c}{c}")),
                _ => return Err(format!("expected `{c}{c}` at {i} in depends `{text}`")),
            },
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' => {
                let mut word = c.to_string();
                while let Some(&(_, d)) = chars.peek() {
                    if d.is_ascii_alphanumeric() || d == '-' || d == '_' || d == '.' {
                        word.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(word);
            }
            other => return Err(format!("unexpected `{other}` in depends `{text}`")),
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

    fn or(&mut self) -> Result<Depends, String> {
        let mut lhs = self.and()?;
        while self.peek() == Some("||") {
            self.pos += 1;
            lhs = Depends::Or(Box::new(lhs), Box::new(self.and()?));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Depends, String> {
        let mut lhs = self.unary()?;
        while self.peek() == Some("&&") {
            self.pos += 1;
            lhs = Depends::And(Box::new(lhs), Box::new(self.unary()?));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Depends, String> {
        let token = self.peek().map(str::to_owned);
        self.pos += 1;
        match token.as_deref() {
            Some("!") => Ok(Depends::Not(Box::new(self.unary()?))),
            Some("(") => {
                let inner = self.or()?;
                if self.peek() != Some(")") {
                    return Err("missing `)` in depends".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(word) if !matches!(word, ")" | "&&" | "||") => term(word),
            Some(other) => Err(format!("unexpected `{other}` in depends")),
            None => Err("depends ends too early".into()),
        }
    }
}

fn term(word: &str) -> Result<Depends, String> {
    match word.split_once('.') {
        None => Ok(Depends::Task(word.into(), None)),
        Some((task, result)) if RESULTS.contains(&result) && !task.is_empty() => {
            Ok(Depends::Task(task.into(), Some(result.into())))
        }
        Some((_, result)) => Err(format!(
            "unknown task result `{result}` in depends (use one of {})",
            RESULTS.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str, phases: &[(&str, Phase)]) -> bool {
        let d = Depends::parse(expr).unwrap();
        d.eval(&|t| {
            phases
                .iter()
                .find(|(n, _)| *n == t)
                .map(|(_, p)| Done::single(*p))
        })
    }

    #[test]
    fn evaluates_enhanced_depends() {
        use Phase::*;
        assert!(eval("a", &[("a", Skipped)]));
        assert!(!eval("a", &[("a", Failed)]));
        assert!(!eval("a.Succeeded", &[("a", Skipped)]));
        assert!(eval("a.Failed || b", &[("a", Failed), ("b", Omitted)]));
        assert!(eval(
            "(a.Succeeded && !b.Failed) || c-d.Errored",
            &[("a", Succeeded), ("b", Succeeded), ("c-d", Failed)]
        ));
        assert!(eval("a.AnySucceeded", &[("a", Succeeded)]));
        let d = Depends::parse("fit.Succeeded && make").unwrap();
        assert_eq!(
            d.tasks().into_iter().collect::<Vec<_>>(),
            vec!["fit".to_string(), "make".to_string()]
        );
    }

    #[test]
    fn continue_on_widens_bare_names_only() {
        use Phase::*;
        let continues = |t: &str| (t == "e", t == "f");
        let run = |expr: &str, phases: &[(&str, Phase)]| {
            let d = Depends::parse(expr).unwrap().expand(&continues);
            d.eval(&|t| {
                phases
                    .iter()
                    .find(|(n, _)| *n == t)
                    .map(|(_, p)| Done::single(*p))
            })
        };
        assert!(run("f", &[("f", Failed)]));
        assert!(!run("f", &[("f", Errored)]));
        assert!(run("e && f", &[("e", Errored), ("f", Succeeded)]));
        assert!(
            !run("f.Succeeded", &[("f", Failed)]),
            "explicit results stay"
        );
        assert!(!run("a", &[("a", Failed)]));
    }

    #[test]
    fn rejects_bad_expressions() {
        for bad in ["a &", "a.Done", "(a", "a b", "&& a", "", "a ||"] {
            assert!(Depends::parse(bad).is_err(), "{bad}");
        }
    }
}
