//! The DAG scheduler: starts every task whose `depends` is met, fans out items, runs up to
//! `parallelism` steps at once on worker threads, and records how each task ended.

mod exit_hooks;
mod finish;
mod start;

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use super::aggregate::display_name;
use super::context::Ctx;
use super::depends::{Done, Phase};
use super::execution::{Execute, Hooks, Outcome};
use super::failures::Failure;
use super::items::Item;
use super::plan::{DagPlan, Kind};
use super::prepare::Unit;
use super::progress::Progress;
use super::subst::Scope;
use super::summary::{StepRecord, StepStatus, TaskRecord};
use super::values::ArtifactIndex;

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

/// Runs the DAG to completion, each execution with `execute`. `workflow` holds the
/// `{{workflow.*}}` variables.
pub(crate) fn run_dag<'p>(
    ctx: &Ctx<'p>,
    plan: &'p DagPlan<'p>,
    workflow: &Scope,
    frame: Frame,
    exit_handler: bool,
    progress: &mut Progress,
    execute: Execute,
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
                let hooks = Hooks {
                    on_attempt: &notify,
                    backoff: &backoff,
                };
                let outcome = catch_unwind(AssertUnwindSafe(|| execute(ctx, &unit, &hooks)))
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
    s.conclude()
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
}
