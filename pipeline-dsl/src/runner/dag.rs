//! The DAG scheduler: starts every task whose `depends` is met, fans out items, runs up to
//! `parallelism` steps at once on worker threads, and records how each task ended.

use std::collections::{BTreeMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use super::context::{Ctx, DagPlan};
use super::depends::{Done, Phase};
use super::items::{self, Item};
use super::prepare::{prepare, ArtifactIndex, Prepared, Unit};
use super::progress::Progress;
use super::step::{self, Outcome};
use super::subst::{render, Scope};
use super::summary::{ArtifactRecord, StepRecord, StepStatus, TaskRecord};

/// How a DAG ended.
pub(crate) struct DagResult {
    /// One record per task.
    pub tasks: Vec<TaskRecord>,
    /// One record per execution (or per task that never ran), in finishing order.
    pub steps: Vec<StepRecord>,
    /// `{{workflow.failures}}` entries.
    pub failures: Vec<serde_json::Value>,
    /// A task failed (and its `continueOn` does not cover it).
    pub failed: bool,
}

enum State<'p> {
    Waiting,
    Active {
        queue: VecDeque<Unit<'p>>,
        running: usize,
        results: Vec<(Option<Item>, Outcome)>,
        looped: bool,
    },
    Done(Done),
}

enum Msg {
    Attempt { id: usize, label: String, n: u32 },
    Finished { id: usize, task: usize, item: Option<Item>, outcome: Box<Outcome> },
}

struct Scheduler<'c, 'p> {
    ctx: &'c Ctx<'p>,
    plan: &'p DagPlan<'p>,
    exit_handler: bool,
    workflow: Scope,
    scope: Scope,
    artifacts: ArtifactIndex,
    states: Vec<State<'p>>,
    result: DagResult,
    stop_new: bool,
}

/// Runs the DAG to completion. `workflow` holds the `{{workflow.*}}` variables.
pub(crate) fn run_dag<'p>(
    ctx: &Ctx<'p>,
    plan: &'p DagPlan<'p>,
    workflow: &Scope,
    exit_handler: bool,
    progress: &mut Progress,
) -> DagResult {
    let mut limit = ctx.parallelism.max(1);
    if let Some(p) = plan.template.parallelism.filter(|p| *p > 0) {
        limit = limit.min(usize::try_from(p).unwrap_or(usize::MAX));
    }
    let mut s = Scheduler {
        ctx,
        plan,
        exit_handler,
        workflow: workflow.clone(),
        scope: workflow.clone(),
        artifacts: ArtifactIndex::new(),
        states: plan.tasks.iter().map(|_| State::Waiting).collect(),
        result: DagResult { tasks: Vec::new(), steps: Vec::new(), failures: Vec::new(), failed: false },
        stop_new: false,
    };
    let (tx, rx) = mpsc::channel::<Msg>();
    let mut running = 0usize;
    let mut next_id = 0usize;
    std::thread::scope(|threads| loop {
        s.resolve_waiting(progress);
        while running < limit {
            let Some((task, unit)) = s.take_unit() else { break };
            let (id, tx) = (next_id, tx.clone());
            next_id += 1;
            running += 1;
            progress.started(id, &unit.label);
            threads.spawn(move || {
                let notify = |n| {
                    let _ = tx.send(Msg::Attempt { id, label: unit.label.clone(), n });
                };
                let outcome = catch_unwind(AssertUnwindSafe(|| step::execute(ctx, &unit, &notify)))
                    .unwrap_or_else(|_| {
                        Outcome::not_run(StepStatus::Failed, format!("task `{}`: internal error (panic)", unit.label))
                    });
                let _ = tx.send(Msg::Finished { id, task, item: unit.item.clone(), outcome: Box::new(outcome) });
            });
        }
        if running == 0 {
            s.omit_stuck(progress);
            break;
        }
        match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(Msg::Attempt { id, label, n }) => progress.attempt(id, &label, n),
            Ok(Msg::Finished { id, task, item, outcome }) => {
                running -= 1;
                s.finished(task, item, *outcome, Some(id), progress);
            }
            Err(_) => {}
        }
    });
    s.result.tasks = plan
        .tasks
        .iter()
        .zip(&plan.depends)
        .zip(&s.states)
        .map(|((task, dep), state)| TaskRecord {
            name: task.name.clone(),
            template: task.template.clone(),
            status: match state {
                State::Done(d) => task_status(d.phase, &s.result.steps, &task.name),
                _ => StepStatus::Omitted,
            },
            depends: dep.tasks().into_iter().collect(),
            expression: task
                .depends
                .clone()
                .or_else(|| (!task.dependencies.is_empty()).then(|| task.dependencies.join(" && "))),
            exit_handler,
        })
        .collect();
    s.result
}

fn task_status(phase: Phase, steps: &[StepRecord], task: &str) -> StepStatus {
    match phase {
        Phase::Succeeded => {
            let mut own = steps.iter().filter(|s| s.task == task).peekable();
            if own.peek().is_some() && own.all(|s| s.status == StepStatus::Cached) {
                StepStatus::Cached
            } else {
                StepStatus::Succeeded
            }
        }
        Phase::Failed | Phase::Errored => StepStatus::Failed,
        Phase::Skipped => StepStatus::Skipped,
        Phase::Omitted => StepStatus::Omitted,
    }
}

