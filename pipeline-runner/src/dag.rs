//! The DAG scheduler: starts every task whose `depends` is met, fans out items, runs up to
//! `parallelism` steps at once on worker threads, and records how each task ended.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use super::aggregate::{
    aggregate, default_outputs, display_name, loop_outputs, phase_name, step_record, task_record,
};
use super::context::Ctx;
use super::depends::{Done, Phase};
use super::failures::Failure;
use super::items::{self, Item};
use super::plan::{DagPlan, Kind};
use super::prepare::{prepare, ArtifactIndex, Prepared, Unit};
use super::progress::Progress;
use super::step::{self, Outcome};
use super::subst::Scope;
use super::summary::{StepRecord, StepStatus, TaskRecord};

/// How a DAG ended.
pub(crate) struct DagResult {
    /// One record per task.
    pub tasks: Vec<TaskRecord>,
    /// One record per execution (or per task that never ran), in finishing order.
    pub steps: Vec<StepRecord>,
    /// `{{workflow.failures}}` entries (without the DAG's own node).
    pub failures: Vec<Failure>,
    /// The DAG's phase: Succeeded, Failed or Errored (see [`super::phase::assess`]).
    pub phase: Phase,
    /// Why the DAG failed when no task's phase says so (template-level `failFast`).
    pub message: Option<String>,
    /// The variables at the end (`tasks.T.outputs...`), for a nested template's outputs.
    pub scope: Scope,
    /// The artifacts at the end, by reference (`tasks.T.outputs.artifacts.A`).
    pub artifacts: ArtifactIndex,
}

/// Where a DAG starts: its variables (workflow's, plus a nested template's inputs), its input
/// artifacts (`inputs.artifacts.A`) and the prefix of its executions' labels.
pub(crate) struct Frame {
    /// Variables visible to every task.
    pub scope: Scope,
    /// Artifacts visible to every task, by reference.
    pub artifacts: ArtifactIndex,
    /// Prepended to each execution's label (`outer.` for a nested template).
    pub prefix: String,
    /// The name of the DAG or steps node its tasks hang under (`wf`, `wf.outer`,
    /// `wf[0].outer`, `wf.onExit`); a leaf template run as a one-task DAG is that node.
    pub node: String,
}

impl Frame {
    /// The top-level frame of node `node`: the workflow's variables.
    pub(crate) fn top(workflow: &Scope, node: String) -> Self {
        Frame {
            scope: workflow.clone(),
            artifacts: ArtifactIndex::new(),
            prefix: String::new(),
            node,
        }
    }
}

impl DagResult {
    /// The DAG failed or errored.
    pub(crate) fn failed(&self) -> bool {
        matches!(self.phase, Phase::Failed | Phase::Errored)
    }
}

/// Argo's message on a DAG stopped by its template's `failFast` (`operator.go`,
/// `checkParallelism`).
const FAIL_FAST: &str = "template has failed or errored children and failFast enabled";

/// Where a task is in its life.
enum State<'p> {
    Waiting,
    Active {
        queue: VecDeque<Unit<'p>>,
        running: usize,
        results: Vec<(Option<Item>, Outcome)>,
        looped: bool,
    },
    /// Ended as `Done`; its exit hook runs, and its dependents wait for it (`dag.go` line
    /// 982, `common.CheckAllHooksFullfilled`).
    Hooked(Done),
    Done(Done),
}

/// What a worker tells the scheduler.
enum Msg {
    Attempt {
        id: usize,
        label: String,
        n: u32,
    },
    Finished {
        id: usize,
        task: usize,
        /// The task's exit hook rather than the task.
        hook: bool,
        item: Option<Item>,
        outcome: Box<Outcome>,
    },
    /// A retry's attempt failed and its backoff starts: it holds no slot until it asks again.
    Backoff,
    /// The backoff is over: the step waits for `resume` before its next attempt.
    Resume {
        resume: mpsc::Sender<()>,
    },
}

