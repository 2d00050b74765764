//! Ending tasks: each execution's outcome recorded (step records, failed nodes, failFast), a
//! task's phase and outputs once all its executions are done, and the DAG's result at the end.

use super::{not_started, DagResult, Scheduler, State, FAIL_FAST};
use crate::aggregate::{
    aggregate, default_outputs, loop_outputs, phase_name, step_record, task_record,
};
use crate::depends::{Done, Phase};
use crate::execution::Outcome;
use crate::failures::Failure;
use crate::items::Item;
use crate::plan::Kind;
use crate::prepare::Unit;
use crate::progress::Progress;
use crate::summary::StepStatus;
use crate::values::{Collected, Source};

impl Scheduler<'_, '_> {
    /// Records one execution's outcome.
    pub(super) fn finished(
        &mut self,
        i: usize,
        item: Option<Item>,
        mut outcome: Outcome,
        id: Option<usize>,
        progress: &mut Progress,
    ) {
        // A nested template's executions and failed nodes are this DAG's too.
        self.result.steps.append(&mut outcome.children);
        self.result.failures.append(&mut outcome.failures);
        let task = &self.plan.tasks[i];
        let record = step_record(
            self.ctx.store.local(),
            task,
            item.as_ref(),
            &outcome,
            self.exit_handler,
        );
        let retried = self
            .ctx
            .templates
            .get(task.template.as_str())
            .is_some_and(|t| t.retry_strategy.is_some());
        let (node, display) = self.node(i, item.as_ref());
        let message = record.message.clone().unwrap_or_default();
        let failed = record.status == StepStatus::Failed;
        let mut failed_pods = outcome.attempts.saturating_sub(u32::from(!failed));
        if failed && !retried {
            failed_pods = 1;
        }
        if retried {
            // A retry node, with one pod child per attempt (`node(0)`, `node(1)`, ...).
            for n in 0..failed_pods {
                let last = failed && n + 1 == outcome.attempts;
                let text = if last {
                    message.clone()
                } else {
                    let label = item
                        .as_ref()
                        .map_or(task.name.clone(), |it| format!("{}-{}", task.name, it.key));
                    let log = crate::exec::log_path(&self.ctx.run_dir.join("logs"), &label, n + 1);
                    format!("attempt {} failed (log: {})", n + 1, log.display())
                };
                let names = (format!("{node}({n})"), format!("{display}({n})"));
                self.result
                    .failures
                    .push(Failure::now(names, text, &task.template, false));
            }
        }
        if failed {
            let f = Failure::now((node, display), message, &task.template, outcome.errored);
            self.result.failures.push(f);
        }
        if failed_pods > 0 || failed {
            self.pod_failed();
        }
        progress.step(id, &record);
        self.result.steps.push(record);
        if let State::Active {
            running, results, ..
        } = &mut self.states[i]
        {
            if id.is_some() {
                *running = running.saturating_sub(1);
            }
            results.push((item, outcome));
        }
        if id.is_some() {
            self.maybe_complete(i, progress);
        }
    }

    /// Ends a task once all its executions are done: phase, outputs into the scope.
    pub(super) fn maybe_complete(&mut self, i: usize, progress: &mut Progress) {
        let State::Active {
            queue,
            running,
            results,
            looped,
        } = &mut self.states[i]
        else {
            return;
        };
        if !queue.is_empty() || *running > 0 {
            return;
        }
        let looped = *looped;
        let mut results = std::mem::take(results);
        results.sort_by_key(|(item, _)| item.as_ref().map_or(0, |it| it.index));
        let done = aggregate(&results, looped);
        let task = &self.plan.tasks[i];
        let kind = match self.plan.kind {
            Kind::Dag => "tasks",
            Kind::Steps => "steps",
        };
        let prefix = format!("{kind}.{}", task.name);
        self.scope
            .set(format!("{prefix}.status"), phase_name(done.phase));
        match done.phase {
            Phase::Succeeded if !looped => {
                if let Some((_, outcome)) = results.first() {
                    self.set_outputs(&prefix, &outcome.collected);
                    self.ctx.set_globals(&task.template, &outcome.collected);
                }
            }
            Phase::Succeeded => {
                for (k, v) in loop_outputs(&prefix, &results) {
                    self.scope.set(k, v);
                }
            }
            Phase::Skipped | Phase::Omitted => {
                if let Some(t) = self.ctx.templates.get(task.template.as_str()) {
                    for (k, v) in default_outputs(t, &prefix) {
                        self.scope.set(k, v);
                    }
                }
            }
            Phase::Failed | Phase::Errored => {
                if let (false, Some((_, outcome))) = (looped, results.first()) {
                    self.set_outputs(&prefix, &outcome.collected);
                }
                if looped {
                    // The fan-out's TaskGroup node fails with its items.
                    let message = results
                        .iter()
                        .find_map(|(_, o)| {
                            (o.status == StepStatus::Failed).then(|| o.message.clone())
                        })
                        .flatten()
                        .unwrap_or_default();
                    let errored = done.phase == Phase::Errored;
                    let names = self.node(i, None);
                    let f = Failure::now(names, message, &task.template, errored);
                    self.result.failures.push(f);
                }
            }
        }
        self.exit_hook(i, done, progress);
    }

