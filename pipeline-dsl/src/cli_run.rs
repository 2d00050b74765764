//! `run`: the local runner from the command line, and the parameter file it reads.

use crate::param::{check_schema, encode_json};
use crate::pipeline::Pipeline;
use crate::runner::{open_remote, run, ObjectStore, RunOptions, RunSummary, WorkflowStatus};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// `run [--params FILE] [--param k=v] [--artifacts DIR] [--parallelism N] [--no-cache]`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// JSON or YAML file of pipeline parameter values, checked against their JSON Schemas.
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// A pipeline parameter value, `NAME=VALUE` (overrides the file).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = super::cli::key_value)]
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
}

impl RunArgs {
    /// Compiles `pipeline` (or reads `--manifest`), checks the parameters and runs it locally,
    /// spawning this binary for every step.
    pub fn execute(&self, pipeline: &Pipeline) -> Result<RunSummary, String> {
        let schemas = pipeline.parameter_schemas();
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
                let schema = schemas.get(&name).ok_or_else(|| unknown(&name, &schemas))?;
                check_schema(&value, schema)
                    .map_err(|e| format!("--params {}: `{name}`: {e}", file.display()))?;
                params.insert(name, encode_json(&value));
            }
        }
        for (name, text) in &self.param {
            let schema = schemas.get(name).ok_or_else(|| unknown(name, &schemas))?;
            let value = serde_json::from_str(text)
                .unwrap_or_else(|_| serde_json::Value::String(text.clone()));
            check_schema(&value, schema).map_err(|e| format!("--param {name}: {e}"))?;
            params.insert(name.clone(), encode_json(&value));
        }
        let workflow = match &self.manifest {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                crate::argo::from_yaml(&text).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => pipeline.compile().map_err(|e| e.to_string())?.workflow(),
        };
        let (artifacts, remote) = self.store()?;
        let options = RunOptions {
            artifacts,
            remote,
            parallelism: self.parallelism,
            no_cache: self.no_cache,
            params,
            ..RunOptions::default()
        };
        let summary = run(&workflow, &options).map_err(|e| e.to_string())?;
        eprintln!("{}", summary.table());
        if summary.status != WorkflowStatus::Succeeded {
            return Err(format!(
                "run {} failed (report: {}):\n  {}",
                summary.workflow,
                summary.report.display(),
                summary.errors().join("\n  ")
            ));
        }
        Ok(summary)
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

fn unknown(name: &str, schemas: &BTreeMap<String, serde_json::Value>) -> String {
    let known: Vec<&str> = schemas.keys().map(String::as_str).collect();
    format!(
        "unknown pipeline parameter `{name}` (the pipeline has: {})",
        known.join(", ")
    )
}
