//! One execution of a container template (a pod): the cache, attempts with retries and
//! timeout, and recording what it produced.

use super::attempt::attempt;
use super::cache::Entry;
use super::context::Ctx;
use super::exec;
use super::execution::{Hooks, Outcome};
use super::prepare::Unit;
use super::remote::StoreError;
use super::resolve::{resolve, Resolved};
use super::retry;
use super::summary::StepStatus;
use super::values::Collected;
use super::workdir;

/// Runs one execution of a container template to its end (its duration is the caller's).
pub(crate) fn execute(ctx: &Ctx, unit: &Unit, hooks: &Hooks) -> Outcome {
    match resolve(ctx, unit) {
        Ok(resolved) => run(ctx, unit, &resolved, hooks),
        Err(e) => Outcome::not_run(
            StepStatus::Failed,
            format!("task `{}` failed: {e}", unit.label),
        ),
    }
}

fn run(ctx: &Ctx, unit: &Unit, r: &Resolved, hooks: &Hooks) -> Outcome {
    if unit.cache && !ctx.options.no_cache {
        if let Some(hit) = ctx.store.lookup(&r.key) {
            return reuse(ctx, unit, r, hit);
        }
    }
    let logs = ctx.run_dir.join("logs");
    let (result, attempts) = retry::with_retries(&r.retry, hooks.backoff, |n| {
        // One of the workflow's pod slots while the attempt runs, none during a backoff.
        let _pod = ctx.pods.acquire();
        (hooks.on_attempt)(n);
        attempt(ctx, unit, r, n)
    });
    let log = exec::log_path(&logs, &unit.label, attempts);
    match result {
        Ok(collected) => {
            register_keys(ctx, &collected);
            if let Err(message) = save(ctx, unit, r, &collected) {
                return Outcome {
                    log: Some(log),
                    attempts,
                    ..Outcome::not_run(StepStatus::Failed, message)
                };
            }
            Outcome {
                log: Some(log),
                ..Outcome::succeeded(StepStatus::Succeeded, attempts, collected)
            }
        }
        Err(e) => {
            let plural = if attempts == 1 { "" } else { "s" };
            let last = e
                .last_line
                .as_ref()
                .map(|l| format!(": {l}"))
                .unwrap_or_default();
            let message = format!(
                "task `{}` failed after {attempts} attempt{plural}: {}{last} (log: {})",
                unit.label,
                e.message,
                log.display()
            );
            Outcome {
                errored: e.errored,
                attempts,
                log: Some(log),
                collected: Collected {
                    exit_code: e.exit_code.map(|c| c.to_string()),
                    ..Collected::default()
                },
                ..Outcome::not_run(StepStatus::Failed, message.replace('\n', " "))
            }
        }
    }
}

/// A cache hit: the step's recorded outputs, without running it (the store's remote copy gets
/// what it lacks of them).
fn reuse(ctx: &Ctx, unit: &Unit, r: &Resolved, hit: Entry) -> Outcome {
    let fail = |message| Outcome::not_run(StepStatus::Failed, message);
    let keys = match workdir::output_keys(unit.template, &r.scope) {
        Ok(keys) => keys,
        Err(e) => return fail(format!("task `{}` failed: {e}", unit.label)),
    };
    if let Err(e) = ctx.store.reuse(&hit) {
        return fail(upload_error(ctx, unit, &e));
    }
    let collected = Collected {
        parameters: hit.parameters,
        artifacts: hit.artifacts,
        keys,
        ..Collected::default()
    };
    register_keys(ctx, &collected);
    Outcome::succeeded(StepStatus::Cached, 0, collected)
}

fn register_keys(ctx: &Ctx, collected: &Collected) {
    let mut keys = ctx.keys.lock().unwrap_or_else(|e| e.into_inner());
    for (name, key) in &collected.keys {
        if let Some(stored) = collected.artifacts.get(name) {
            keys.insert(key.clone(), stored.clone());
        }
    }
}

/// Records a successful step in the store: its cache entry (when the step is cached) and its
/// outputs. A failed upload to the store's remote copy fails the step (the outputs stay local).
fn save(ctx: &Ctx, unit: &Unit, r: &Resolved, collected: &Collected) -> Result<(), String> {
    let entry = Entry {
        key: r.key.clone(),
        produced_by: format!("{}/{}", ctx.name, unit.label),
        parameters: collected.parameters.clone(),
        artifacts: collected.artifacts.clone(),
        keys: collected.keys.clone(),
    };
    ctx.store
        .record(&entry, unit.cache)
        .map_err(|e| upload_error(ctx, unit, &e))
}

fn upload_error(ctx: &Ctx, unit: &Unit, error: &StoreError) -> String {
    format!(
        "task `{}`: its outputs could not be uploaded (they are kept in {}): {error}",
        unit.label,
        ctx.store.local().root().display()
    )
}
