//! One attempt of a step: its process started with the environment a pod would give it,
//! either this binary (a component) or the template's command inside the sandbox.

use std::path::Path;
use std::time::{Instant, SystemTime};

use super::context::Ctx;
use super::exec::{self, AttemptError, Spawn};
use super::pod_env::{passed_through, PodBasics};
use super::prepare::Unit;
use super::resolve::{declared_env, Resolved};
use super::subst::substitute;
use super::values::Collected;
use super::workdir;

/// Runs attempt `n` of `unit`, returning its collected outputs.
pub(crate) fn attempt(
    ctx: &Ctx,
    unit: &Unit,
    r: &Resolved,
    n: u32,
) -> Result<Collected, AttemptError> {
    let work = ctx
        .run_dir
        .join("work")
        .join(&unit.label)
        .join(format!("attempt{n}"));
    let log = exec::log_path(&ctx.run_dir.join("logs"), &unit.label, n);
    let err = |what: &str, e: &dyn std::fmt::Display| AttemptError::error(format!("{what}: {e}"));
    workdir::create(&work).map_err(|e| err(&format!("cannot create {}", work.display()), &e))?;
    let header = format!(
        "# task {} attempt {n}, work dir {}\n",
        unit.label,
        work.display()
    );
    std::fs::write(&log, header)
        .map_err(|e| err(&format!("cannot write {}", log.display()), &e))?;
    if !super::host::is_component(unit.template) {
        return attempt_on_host(ctx, unit, r, n, (&work, &log));
    }
    for (path, source) in &r.inputs {
        let dest = workdir::local_path(path, &work).map_err(AttemptError::error)?;
        workdir::materialize(ctx.store.local(), source, &dest)
            .map_err(|e| err(&format!("cannot place input {path}"), &e))?;
    }
    let args: Vec<String> = r.args.iter().map(|a| workdir::remap(a, &work)).collect();
    let declared: Vec<(String, String)> = r
        .env
        .iter()
        .map(|(k, v)| (k.clone(), workdir::remap(v, &work)))
        .collect();
    let env = environment(ctx, unit, n, &declared, false);
    if ctx.deadline.is_some_and(|d| Instant::now() >= d) {
        return Err(AttemptError::error(
            "the workflow's activeDeadlineSeconds has passed",
        ));
    }
    exec::spawn_and_wait(&Spawn {
        program: &ctx.binary,
        args: &args,
        env: &env,
        cwd: &work,
        log: &log,
        timeout: r.timeout,
    })?;
    workdir::collect(
        unit.template,
        &work,
        &workdir::local_path,
        &r.scope,
        ctx.store.local(),
    )
    .map_err(AttemptError::error)
}

