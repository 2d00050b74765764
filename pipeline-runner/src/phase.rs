//! The phase of a finished DAG, as Argo's controller judges it (`workflow/controller/dag.go`,
//! `assessDAGPhase`): from its target tasks only (`dag.target`, else the leaf tasks), an
//! omitted or skipped target taking the phase of its nearest completed ancestor.

use std::collections::{BTreeSet, VecDeque};

use super::depends::{Done, Phase};
use super::plan::{DagPlan, Kind};

/// A steps template fails with the first step that failed or errored without a `continueOn`
/// covering it (`workflow/controller/steps.go` lines 370-377, 121-127); its index.
pub(crate) fn failed_step(plan: &DagPlan, done: &[Option<Done>]) -> Option<usize> {
    plan.tasks
        .iter()
        .zip(done)
        .enumerate()
        .find_map(|(i, (task, d))| {
            let phase = d.map(|d| d.phase)?;
            let continues = task.continue_on.as_ref().is_some_and(|c| match phase {
                Phase::Failed => c.failed,
                Phase::Errored => c.error,
                _ => true,
            });
            (matches!(phase, Phase::Failed | Phase::Errored) && !continues).then_some(i)
        })
}

/// Succeeded, Failed or Errored (a Failed/Errored phase no target's `continueOn` covers).
pub(crate) fn assess(plan: &DagPlan, done: &[Option<Done>]) -> Phase {
    if plan.kind == Kind::Steps {
        // A steps node is Failed (never Errored) when a group fails.
        return match failed_step(plan, done) {
            Some(_) => Phase::Failed,
            None => Phase::Succeeded,
        };
    }
    let n = plan.tasks.len();
    let index = |name: &str| plan.tasks.iter().position(|t| t.name == name);
    let deps: Vec<Vec<usize>> = plan
        .depends
        .iter()
        .map(|d| d.tasks().iter().filter_map(|t| index(t)).collect())
        .collect();
    let mut children = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            children[d].push(i);
        }
    }
    // `findLeafTaskNames`: tasks no other task depends on, sorted by name.
    let targets: Vec<usize> = match plan.template.dag.as_ref().and_then(|d| d.target.as_ref()) {
        Some(t) => t.split_whitespace().filter_map(index).collect(),
        None => {
            let mut leaves: Vec<usize> = (0..n).filter(|&i| children[i].is_empty()).collect();
            leaves.sort_by(|a, b| plan.tasks[*a].name.cmp(&plan.tasks[*b].name));
            leaves
        }
    };
    // Breadth-first from the root tasks, carrying the phase of the last completed node on the
    // path; a target keeps the first Failed/Errored phase that reaches it.
    let mut branch: Vec<Option<Phase>> = vec![None; n];
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<(usize, Phase)> = (0..n)
        .filter(|&i| deps[i].is_empty())
        .map(|i| (i, Phase::Succeeded))
        .collect();
    while let Some((i, inherited)) = queue.pop_front() {
        if !seen.insert((i, inherited as u8)) {
            continue;
        }
        let own = done[i].map_or(Phase::Omitted, |d| d.phase);
        let phase = match own {
            Phase::Succeeded | Phase::Failed | Phase::Errored => own,
            Phase::Skipped | Phase::Omitted => inherited,
        };
        if !matches!(branch[i], Some(Phase::Failed | Phase::Errored)) {
            branch[i] = Some(phase);
        }
        queue.extend(children[i].iter().map(|&c| (c, phase)));
    }
    let fail_fast = plan
        .template
        .dag
        .as_ref()
        .and_then(|d| d.fail_fast)
        .unwrap_or(true);
    let mut result = Phase::Succeeded;
    for &t in &targets {
        let phase = branch[t].unwrap_or(Phase::Succeeded);
        if !matches!(phase, Phase::Failed | Phase::Errored) {
            continue;
        }
        let continues = plan.tasks[t].continue_on.as_ref().is_some_and(|c| {
            if phase == Phase::Failed {
                c.failed
            } else {
                c.error
            }
        });
        if continues {
            continue;
        }
        result = phase;
        if fail_fast {
            break;
        }
    }
    result
}
