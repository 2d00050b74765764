//! Starting tasks: a waiting task whose dependencies are done is started (its items fanned
//! out and each execution resolved and queued), or omitted when its `depends` can never hold.

use std::collections::VecDeque;

use super::{not_started, Scheduler, State};
use crate::execution::Outcome;
use crate::items::{self, Item};
use crate::prepare::{prepare, Prepared};
use crate::progress::Progress;
use crate::summary::StepStatus;

impl Scheduler<'_, '_> {
    /// Starts (or omits) every waiting task whose dependencies are all done, until nothing
    /// changes.
    pub(super) fn resolve_waiting(&mut self, progress: &mut Progress) {
        if crate::interrupt::received().is_some() {
            self.stop_new = true;
        }
        loop {
            let mut changed = false;
            for i in 0..self.plan.tasks.len() {
                if !matches!(self.states[i], State::Waiting) {
                    continue;
                }
                let dep = &self.plan.depends[i];
                if !dep.tasks().iter().all(|t| self.done(t).is_some()) {
                    continue;
                }
                changed = true;
                if self.stop_new {
                    self.end_unrun(i, StepStatus::Omitted, not_started(), progress);
                } else if !crate::depends::eval(dep, &|t| self.done(t)) {
                    let task = &self.plan.tasks[i];
                    let expr = task
                        .depends
                        .clone()
                        .unwrap_or_else(|| task.dependencies.join(" && "));
                    self.end_unrun(
                        i,
                        StepStatus::Omitted,
                        format!("depends `{expr}` can never be satisfied"),
                        progress,
                    );
                } else {
                    self.activate(i, progress);
                }
            }
            if !changed {
                return;
            }
        }
    }

    pub(super) fn activate(&mut self, i: usize, progress: &mut Progress) {
        let task = &self.plan.tasks[i];
        let items = match items::expand(task, &self.scope) {
            Ok(items) => items,
            Err(e) => {
                let message = format!("task `{}` failed: {e}", task.name);
                return self.end_unrun(i, StepStatus::Failed, message, progress);
            }
        };
        let looped = items.is_some();
        let items: Vec<Option<Item>> = match items {
            None => vec![None],
            Some(list) if list.is_empty() => {
                return self.end_unrun(
                    i,
                    StepStatus::Skipped,
                    "no items to fan out over".into(),
                    progress,
                )
            }
            Some(list) => list.into_iter().map(Some).collect(),
        };
        self.states[i] = State::Active {
            queue: VecDeque::new(),
            running: 0,
            results: Vec::new(),
            looped,
        };
        for item in items {
            let cache = !self.exit_handler;
            match prepare(
                self.ctx,
                task,
                item.clone(),
                &self.scope,
                &self.workflow,
                &self.artifacts,
                cache,
            ) {
                Prepared::Run(mut unit) => {
                    unit.label = format!("{}{}", self.prefix, unit.label);
                    unit.node = self.node(i, unit.item.as_ref()).0;
                    if let State::Active { queue, .. } = &mut self.states[i] {
                        queue.push_back(*unit);
                    }
                }
                Prepared::Skipped(message) => self.finished(
                    i,
                    item,
                    Outcome::not_run(StepStatus::Skipped, message),
                    None,
                    progress,
                ),
                Prepared::Error(e) => {
                    let label = item
                        .as_ref()
                        .map_or(task.name.clone(), |it| format!("{}-{}", task.name, it.key));
                    let outcome =
                        Outcome::not_run(StepStatus::Failed, format!("task `{label}` failed: {e}"));
                    self.finished(i, item, outcome, None, progress)
                }
            }
        }
        self.maybe_complete(i, progress);
    }

    /// A task ends without running: one step record, no outputs.
    pub(super) fn end_unrun(
        &mut self,
        i: usize,
        status: StepStatus,
        message: String,
        progress: &mut Progress,
    ) {
        self.states[i] = State::Active {
            queue: VecDeque::new(),
            running: 0,
            results: Vec::new(),
            looped: false,
        };
        self.finished(i, None, Outcome::not_run(status, message), None, progress);
        self.maybe_complete(i, progress);
    }
}
