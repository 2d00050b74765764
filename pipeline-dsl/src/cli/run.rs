//! `run`: the local runner from the command line, and the parameter file it reads.

use super::outcome::{exit_code_of_signal, interrupted_line, RunOutcome};
use crate::pipeline::Pipeline;
use crate::runner::{open_remote, run, ObjectStore, RunOptions, RunnerError, WorkflowStatus};
use crate::runtime::EXIT_INVALID;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// `run [--params FILE] [--param k=v] [--artifacts DIR] [--parallelism N] [--no-cache] [--json]`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// JSON or YAML file of pipeline parameter values, checked against their JSON Schemas.
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// A pipeline parameter value, `NAME=VALUE` (overrides the file).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = super::args::key_value)]
    pub param: Vec<(String, String)>,
    /// Root of the artifact store, step cache and run directories: a directory, or
    /// `s3://bucket/prefix` (same layout; a local copy is kept under
    /// `artifacts/s3/<bucket>/<prefix>`; endpoint and credentials from the `AWS_*` variables).
    #[arg(
        long,
        value_name = "DIR|s3://BUCKET/PREFIX",
        default_value = "artifacts"
    )]
    pub artifacts: String,
    /// Steps running at once (0 = one per CPU).
    #[arg(long, default_value_t = 0)]
    pub parallelism: usize,
    /// Rerun every step instead of reusing finished ones.
    #[arg(long)]
    pub no_cache: bool,
    /// Run this compiled manifest instead of the pipeline built into the binary.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Resolve `secretKeyRef`s from this directory, one file per key as Kubernetes mounts a
    /// Secret (`DIR/<secret>/<key>`). Every step runs with only the environment its template
    /// declares plus what a pod has (`PATH`, `HOSTNAME`, `HOME`, `ARGO_*`), with or without
    /// this flag.
    #[arg(long, value_name = "DIR")]
    pub secrets: Option<PathBuf>,
    /// Resolve key `K` of any Secret from this shell's variable `K` (after `--secrets DIR`):
    /// how the Titanic pipeline reaches S3 and MLflow from `AWS_*`/`MLFLOW_*` variables.
    #[arg(long)]
    pub secrets_from_env: bool,
    /// Resolve `configMapKeyRef`s from this directory (`DIR/<configmap>/<key>`).
    #[arg(long, value_name = "DIR")]
    pub configmaps: Option<PathBuf>,
    /// Who runs container and script templates that are not this binary's components:
    /// `components` refuses them before anything runs; `host` runs their command on this
    /// machine inside bubblewrap (host filesystem read-only, private `/tmp` and artifact
    /// paths; images are not pulled, busybox/alpine/python are emulated by the host's tools).
    #[arg(long, value_enum, default_value = "components")]
    pub executor: crate::runner::Executor,
    /// Print the outcome as one JSON document on stdout (for scripts) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Why `run` did not succeed, with the exit code it maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFailure {
    /// One or more lines naming what went wrong.
    pub message: String,
    /// [`EXIT_INVALID`] for values refused before anything ran, 1 for a failed run, 128 + the
    /// signal for an interrupted one.
    pub code: u8,
}

impl RunFailure {
    fn invalid(message: String) -> Self {
        RunFailure {
            message,
            code: EXIT_INVALID,
        }
    }
    fn failed(message: String) -> Self {
        RunFailure { message, code: 1 }
    }
}