impl<'c, 'p> Scheduler<'c, 'p> {
    fn done(&self, name: &str) -> Option<Done> {
        let i = self.plan.tasks.iter().position(|t| t.name == name)?;
        match &self.states[i] {
            State::Done(d) => Some(*d),
            _ => None,
        }
    }

    /// Starts (or omits) every waiting task whose dependencies are all done, until nothing
    /// changes.
    fn resolve_waiting(&mut self, progress: &mut Progress) {
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
                    self.end_unrun(i, StepStatus::Omitted, "not started: failFast after a failure".into(), progress);
                } else if !dep.eval(&|t| self.done(t)) {
                    let task = &self.plan.tasks[i];
                    let expr = task.depends.clone().unwrap_or_else(|| task.dependencies.join(" && "));
                    self.end_unrun(i, StepStatus::Omitted, format!("depends `{expr}` can never be satisfied"), progress);
                } else {
                    self.activate(i, progress);
                }
            }
            if !changed {
                return;
            }
        }
    }

    fn activate(&mut self, i: usize, progress: &mut Progress) {
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
                return self.end_unrun(i, StepStatus::Skipped, "no items to fan out over".into(), progress)
            }
            Some(list) => list.into_iter().map(Some).collect(),
        };
        self.states[i] = State::Active { queue: VecDeque::new(), running: 0, results: Vec::new(), looped };
        for item in items {
            let cache = !self.exit_handler;
            match prepare(self.ctx, task, item.clone(), &self.scope, &self.workflow, &self.artifacts, cache) {
                Prepared::Run(unit) => {
                    if let State::Active { queue, .. } = &mut self.states[i] {
                        queue.push_back(*unit);
                    }
                }
                Prepared::Skipped(message) => {
                    self.finished(i, item, Outcome::not_run(StepStatus::Skipped, message), None, progress)
                }
                Prepared::Error(e) => {
                    let label = item.as_ref().map_or(task.name.clone(), |it| format!("{}-{}", task.name, it.key));
                    let outcome = Outcome::not_run(StepStatus::Failed, format!("task `{label}` failed: {e}"));
                    self.finished(i, item, outcome, None, progress)
                }
            }
        }
        self.maybe_complete(i, progress);
    }

    /// The next queued execution, in task order.
    fn take_unit(&mut self) -> Option<(usize, Unit<'p>)> {
        if self.stop_new {
            return None;
        }
        self.states.iter_mut().enumerate().find_map(|(i, state)| match state {
            State::Active { queue, running, .. } => queue.pop_front().map(|u| {
                *running += 1;
                (i, u)
            }),
            _ => None,
        })
    }

    /// A task ends without running: one step record, no outputs.
    fn end_unrun(&mut self, i: usize, status: StepStatus, message: String, progress: &mut Progress) {
        self.states[i] = State::Active { queue: VecDeque::new(), running: 0, results: Vec::new(), looped: false };
        self.finished(i, None, Outcome::not_run(status, message), None, progress);
        self.maybe_complete(i, progress);
    }

    /// Records one execution's outcome.
    fn finished(&mut self, i: usize, item: Option<Item>, outcome: Outcome, id: Option<usize>, progress: &mut Progress) {
        let task = &self.plan.tasks[i];
        let record = StepRecord {
            task: task.name.clone(),
            item: item.as_ref().map(|it| it.key.clone()),
            template: task.template.clone(),
            status: outcome.status,
            attempts: outcome.attempts,
            duration: outcome.duration,
            log: outcome.log.clone(),
            parameters: outcome.collected.parameters.clone(),
            artifacts: outcome
                .collected
                .artifacts
                .iter()
                .map(|(name, stored)| ArtifactRecord {
                    name: name.clone(),
                    digest: stored.digest.clone(),
                    path: self.ctx.store.blob(&stored.digest),
                    kind: stored.kind,
                    size: stored.size,
                    key: outcome.collected.keys.get(name).cloned(),
                })
                .collect(),
            message: outcome.message.clone(),
            exit_handler: self.exit_handler,
        };
        if record.status == StepStatus::Failed {
            self.result.failures.push(serde_json::json!({
                "displayName": display_name(&task.name, item.as_ref()),
                "message": record.message.clone().unwrap_or_default(),
                "templateName": task.template,
                "phase": if outcome.errored { "Error" } else { "Failed" },
            }));
        }
        progress.step(id, &record);
        self.result.steps.push(record);
        if let State::Active { running, results, .. } = &mut self.states[i] {
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
    fn maybe_complete(&mut self, i: usize, progress: &mut Progress) {
        let State::Active { queue, running, results, looped } = &mut self.states[i] else { return };
        if !queue.is_empty() || *running > 0 {
            return;
        }
        let looped = *looped;
        let mut results = std::mem::take(results);
        results.sort_by_key(|(item, _)| item.as_ref().map_or(0, |it| it.index));
        let done = aggregate(&results, looped);
        let task = &self.plan.tasks[i];
        let prefix = format!("tasks.{}", task.name);
        self.scope.set(format!("{prefix}.status"), phase_name(done.phase));
        match done.phase {
            Phase::Succeeded if !looped => {
                if let Some((_, outcome)) = results.first() {
                    for (k, v) in &outcome.collected.parameters {
                        self.scope.set(format!("{prefix}.outputs.parameters.{k}"), v);
                    }
                    for (k, v) in &outcome.collected.artifacts {
                        self.artifacts.insert((task.name.clone(), k.clone()), v.clone());
                    }
                }
            }
            Phase::Succeeded => self.aggregate_parameters(&prefix, &results),
            Phase::Skipped | Phase::Omitted => self.default_outputs(&prefix, &task.template),
            Phase::Failed | Phase::Errored => {
                let covered = task.continue_on.as_ref().is_some_and(|c| {
                    if done.phase == Phase::Failed { c.failed } else { c.error }
                });
                if !covered {
                    self.result.failed = true;
                    let fail_fast = self.plan.template.fail_fast.or(self.plan.template.dag.as_ref().and_then(|d| d.fail_fast));
                    self.stop_new |= fail_fast == Some(true);
                }
            }
        }
        self.states[i] = State::Done(done);
        progress.task_done();
    }

    /// Argo's loop aggregation: `tasks.T.outputs.parameters.P` is a JSON list over the
    /// succeeded items, in item order; `tasks.T.outputs.parameters` a list of maps.
    fn aggregate_parameters(&mut self, prefix: &str, results: &[(Option<Item>, Outcome)]) {
        let ok: Vec<&Outcome> = results
            .iter()
            .map(|(_, o)| o)
            .filter(|o| matches!(o.status, StepStatus::Succeeded | StepStatus::Cached))
            .collect();
        let mut lists: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
        let mut maps = Vec::new();
        for o in &ok {
            for (k, v) in &o.collected.parameters {
                let json = serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.clone()));
                lists.entry(k).or_default().push(json);
            }
            maps.push(serde_json::json!(o.collected.parameters));
        }
        for (k, list) in lists {
            self.scope.set(format!("{prefix}.outputs.parameters.{k}"), serde_json::Value::Array(list).to_string());
        }
        self.scope.set(format!("{prefix}.outputs.parameters"), serde_json::Value::Array(maps).to_string());
    }

    /// Outputs of a skipped or omitted task resolve to their `valueFrom.default`.
    fn default_outputs(&mut self, prefix: &str, template: &str) {
        let Some(t) = self.ctx.templates.get(template) else { return };
        for p in t.outputs.iter().flat_map(|o| &o.parameters) {
            if let Some(default) = p.value_from.as_ref().and_then(|v| v.default.as_ref()) {
                self.scope.set(format!("{prefix}.outputs.parameters.{}", p.name), default);
            }
        }
    }

    /// Tasks still waiting when nothing runs can never start (should not happen: the plan is
    /// acyclic); omit them so the run ends.
    fn omit_stuck(&mut self, progress: &mut Progress) {
        for i in 0..self.states.len() {
            if matches!(self.states[i], State::Waiting) {
                self.end_unrun(i, StepStatus::Omitted, "its dependencies never finished".into(), progress);
            }
        }
    }
}

