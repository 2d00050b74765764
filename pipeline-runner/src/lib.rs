//! The local runner: executes a compiled Argo [`Workflow`] on this machine, no cluster needed.
//!
//! It runs exactly what the manifest says: the `spec.entrypoint` DAG, then the `spec.onExit`
//! (or `spec.hooks.exit`) DAG whatever happened, each task's exit hook after it, each task as a process of the components binary
//! ([`RunOptions::binary`], `<bin> component <name> --param ... --input ... --output ...`) with
//! its `/scratch` paths remapped into a per-attempt work directory. It resolves `{{...}}`,
//! evaluates `depends` and `when`, fans out `withItems`/`withParam`/`withSequence`, applies
//! `retryStrategy` and `timeout`, and runs independent steps in parallel.
//!
//! Layout under [`RunOptions::artifacts`]:
//! - `sha256/<hex>`: content-addressed blobs. A file artifact is one blob; a directory artifact
//!   is one blob per file plus a JSON manifest blob (path, digest and size of each file), whose
//!   digest is the directory's.
//! - `cache/<key>.json`: one entry per successful step. The key is the SHA-256 of the template
//!   (with its name), the resolved input parameters, the input artifact digests, the substituted
//!   args/env and the digest of the components binary. A rerun reuses an entry only if every
//!   blob it names still exists, so deleting a blob reruns the step that made it.
//! - `runs/<workflow name>/`: `logs/<task>[-<item>]-attempt<N>.log`, `work/` (one directory
//!   per attempt standing in for `/scratch`: `in/`, `out/`, `home/`, `tmp/`), `run.json` and a
//!   self-contained `report.html`.
//! - `tmp/` (blobs being written) and `binaries.json` (digests of components binaries, keyed by
//!   path, size and modification time, so a large binary is hashed once).
//!
//! With [`RunOptions::remote`] (such as `--artifacts s3://bucket/prefix`), the same layout is
//! mirrored to an [`ObjectStore`]: cache entries missing locally are fetched with their blobs
//! (digests checked), and each step's outputs and cache entry, then the run's record, are
//! uploaded.
//!
//! ```no_run
//! use pipeline_runner::{run, RunOptions};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let yaml = std::fs::read_to_string("pipeline.yaml")?;
//! let workflow = pipeline_argo::from_yaml(&yaml)?;
//! let summary = run(&workflow, &RunOptions::default())?;
//! print!("{}", summary.table());
//! if !summary.succeeded() {
//!     std::process::exit(1);
//! }
//! # Ok(()) }
//! ```
//!
//! It ends the way Argo's controller would: a DAG's phase comes from its leaf tasks
//! (`assessDAGPhase`), `continueOn` widens its dependents' `depends`, fan-out outputs aggregate
//! as Argo's do, `{{workflow.failures}}` lists every failed node, and only a template's
//! `failFast` stops new tasks. What still differs is listed in `docs/running-locally.md`:
//! - `steps` templates and nested DAG/steps templates run; container and script templates
//!   that are not components run only with [`Executor::Host`] (bubblewrap); what cannot be
//!   emulated (resource/HTTP/plugin templates, daemons, sidecars, PVCs, hooks with an
//!   `expression`, expressions
//!   outside the subset, ...) stops the run before it starts ([`RunnerError::Unsupported`]);
//!   `withParam` over non-lists and http artifacts fail the task that uses them;
//! - every step sees only what its template declares plus what a pod has; Secret and
//!   ConfigMap keys come from [`RunOptions::secrets`], [`RunOptions::secrets_from_env`] and
//!   [`RunOptions::configmaps`], never from the runner's environment unasked.

mod aggregate;
mod attempt;
mod cache;
mod context;
mod dag;
mod depends;
mod dispatch;
mod duration;
mod exec;
mod execution;
pub mod external;
mod failures;
mod hooks;
mod host;
mod html;
mod interrupt;
mod items;
mod layered;
mod maintenance;
mod mirror;
mod nested;
mod phase;
mod plan;
mod pod_env;
mod prepare;
mod progress;
mod remote;
mod report;
mod resolve;
mod retry;
mod setup;
mod slots;
mod step;
mod store;
mod subst;
mod summary;
mod support;
mod values;
mod volumes;
mod when;
mod workdir;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

