//! Which runner an execution goes to: a DAG or steps template runs as its own DAG (`nested`),
//! any other template as a pod's step (`step`). Schedulers are given [`execute`]: the one
//! place that knows both runners, so neither depends on the scheduler that calls it.

use std::time::Instant;

use super::context::Ctx;
use super::execution::{Hooks, Outcome};
use super::nested;
use super::prepare::Unit;
use super::step;

/// Runs one execution to its end and times it (an [`Execute`](super::execution::Execute)).
pub(crate) fn execute(ctx: &Ctx, unit: &Unit, hooks: &Hooks) -> Outcome {
    let started = Instant::now();
    let mut outcome = if unit.template.main_container().is_none() {
        nested::run(ctx, unit, execute)
    } else {
        step::execute(ctx, unit, hooks)
    };
    outcome.duration = started.elapsed();
    outcome
}