fn aggregate(results: &[(Option<Item>, Outcome)], looped: bool) -> Done {
    let statuses: Vec<(StepStatus, bool)> = results.iter().map(|(_, o)| (o.status, o.errored)).collect();
    let ok = |s: &StepStatus| matches!(s, StepStatus::Succeeded | StepStatus::Cached);
    let failed: Vec<bool> = statuses.iter().filter(|(s, _)| *s == StepStatus::Failed).map(|(_, e)| *e).collect();
    let phase = if statuses.is_empty() || statuses.iter().all(|(s, _)| *s == StepStatus::Skipped) {
        Phase::Skipped
    } else if statuses.iter().all(|(s, _)| *s == StepStatus::Omitted) {
        Phase::Omitted
    } else if !failed.is_empty() {
        if failed.iter().all(|e| *e) { Phase::Errored } else { Phase::Failed }
    } else {
        Phase::Succeeded
    };
    if !looped {
        return Done::single(phase);
    }
    Done {
        phase,
        any_succeeded: statuses.iter().any(|(s, _)| ok(s)),
        all_failed: !statuses.is_empty() && failed.len() == statuses.len(),
    }
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Succeeded => "Succeeded",
        Phase::Failed => "Failed",
        Phase::Errored => "Error",
        Phase::Skipped => "Skipped",
        Phase::Omitted => "Omitted",
    }
}

/// Argo's display name of a loop child: `task(index:item)`.
fn display_name(task: &str, item: Option<&Item>) -> String {
    match item {
        None => task.to_owned(),
        Some(it) => {
            let text = match &it.value {
                serde_json::Value::Object(fields) => fields
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", render(v)))
                    .collect::<Vec<_>>()
                    .join(","),
                other => render(other),
            };
            format!("{task}({}:{text})", it.index)
        }
    }
}