    /// Sets a task's outputs in the scope: `P.outputs.parameters.K`, `P.outputs.result`,
    /// `P.outputs.exitCode` and its artifacts under `P.outputs.artifacts.K`.
    pub(super) fn set_outputs(&mut self, prefix: &str, collected: &Collected) {
        for (k, v) in &collected.parameters {
            self.scope
                .set(format!("{prefix}.outputs.parameters.{k}"), v);
        }
        if let Some(result) = &collected.result {
            self.scope.set(format!("{prefix}.outputs.result"), result);
        }
        if let Some(code) = &collected.exit_code {
            // `util/variables/keys/noderef.go` line 40: `steps.S.exitCode`.
            self.scope.set(format!("{prefix}.exitCode"), code);
            self.scope.set(format!("{prefix}.outputs.exitCode"), code);
        }
        for (k, v) in &collected.artifacts {
            self.artifacts.insert(
                format!("{prefix}.outputs.artifacts.{k}"),
                Source::Stored(v.clone()),
            );
        }
    }

    /// Once nothing runs: queued executions (left by failFast) and tasks still waiting (none
    /// unless the plan had a cycle) are omitted, so the run ends.
    pub(super) fn omit_stuck(&mut self, progress: &mut Progress) {
        // Exit hooks not started (the run was interrupted) do not run.
        self.hooks.clear();
        for i in 0..self.states.len() {
            match &mut self.states[i] {
                State::Hooked(done) => {
                    self.states[i] = State::Done(*done);
                    progress.task_done();
                }
                State::Waiting => {
                    let message = "its dependencies never finished".to_owned();
                    self.end_unrun(i, StepStatus::Omitted, message, progress);
                }
                State::Active { queue, .. } if !queue.is_empty() => {
                    let units: Vec<Unit> = queue.drain(..).collect();
                    for unit in units {
                        let message = format!("task `{}` {}", unit.label, not_started());
                        let outcome = Outcome::not_run(StepStatus::Omitted, message);
                        self.finished(i, unit.item, outcome, None, progress);
                    }
                    self.maybe_complete(i, progress);
                }
                _ => {}
            }
        }
    }

    /// Once every task is done: the DAG's phase and message (a steps template's failed group
    /// node among its failures), its final variables and artifacts, and one record per task.
    pub(super) fn conclude(mut self) -> DagResult {
        let done: Vec<Option<Done>> = self
            .states
            .iter()
            .map(|state| match state {
                State::Done(d) | State::Hooked(d) => Some(*d),
                _ => None,
            })
            .collect();
        if self.fail_fast_stopped {
            self.result.phase = Phase::Failed;
            self.result.message = Some(FAIL_FAST.into());
        } else {
            self.result.phase = crate::phase::assess(self.plan, &done);
            if let Some(i) = crate::phase::failed_step(self.plan, &done)
                .filter(|_| self.plan.kind == Kind::Steps)
            {
                // The step's group node fails naming the step's node id, and the steps node with
                // the group's message (`steps.go` lines 374-376 and 121-127); the group node has
                // no template (`initializeNode(..., &wfv1.WorkflowStep{}, ...)`, line 78).
                let group = format!("{}[{}]", self.boundary, self.plan.groups[i]);
                let child = self.node(i, None).0;
                let message = format!(
                    "child '{}' failed",
                    crate::failures::node_id(&self.ctx.name, &child)
                );
                let display = format!("[{}]", self.plan.groups[i]);
                let f = Failure::now((group, display), message.clone(), "", false);
                self.result.failures.push(f);
                self.result.message = Some(message);
            }
        }
        self.result.scope = std::mem::take(&mut self.scope);
        self.result.artifacts = std::mem::take(&mut self.artifacts);
        self.result.tasks = (self.plan.tasks.iter())
            .zip(&self.plan.depends)
            .zip(&self.states)
            .map(|((task, dep), state)| {
                let done = match state {
                    State::Done(d) | State::Hooked(d) => Some(*d),
                    _ => None,
                };
                task_record(task, dep, done, &self.result.steps, self.exit_handler)
            })
            .collect();
        self.result
    }
}