/// The state of one DAG being run.
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
    /// The template's `failFast` stopped new tasks after a pod failed.
    fail_fast_stopped: bool,
    /// Label prefix of executions.
    prefix: String,
    /// The DAG or steps node's name.
    boundary: String,
    /// Exit hooks ready to run, by task.
    hooks: VecDeque<(usize, Unit<'p>)>,
}

/// Runs the DAG to completion. `workflow` holds the `{{workflow.*}}` variables.
pub(crate) fn run_dag<'p>(
    ctx: &Ctx<'p>,
    plan: &'p DagPlan<'p>,
    workflow: &Scope,
    frame: Frame,
    exit_handler: bool,
    progress: &mut Progress,
) -> DagResult {
    // The template's `parallelism` bounds its active children, pods and nested DAG/steps nodes
    // alike, a retry in backoff not among them (`operator.go` `checkParallelism` line 3356,
    // `getActiveChildren`; `node_counters.go` lines 24-31). The pods of the whole workflow
    // are bounded by `ctx.pods`; `ctx.parallelism` only bounds this DAG's threads.
    let limit = plan
        .template
        .parallelism
        .filter(|p| *p > 0)
        .map_or(usize::MAX, |p| usize::try_from(p).unwrap_or(usize::MAX));
    let threads_limit = ctx.parallelism.max(1);
    let mut s = Scheduler {
        ctx,
        plan,
        exit_handler,
        workflow: workflow.clone(),
        scope: frame.scope,
        artifacts: frame.artifacts,
        states: plan.tasks.iter().map(|_| State::Waiting).collect(),
        result: DagResult {
            tasks: Vec::new(),
            steps: Vec::new(),
            failures: Vec::new(),
            phase: Phase::Succeeded,
            message: None,
            scope: Scope::default(),
            artifacts: ArtifactIndex::new(),
        },
        stop_new: false,
        fail_fast_stopped: false,
        prefix: frame.prefix,
        boundary: frame.node,
        hooks: VecDeque::new(),
    };
    let (tx, rx) = mpsc::channel::<Msg>();
    // Executions started and not finished: children holding a slot (pods among them), and
    // those in a backoff or waiting for a slot to resume (`parked`, in order of asking).
    let (mut running, mut pods, mut backing_off) = (0usize, 0usize, 0usize);
    let mut parked: VecDeque<mpsc::Sender<()>> = VecDeque::new();
    let mut is_pod: Vec<bool> = Vec::new();
    std::thread::scope(|threads| loop {
        s.resolve_waiting(progress);
        // A step resuming after its backoff goes before new ones.
        while running < limit && pods < threads_limit {
            let Some(resume) = parked.pop_front() else {
                break;
            };
            running += 1;
            pods += 1;
            let _ = resume.send(());
        }
        while running < limit && parked.is_empty() {
            let Some((task, unit, hook)) = s.take_unit(pods < threads_limit) else {
                break;
            };
            let (id, tx) = (is_pod.len(), tx.clone());
            let pod = unit.template.main_container().is_some();
            is_pod.push(pod);
            running += 1;
            pods += usize::from(pod);
            progress.started(id, &unit.label);
            threads.spawn(move || {
                let notify = |n| {
                    let _ = tx.send(Msg::Attempt {
                        id,
                        label: unit.label.clone(),
                        n,
                    });
                };
                let backoff = |wait: Duration| {
                    let _ = tx.send(Msg::Backoff);
                    std::thread::sleep(wait);
                    let (resume, resumed) = mpsc::channel();
                    if tx.send(Msg::Resume { resume }).is_ok() {
                        let _ = resumed.recv();
                    }
                };
                let hooks = step::Hooks {
                    on_attempt: &notify,
                    backoff: &backoff,
                };
                let outcome = catch_unwind(AssertUnwindSafe(|| step::execute(ctx, &unit, &hooks)))
                    .unwrap_or_else(|_| {
                        Outcome::not_run(
                            StepStatus::Failed,
                            format!("task `{}`: internal error (panic)", unit.label),
                        )
                    });
                let _ = tx.send(Msg::Finished {
                    id,
                    task,
                    hook,
                    item: unit.item.clone(),
                    outcome: Box::new(outcome),
                });
            });
        }
        if running == 0 && backing_off == 0 && parked.is_empty() {
            s.omit_stuck(progress);
            break;
        }
        match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(Msg::Attempt { id, label, n }) => {
                if n > 1 {
                    // Attempt n-1 failed: a failed pod, as template-level failFast counts them.
                    s.pod_failed();
                }
                progress.attempt(id, &label, n)
            }
            Ok(Msg::Finished {
                id,
                task,
                hook,
                item,
                outcome,
            }) => {
                running -= 1;
                pods -= usize::from(is_pod[id]);
                if hook {
                    s.hook_finished(task, *outcome, Some(id), progress);
                } else {
                    s.finished(task, item, *outcome, Some(id), progress);
                }
            }
            Ok(Msg::Backoff) => {
                // Only pods retry; the failed attempt is a failed pod.
                s.pod_failed();
                running -= 1;
                pods -= 1;
                backing_off += 1;
            }
            Ok(Msg::Resume { resume }) => {
                backing_off -= 1;
                parked.push_back(resume);
            }
            Err(_) => {}
        }
    });
    let done: Vec<Option<Done>> = s
        .states
        .iter()
        .map(|state| match state {
            State::Done(d) | State::Hooked(d) => Some(*d),
            _ => None,
        })
        .collect();
    if s.fail_fast_stopped {
        s.result.phase = Phase::Failed;
        s.result.message = Some(FAIL_FAST.into());
    } else {
        s.result.phase = super::phase::assess(plan, &done);
        if let Some(i) = super::phase::failed_step(plan, &done).filter(|_| plan.kind == Kind::Steps)
        {
            // The step's group node fails naming the step's node id, and the steps node with
            // the group's message (`steps.go` lines 374-376 and 121-127); the group node has
            // no template (`initializeNode(..., &wfv1.WorkflowStep{}, ...)`, line 78).
            let group = format!("{}[{}]", s.boundary, plan.groups[i]);
            let child = s.node(i, None).0;
            let message = format!(
                "child '{}' failed",
                super::failures::node_id(&ctx.name, &child)
            );
            let display = format!("[{}]", plan.groups[i]);
            let f = Failure::now((group, display), message.clone(), "", false);
            s.result.failures.push(f);
            s.result.message = Some(message);
        }
    }
    s.result.scope = std::mem::take(&mut s.scope);
    s.result.artifacts = std::mem::take(&mut s.artifacts);
    s.result.tasks = (plan.tasks.iter().zip(&plan.depends).zip(&s.states))
        .map(|((task, dep), state)| {
            let done = match state {
                State::Done(d) | State::Hooked(d) => Some(*d),
                _ => None,
            };
            task_record(task, dep, done, &s.result.steps, exit_handler)
        })
        .collect();
    s.result
}

