//! A task's exit hook (`onExit`, or `hooks.exit`): started once the task completed, with the
//! task's outputs and status in scope; the task counts as done when its hook has ended.

use super::{Scheduler, State};
use crate::aggregate::step_record;
use crate::depends::{Done, Phase};
use crate::execution::Outcome;
use crate::failures::Failure;
use crate::prepare::{prepare, Prepared};
use crate::progress::Progress;
use crate::summary::StepStatus;

impl Scheduler<'_, '_> {
    /// A task ended as `done`: its exit hook, if it has one and the task completed (`dag.go`
    /// lines 529-536 and 690-699, `exit_handler.go` `runOnExitNode`: the hook is node
    /// `<task node>.onExit`, its arguments resolved with the task's outputs and status in
    /// scope), runs before the task counts as done; otherwise it is done now.
    pub(super) fn exit_hook(&mut self, i: usize, done: Done, progress: &mut Progress) {
        let completed = matches!(
            done.phase,
            Phase::Succeeded | Phase::Failed | Phase::Errored
        );
        let hook = self.plan.exit_hooks[i].as_ref().filter(|_| completed);
        let Some(hook) = hook.filter(|_| crate::interrupt::received().is_none()) else {
            self.states[i] = State::Done(done);
            progress.task_done();
            return;
        };
        self.states[i] = State::Hooked(done);
        let prepared = prepare(
            self.ctx,
            hook,
            None,
            &self.scope,
            &self.workflow,
            &self.artifacts,
            !self.exit_handler,
        );
        match prepared {
            Prepared::Run(mut unit) => {
                unit.label = format!("{}{}", self.prefix, unit.label);
                unit.node = format!("{}.onExit", self.node(i, None).0);
                self.hooks.push_back((i, *unit));
            }
            Prepared::Skipped(message) => {
                let outcome = Outcome::not_run(StepStatus::Skipped, message);
                self.hook_finished(i, outcome, None, progress);
            }
            Prepared::Error(e) => {
                let message = format!("task `{}` failed: {e}", hook.name);
                let outcome = Outcome::not_run(StepStatus::Failed, message);
                self.hook_finished(i, outcome, None, progress);
            }
        }
    }

    /// Task `i`'s exit hook ended: one step record, a failed node if it failed (which does not
    /// change the task's phase: `assessDAGPhase` judges target tasks by their own nodes), and
    /// the task is done.
    pub(super) fn hook_finished(
        &mut self,
        i: usize,
        mut outcome: Outcome,
        id: Option<usize>,
        progress: &mut Progress,
    ) {
        let State::Hooked(done) = self.states[i] else {
            return;
        };
        let Some(hook) = self.plan.exit_hooks[i].as_ref() else {
            return;
        };
        self.result.steps.append(&mut outcome.children);
        self.result.failures.append(&mut outcome.failures);
        let record = step_record(
            self.ctx.store.local(),
            hook,
            None,
            &outcome,
            self.exit_handler,
        );
        if record.status == StepStatus::Failed {
            let (node, display) = self.node(i, None);
            let names = (format!("{node}.onExit"), format!("{display}.onExit"));
            let message = record.message.clone().unwrap_or_default();
            let f = Failure::now(names, message, &hook.template, outcome.errored);
            self.result.failures.push(f);
            self.pod_failed();
        }
        progress.step(id, &record);
        self.result.steps.push(record);
        self.states[i] = State::Done(done);
        progress.task_done();
    }
}