pub use maintenance::{gc, verify, GcReport, VerifyReport};
pub use remote::{open_remote, ObjectInfo, ObjectStore, RemoteScheme, StoreError};
pub use summary::{
    ArtifactKind, ArtifactRecord, HeadlineMetric, RunSummary, StepRecord, StepStatus, TaskRecord,
    WorkflowStatus,
};

use crate::argo::Workflow;
use context::Ctx;
use pipeline_argo as argo;
use progress::Progress;

/// How to run a workflow locally.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Root of the artifact store, the step cache and the run directories (default `./artifacts`).
    pub artifacts: PathBuf,
    /// Maximum number of steps running at once in the whole workflow, nested templates
    /// included (0 = the number of CPUs); `spec.parallelism` lowers it further, and a DAG or
    /// steps template's `parallelism` bounds its own running children. A retry waiting out its
    /// backoff holds no slot.
    pub parallelism: usize,
    /// Do not reuse cached results (results are still cached for later runs).
    pub no_cache: bool,
    /// Values overriding `spec.arguments.parameters`; an unknown name is an error.
    pub params: BTreeMap<String, String>,
    /// The components binary to spawn for each step (usually `std::env::current_exe()`).
    pub binary: PathBuf,
    /// Where relative references to outside data resolve (see
    /// [`ExternalParam`](crate::external::ExternalParam)); the directory the run started in.
    pub base_dir: PathBuf,
    /// Workflow name to use instead of `<generateName><random>`.
    pub run_name: Option<String>,
    /// Show progress bars (otherwise progress goes to `tracing`).
    pub progress: bool,
    /// A remote copy of the store (such as an S3 prefix, see [`open_remote`]): cache entries and blobs missing locally are
    /// fetched from it, and every output, cache entry and the run's record are uploaded to it.
    pub remote: Option<Arc<dyn ObjectStore>>,
    /// Secrets as Kubernetes mounts them, one file per key (`DIR/<secret>/<key>`), for
    /// `secretKeyRef` env variables and (with [`Executor::Host`]) Secret volumes. Steps are always isolated like pods: a step's environment
    /// is what its template declares plus what a pod's main container has (`PATH`,
    /// `HOSTNAME`, `HOME`, Argo's `ARGO_*`), nothing else of the runner's; a required key that
    /// no named source holds fails the step naming it, an optional one stays unset.
    pub secrets: Option<PathBuf>,
    /// Key `K` of any Secret resolves from the runner's own variable `K` when
    /// [`RunOptions::secrets`] has no file for it (`--secrets-from-env`).
    pub secrets_from_env: bool,
    /// ConfigMaps as Kubernetes mounts them (`DIR/<configmap>/<key>`), for `configMapKeyRef`
    /// env variables (see [`RunOptions::secrets`]).
    pub configmaps: Option<PathBuf>,
    /// Who runs container and script templates that are not this binary's components.
    pub executor: Executor,
}

/// Who runs a container or script template that is not one of this binary's components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Executor {
    /// Nobody: such a workflow is refused before it starts.
    #[default]
    Components,
    /// Its `command` runs on this machine inside bubblewrap (`bwrap`): the host filesystem
    /// read-only, a private `/tmp`, private directories where the template declares artifacts,
    /// output parameters and emptyDir mounts. Images are not pulled; `busybox`, `alpine` and
    /// `python` images are emulated by the host's tools.
    Host,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            artifacts: PathBuf::from("artifacts"),
            parallelism: 0,
            no_cache: false,
            params: BTreeMap::new(),
            binary: std::env::current_exe().unwrap_or_default(),
            base_dir: std::env::current_dir().unwrap_or_default(),
            run_name: None,
            progress: std::io::stderr().is_terminal(),
            remote: None,
            secrets: None,
            secrets_from_env: false,
            configmaps: None,
            executor: Executor::default(),
        }
    }
}

