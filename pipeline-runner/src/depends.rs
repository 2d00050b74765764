//! What a `depends` expression ([`Depends`], parsed by pipeline-argo) means once the tasks it
//! names are done.

use crate::argo::lang::depends::Depends;

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

/// Evaluates `depends` once every task it mentions is done.
pub(crate) fn eval(depends: &Depends, done: &dyn Fn(&str) -> Option<Done>) -> bool {
    match depends {
        Depends::True => true,
        Depends::Not(a) => !eval(a, done),
        Depends::And(a, b) => eval(a, done) && eval(b, done),
        Depends::Or(a, b) => eval(a, done) || eval(b, done),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(d: &Depends, phases: &[(&str, Phase)]) -> bool {
        eval(d, &|t| {
            phases
                .iter()
                .find(|(n, _)| *n == t)
                .map(|(_, p)| Done::single(*p))
        })
    }

    fn parsed(text: &str) -> Depends {
        Depends::parse(text).unwrap()
    }

    #[test]
    fn evaluates_enhanced_depends() {
        use Phase::*;
        assert!(holds(&parsed("a"), &[("a", Skipped)]));
        assert!(!holds(&parsed("a"), &[("a", Failed)]));
        assert!(!holds(&parsed("a.Succeeded"), &[("a", Skipped)]));
        assert!(holds(
            &parsed("a.Failed || b"),
            &[("a", Failed), ("b", Omitted)]
        ));
        assert!(holds(
            &parsed("(a.Succeeded && !b.Failed) || c-d.Errored"),
            &[("a", Succeeded), ("b", Succeeded), ("c-d", Failed)]
        ));
        assert!(holds(&parsed("a.AnySucceeded"), &[("a", Succeeded)]));
    }

    #[test]
    fn continue_on_widens_bare_names_only() {
        use Phase::*;
        let continues = |t: &str| (t == "e", t == "f");
        let run =
            |text: &str, phases: &[(&str, Phase)]| holds(&parsed(text).expand(&continues), phases);
        assert!(run("f", &[("f", Failed)]));
        assert!(!run("f", &[("f", Errored)]));
        assert!(run("e && f", &[("e", Errored), ("f", Succeeded)]));
        assert!(
            !run("f.Succeeded", &[("f", Failed)]),
            "explicit results stay"
        );
        assert!(!run("a", &[("a", Failed)]));
    }
}