/// Why a task was not started once the run stopped starting tasks.
fn not_started() -> String {
    match super::interrupt::received() {
        Some(signal) => format!(
            "not started: the run was interrupted by {}",
            super::interrupt::name(signal)
        ),
        None => format!("not started: {FAIL_FAST}"),
    }
}

impl<'c, 'p> Scheduler<'c, 'p> {
    /// The name and display name of task `i`'s node (of one item's, with `item`): Argo's
    /// `<boundary>.<task>` in a DAG (`dag.go` `taskNodeName`), `<boundary>[g].<step>` in a
    /// steps template (`steps.go` lines 75 and 272), `(<index>:<item>)` appended per item; the
    /// display name is the name without its boundary's (`operator.go` lines 3071-3075). A leaf
    /// template run as a one-task DAG is the boundary node itself.
    fn node(&self, i: usize, item: Option<&Item>) -> (String, String) {
        if self.plan.template.main_container().is_some() {
            return (self.boundary.clone(), self.boundary.clone());
        }
        let display = display_name(&self.plan.tasks[i].name, item);
        let name = match self.plan.kind {
            Kind::Dag => format!("{}.{display}", self.boundary),
            Kind::Steps => format!("{}[{}].{display}", self.boundary, self.plan.groups[i]),
        };
        (name, display)
    }