/// Why a run could not start or could not record its results. A step failing is not an error:
/// [`run`] returns the summary with [`WorkflowStatus::Failed`].
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// An override names a parameter the workflow does not declare.
    #[error(
        "unknown workflow parameter `{name}` (the workflow declares {})",
        if known.is_empty() { "none".to_owned() } else { known.join(", ") }
    )]
    UnknownParameter {
        /// The unknown name.
        name: String,
        /// The declared parameters.
        known: Vec<String>,
    },
    /// A workflow parameter has no value or a value outside its `enum`.
    #[error("workflow parameter `{name}` {message}")]
    InvalidParameter {
        /// The parameter.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The workflow cannot be run as written (missing template, bad `depends`, a cycle, ...).
    #[error("cannot run the workflow: {0}")]
    InvalidWorkflow(String),
    /// The workflow uses a feature the local runner cannot emulate; nothing ran.
    #[error("cannot run locally: {feature} (template `{template}`)")]
    Unsupported {
        /// What cannot be emulated.
        feature: String,
        /// The template using it.
        template: String,
    },
    /// The components binary cannot be read.
    #[error("components binary {}: {source}", path.display())]
    Binary {
        /// The binary.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The remote store cannot be reached, or the run's record could not be uploaded to it
    /// (it is complete locally).
    #[error("remote store: {message}")]
    Remote {
        /// The store's root, or where the record was going.
        url: String,
        /// Why it failed (naming the object).
        message: String,
    },
    /// A file or directory of the run could not be created or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Where the entrypoint (or exit handler) starts: Argo calls it with `spec.arguments`
/// (`workflow/controller/operator.go`, `executeTemplate(..., &woc.execWf.Spec.Arguments, ...)`),
/// so a leaf template's task gets them as arguments and a DAG or steps template sees its
/// declared `{{inputs.parameters.*}}` and `{{inputs.artifacts.*}}` filled from them.
fn entry_frame(
    arguments: &crate::argo::Arguments,
    plan: &mut plan::DagPlan,
    scope: &subst::Scope,
    node: String,
) -> dag::Frame {
    let mut frame = dag::Frame::top(scope, node);
    if plan.template.main_container().is_some() {
        if let Some(task) = plan.tasks.first_mut() {
            task.arguments = Some(arguments.clone());
        }
        return frame;
    }
    let declared = plan.template.inputs.clone().unwrap_or_default();
    for p in &declared.parameters {
        let given = arguments.parameters.iter().find(|a| a.name == p.name);
        let value = given
            .and_then(|a| a.value.as_ref())
            .or(p.value.as_ref())
            .or(p.default.as_ref());
        if let Some(v) = value {
            frame.scope.set(format!("inputs.parameters.{}", p.name), v);
        }
    }
    for a in &arguments.artifacts {
        if let Some(raw) = &a.raw {
            let source = values::Source::Raw(raw.data.clone());
            frame
                .artifacts
                .insert(format!("inputs.artifacts.{}", a.name), source);
        }
    }
    frame
}

/// Runs `workflow` locally: the entrypoint DAG, then the exit handler. Returns the summary
/// (also written to `<run dir>/run.json` and `report.html`), whose status is
/// [`WorkflowStatus::Failed`] when a step failed.
pub fn run(workflow: &Workflow, options: &RunOptions) -> Result<RunSummary, RunnerError> {
    let started = Instant::now();
    layered::LayeredStore::probe(options.remote.as_deref())?;
    let sources = pod_env::KeySources {
        secrets: options.secrets.as_deref(),
        secrets_from_env: options.secrets_from_env,
        configmaps: options.configmaps.as_deref(),
    };
    support::check(workflow, options.executor, &sources)?;
    let ctx = Ctx::new(workflow, options)?;
    if options.executor == Executor::Host {
        host::announce(workflow);
    }
    let signals = interrupt::install();
    let plans = (|| {
        let entry = workflow
            .spec
            .entrypoint
            .as_deref()
            .ok_or_else(|| RunnerError::InvalidWorkflow("spec.entrypoint is not set".into()))?;
        let exit =
            match hooks::workflow_exit(&workflow.spec).map_err(RunnerError::InvalidWorkflow)? {
                Some(hook) => Some((ctx.plan(&hook.template, "onExit")?, hook.arguments)),
                None => None,
            };
        Ok((ctx.plan(entry, "entrypoint")?, exit))
    })();
    let (mut main_plan, mut exit_plan) = match plans {
        Ok(plans) => plans,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&ctx.run_dir);
            return Err(e);
        }
    };
    let total = main_plan.tasks.len() + exit_plan.as_ref().map_or(0, |(p, _)| p.tasks.len());
    let mut progress = Progress::new(options.progress, &ctx.name, total);
    let scope = ctx.workflow_scope();
    // The entrypoint's node is named after the workflow (`operator.go` line 421).
    let top = entry_frame(&ctx.arguments, &mut main_plan, &scope, ctx.name.clone());
    let mut main = dag::run_dag(
        &ctx,
        &main_plan,
        &scope,
        top,
        false,
        &mut progress,
        dispatch::execute,
    );
    // The workflow's phase is its entrypoint node's (`operator.go`: NodeError -> Error).
    let main_status = if main.failed() {
        WorkflowStatus::Failed
    } else {
        WorkflowStatus::Succeeded
    };
    let main_phase = aggregate::phase_name(main.phase);
    if main.failed() && main_plan.template.main_container().is_none() {
        // The DAG node is a failed node too.
        let message = main.message.clone().unwrap_or_default();
        let errored = main.phase == depends::Phase::Errored;
        let names = (ctx.name.clone(), ctx.name.clone());
        let dag_node = failures::Failure::now(names, message, &main_plan.template.name, errored);
        main.failures.push(dag_node);
    }
    let mut failed = main.failed();
    let mut tasks = main.tasks;
    let mut steps: Vec<StepRecord> = main.steps;
    // Interrupted: the exit handler does not run (a user who pressed Ctrl-C wants the run to
    // stop now); the record below says so.
    let interrupted = interrupt::received();
    if let Some((plan, own)) = exit_plan.as_mut().filter(|_| interrupted.is_none()) {
        let mut exit_scope = scope.clone();
        exit_scope.set("workflow.status", main_phase);
        exit_scope.set(
            "workflow.failures",
            failures::render(&ctx.name, &main.failures),
        );
        // `<workflow>.onExit` (`operator.go` line 503, `common.GenerateOnExitNodeName`).
        let node = format!("{}.onExit", ctx.name);
        // `spec.hooks.exit`'s own arguments, resolved against `{{workflow.*}}`, else the
        // workflow's (`LifecycleHook.WithArgs`, `workflow_types.go` lines 1850-1856).
        let mut arguments = ctx.arguments.clone();
        if let Some(own) = own
            .take()
            .filter(|a| !a.parameters.is_empty() || !a.artifacts.is_empty())
        {
            arguments = own;
            for p in &mut arguments.parameters {
                if let Some(v) = &p.value {
                    p.value = Some(subst::substitute(v, &exit_scope).unwrap_or_else(|_| v.clone()));
                }
            }
        }
        let top = entry_frame(&arguments, plan, &exit_scope, node);
        let exit = dag::run_dag(
            &ctx,
            plan,
            &exit_scope,
            top,
            true,
            &mut progress,
            dispatch::execute,
        );
        failed |= exit.failed();
        tasks.extend(exit.tasks);
        steps.extend(exit.steps);
    }
    let status = if interrupt::received().is_some() {
        WorkflowStatus::Interrupted
    } else if failed {
        WorkflowStatus::Failed
    } else {
        WorkflowStatus::Succeeded
    };
    drop(signals);
    let duration = started.elapsed();
    progress.finish(status, duration);
    let metrics = html::headline_metrics(&steps, ctx.store.local());
    let summary = RunSummary {
        workflow: ctx.name.clone(),
        uid: ctx.uid.clone(),
        status,
        main_status,
        parameters: ctx.parameters.clone(),
        tasks,
        steps,
        duration,
        report: ctx.run_dir.join("report.html"),
        metrics,
        interrupted_by: interrupt::received().map(interrupt::name),
        run_dir: ctx.run_dir.clone(),
        remote_run_dir: ctx.store.remote_url(&ctx.run_dir),
    };
    report::write(&summary, ctx.store.local()).map_err(|source| RunnerError::Io {
        path: summary.run_dir.clone(),
        source,
    })?;
    ctx.store.record_run(&ctx.run_dir)?;
    Ok(summary)
}