impl RunArgs {
    /// Compiles `pipeline` (or reads `--manifest`), checks every parameter by deserializing it
    /// into its type and resolves relative references to outside data against the current
    /// directory (all before anything runs), runs it locally spawning this binary for every
    /// step, and prints the outcome on stdout (JSON with `--json`).
    pub fn execute(&self, pipeline: &Pipeline) -> Result<RunOutcome, RunFailure> {
        let params = self.parameters(pipeline).map_err(RunFailure::invalid)?;
        let workflow = match &self.manifest {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| RunFailure::invalid(format!("{}: {e}", path.display())))?;
                crate::argo::from_yaml(&text)
                    .map_err(|e| RunFailure::invalid(format!("{}: {e}", path.display())))?
            }
            None => pipeline
                .compile()
                .map_err(|e| RunFailure::invalid(e.to_string()))?
                .workflow(),
        };
        let (artifacts, remote) = self.store().map_err(RunFailure::invalid)?;
        for (flag, dir) in [
            ("--secrets", &self.secrets),
            ("--configmaps", &self.configmaps),
        ] {
            if let Some(dir) = dir.as_ref().filter(|d| !d.is_dir()) {
                return Err(RunFailure::invalid(format!(
                    "{flag} {}: not a directory",
                    dir.display()
                )));
            }
        }
        let options = RunOptions {
            secrets: self.secrets.clone(),
            secrets_from_env: self.secrets_from_env,
            configmaps: self.configmaps.clone(),
            executor: self.executor,
            artifacts,
            remote,
            parallelism: self.parallelism,
            no_cache: self.no_cache,
            params,
            ..RunOptions::default()
        };
        let summary = run(&workflow, &options).map_err(|e| match e {
            RunnerError::UnknownParameter { .. }
            | RunnerError::InvalidParameter { .. }
            | RunnerError::Unsupported { .. } => RunFailure::invalid(e.to_string()),
            e => RunFailure::failed(e.to_string()),
        })?;
        if summary.status == WorkflowStatus::Interrupted {
            return Err(RunFailure {
                message: interrupted_line(&summary),
                code: exit_code_of_signal(&summary),
            });
        }
        eprint!("{}", summary.table());
        let outcome = RunOutcome::new(summary, pipeline);
        outcome.print(self.json);
        if outcome.summary.status != WorkflowStatus::Succeeded {
            return Err(RunFailure::failed(format!(
                "run {} failed (report: {}):\n  {}",
                outcome.summary.workflow,
                outcome.summary.report.display(),
                outcome.summary.errors().join("\n  ")
            )));
        }
        Ok(outcome)
    }

    /// The parameter values to run with, as parameter text: the file's, then `--param`s, each
    /// checked by deserializing it into its type; every value naming outside data (given or
    /// default) resolved against the current directory and checked to be readable.
    fn parameters(&self, pipeline: &Pipeline) -> Result<BTreeMap<String, String>, String> {
        let types = pipeline.parameter_types();
        let ty = |name: &str| {
            types.get(name).ok_or_else(|| {
                let known: Vec<&str> = types.keys().map(String::as_str).collect();
                format!(
                    "unknown pipeline parameter `{name}` (the pipeline has: {})",
                    known.join(", ")
                )
            })
        };
        let mut params = BTreeMap::new();
        if let Some(file) = &self.params {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("--params {}: {e}", file.display()))?;
            let values: BTreeMap<String, serde_json::Value> =
                serde_yaml::from_str(&text).map_err(|e| {
                    format!(
                        "--params {}: not a JSON/YAML map of parameter values: {e}",
                        file.display()
                    )
                })?;
            for (name, value) in values {
                let text = ty(&name)?
                    .check_json(&name, value)
                    .map_err(|e| format!("--params {}: {e}", file.display()))?;
                params.insert(name, text);
            }
        }
        for (name, text) in &self.param {
            let text = ty(name)?
                .check_text(name, text)
                .map_err(|e| format!("--param {e}"))?;
            params.insert(name.clone(), text);
        }
        let base = std::env::current_dir().map_err(|e| format!("current directory: {e}"))?;
        for (name, default) in pipeline.parameter_defaults() {
            let Some(hook) = types.get(&name).and_then(|t| t.external()) else {
                continue;
            };
            let value = params.get(&name).cloned().unwrap_or(default.clone());
            let resolved = hook
                .resolve(&value, &base)
                .map_err(|e| format!("parameter `{name}` = `{value}`: {e}"))?;
            hook.fingerprint(&resolved)
                .map_err(|e| format!("parameter `{name}` = `{resolved}`: {e}"))?;
            if resolved != default || params.contains_key(&name) {
                params.insert(name, resolved);
            }
        }
        Ok(params)
    }

    /// The local store root and, for a URL (`s3://bucket/prefix`), the remote store with its
    /// local working copy under `artifacts/<scheme>/<rest>`.
    fn store(&self) -> Result<(PathBuf, Option<Arc<dyn ObjectStore>>), String> {
        let Some((scheme, rest)) = self.artifacts.split_once("://") else {
            return Ok((PathBuf::from(&self.artifacts), None));
        };
        let remote = open_remote(&self.artifacts).map_err(|e| format!("--artifacts {e}"))?;
        let local = PathBuf::from("artifacts")
            .join(scheme)
            .join(rest.trim_matches('/'));
        Ok((local, Some(remote)))
    }
}