    /// A pod of this DAG failed: with the template's `failFast`, no new task starts (Argo:
    /// `checkParallelism` counts failed pods under the boundary; `dag.failFast` does not stop
    /// scheduling, see `assessDAGPhase`).
    fn pod_failed(&mut self) {
        if self.plan.template.fail_fast == Some(true) && !self.stop_new {
            self.stop_new = true;
            self.fail_fast_stopped = true;
        }
    }

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
        if super::interrupt::received().is_some() {
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
                } else if !super::depends::eval(dep, &|t| self.done(t)) {
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

    /// The next queued execution: an exit hook, else in task order; a pod's only when
    /// `pod_allowed`. Exit hooks run after a template's `failFast` stopped new tasks, as
    /// `runOnExitNode` does not check it.
    fn take_unit(&mut self, pod_allowed: bool) -> Option<(usize, Unit<'p>, bool)> {
        if super::interrupt::received().is_some() {
            return None;
        }
        let hook_ready = self
            .hooks
            .front()
            .is_some_and(|(_, u)| pod_allowed || u.template.main_container().is_none());
        if hook_ready {
            return self.hooks.pop_front().map(|(i, u)| (i, u, true));
        }
        if self.stop_new {
            return None;
        }
        self.states
            .iter_mut()
            .enumerate()
            .find_map(|(i, state)| match state {
                State::Active { queue, running, .. } => {
                    let pod = queue.front()?.template.main_container().is_some();
                    if pod && !pod_allowed {
                        return None;
                    }
                    queue.pop_front().map(|u| {
                        *running += 1;
                        (i, u, false)
                    })
                }
                _ => None,
            })
    }

    /// A task ends without running: one step record, no outputs.
    fn end_unrun(
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

    /// Records one execution's outcome.
    fn finished(
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
            &self.ctx.store,
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
                    let log = super::exec::log_path(&self.ctx.run_dir.join("logs"), &label, n + 1);
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
    fn maybe_complete(&mut self, i: usize, progress: &mut Progress) {
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

    /// A task ended as `done`: its exit hook, if it has one and the task completed (`dag.go`
    /// lines 529-536 and 690-699, `exit_handler.go` `runOnExitNode`: the hook is node
    /// `<task node>.onExit`, its arguments resolved with the task's outputs and status in
    /// scope), runs before the task counts as done; otherwise it is done now.
    fn exit_hook(&mut self, i: usize, done: Done, progress: &mut Progress) {
        let completed = matches!(
            done.phase,
            Phase::Succeeded | Phase::Failed | Phase::Errored
        );
        let hook = self.plan.exit_hooks[i].as_ref().filter(|_| completed);
        let Some(hook) = hook.filter(|_| super::interrupt::received().is_none()) else {
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
    fn hook_finished(
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
        let record = step_record(&self.ctx.store, hook, None, &outcome, self.exit_handler);
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

    /// Sets a task's outputs in the scope: `P.outputs.parameters.K`, `P.outputs.result`,
    /// `P.outputs.exitCode` and its artifacts under `P.outputs.artifacts.K`.
    fn set_outputs(&mut self, prefix: &str, collected: &super::workdir::Collected) {
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
                super::prepare::Source::Stored(v.clone()),
            );
        }
    }

    /// Once nothing runs: queued executions (left by failFast) and tasks still waiting (none
    /// unless the plan had a cycle) are omitted, so the run ends.
    fn omit_stuck(&mut self, progress: &mut Progress) {
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
}