/// An attempt of a template that is not a component: its command in the bubblewrap sandbox
/// whose private directories live under `work/root`.
fn attempt_on_host(
    ctx: &Ctx,
    unit: &Unit,
    r: &Resolved,
    n: u32,
    (work, log): (&Path, &Path),
) -> Result<Collected, AttemptError> {
    let root = work.join("root");
    let main = unit.template.main_container().cloned().unwrap_or_default();
    let inits = super::host::init_containers(unit.template).map_err(AttemptError::error)?;
    for (path, source) in &r.inputs {
        let dest = super::host::local_path(path, &root).map_err(AttemptError::error)?;
        workdir::materialize(ctx.store.local(), source, &dest)
            .map_err(|e| AttemptError::error(format!("cannot place input {path}: {e}")))?;
    }
    // Secret and ConfigMap volumes: their files, projected before any container starts.
    let own = super::host::template_volumes(unit.template).map_err(AttemptError::error)?;
    let volumes: Vec<_> = own.iter().chain(ctx.volumes).collect();
    let mounted = super::volumes::mounted(std::iter::once(&main).chain(&inits), &volumes)
        .map_err(AttemptError::error)?;
    let projected = super::volumes::project(&mounted, &ctx.key_sources(), &work.join("volumes"))
        .map_err(AttemptError::error)?;
    let env = environment(ctx, unit, n, &r.env, true);
    let hostname = pod_name(ctx, unit, n);
    let bwrap = super::host::bwrap().map_err(AttemptError::error)?;
    let sandboxed = |argv: &[String], env: &[(String, String)]| {
        exec::spawn_and_wait(&Spawn {
            program: &bwrap,
            args: argv,
            env,
            cwd: work,
            log,
            timeout: r.timeout,
        })
    };
    let template_json = argo_template(unit.template, &r.scope);
    let all = |list: &[String]| {
        list.iter()
            .map(|a| substitute(a, &r.scope))
            .collect::<Result<Vec<_>, _>>()
            .map_err(AttemptError::error)
    };
    // Init containers' names (the container model does not keep `name`).
    let names: Vec<String> = (unit.template.other.get("initContainers"))
        .and_then(|v| v.as_array())
        .map(|list| {
            list.iter()
                .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    for (k, init) in inits.iter().enumerate() {
        let argv = super::host::command(
            unit.template,
            init,
            &root,
            (&all(&init.command)?, &all(&init.args)?, None),
            &projected,
            &hostname,
        )
        .map_err(AttemptError::error)?;
        // An init container's own `env`, then `ARGO_CONTAINER_NAME` (its name) and
        // `ARGO_TEMPLATE` before the variables every container gets (`workflowpod.go` lines
        // 676-680).
        let declared =
            declared_env(init, &r.scope, &ctx.key_sources()).map_err(AttemptError::error)?;
        let mut init_env = environment(ctx, unit, n, &declared, true);
        if let Some(i) = init_env
            .iter()
            .position(|(k, _)| k == "ARGO_CONTAINER_NAME")
        {
            init_env[i].1 = names.get(k).cloned().unwrap_or_default();
            init_env.insert(i + 1, ("ARGO_TEMPLATE".into(), template_json.clone()));
        }
        sandboxed(&argv, &init_env).map_err(|mut e| {
            e.message = format!("init container: {}", e.message);
            e
        })?;
    }
    // After the init containers, which may have added mount points to the root.
    let argv = super::host::command(
        unit.template,
        &main,
        &root,
        (&r.command, &r.args, r.source.as_deref()),
        &projected,
        &hostname,
    )
    .map_err(AttemptError::error)?;
    if ctx.deadline.is_some_and(|d| Instant::now() >= d) {
        return Err(AttemptError::error(
            "the workflow's activeDeadlineSeconds has passed",
        ));
    }
    let stdout = sandboxed(&argv, &env)?;
    let mut collected = workdir::collect(
        unit.template,
        &root,
        &super::host::local_path,
        &r.scope,
        ctx.store.local(),
    )
    .map_err(AttemptError::error)?;
    collected.result = Some(stdout.strip_suffix('\n').unwrap_or(&stdout).to_owned());
    collected.exit_code = Some("0".into());
    Ok(collected)
}

/// `ARGO_TEMPLATE` as the controller gives it to init containers (`workflowpod.go` lines
/// 636-640): the template with its `{{...}}` resolved and `inputs.parameters` dropped, as JSON
/// (the same fields and values; Go orders the fields by its struct, not as here).
fn argo_template(template: &crate::argo::Template, scope: &super::subst::Scope) -> String {
    fn resolve(v: &mut serde_json::Value, scope: &super::subst::Scope) {
        match v {
            serde_json::Value::String(s) => {
                if let Ok(done) = substitute(s, scope) {
                    *s = done;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| resolve(v, scope)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|v| resolve(v, scope)),
            _ => {}
        }
    }
    let mut t = template.clone();
    if let Some(inputs) = &mut t.inputs {
        inputs.parameters.clear();
    }
    let mut value = serde_json::to_value(&t).unwrap_or_default();
    resolve(&mut value, scope);
    if let serde_json::Value::Object(o) = &mut value {
        // Go marshals the `Inputs` struct even when empty.
        o.entry("inputs").or_insert_with(|| serde_json::json!({}));
    }
    value.to_string()
}

/// The name of attempt `n`'s pod node: the step's node, or its child `<node>(n-1)` under the
/// retry node a `retryStrategy` puts in between (`operator.go` lines 2446-2510).
fn pod_node(unit: &Unit, n: u32) -> String {
    if unit.template.retry_strategy.is_some() {
        format!("{}({})", unit.node, n.saturating_sub(1))
    } else {
        unit.node.clone()
    }
}

/// Attempt `n`'s pod name, as `HOSTNAME` shows it (`workflow/util/pod_name.go` line 50).
fn pod_name(ctx: &Ctx, unit: &Unit, n: u32) -> String {
    super::failures::pod_name(&ctx.name, &pod_node(unit, n), &unit.template.name)
}

/// The whole environment of a step's process: what a pod's main container has (`PATH`,
/// `HOSTNAME`, `HOME`), `RUST_LOG` for components, the variables its template declares, then
/// the `ARGO_*` variables the controller appends after them (`workflowpod.go` lines 682-683).
fn environment(
    ctx: &Ctx,
    unit: &Unit,
    n: u32,
    declared: &[(String, String)],
    sandboxed: bool,
) -> Vec<(String, String)> {
    let hostname = pod_name(ctx, unit, n);
    let node_id = super::failures::node_id(&ctx.name, &pod_node(unit, n));
    let runner = |k: &str, default: &str| std::env::var(k).unwrap_or_else(|_| default.to_owned());
    let basics = PodBasics {
        path: if sandboxed {
            super::host::PATH.to_owned()
        } else {
            runner("PATH", super::host::PATH)
        },
        hostname: &hostname,
        home: if sandboxed {
            "/root".to_owned()
        } else {
            runner("HOME", "/")
        },
        workflow: &ctx.name,
        node_id: &node_id,
        deadline: ctx
            .deadline
            .map(|d| SystemTime::now() + d.saturating_duration_since(Instant::now())),
    }
    .vars();
    let (image, argo) = basics.split_at(3);
    let mut env = image.to_vec();
    if !sandboxed {
        env.extend(passed_through());
    }
    env.extend(declared.iter().cloned());
    env.extend(argo.iter().cloned());
    env
}
