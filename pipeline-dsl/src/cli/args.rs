//! The arguments of `component` and `compile`, and the `NAME=VALUE` parser the commands share.

use crate::outputs::OutputPaths;
use crate::pipeline::Pipeline;
use crate::runtime::RunContext;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `component <name> --param k=v --input name=PATH --output name=PATH`.
#[derive(Debug, clap::Args)]
pub struct ComponentArgs {
    /// Component name.
    pub name: String,
    /// A parameter value, `NAME=VALUE` (strings raw, anything else JSON).
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = key_value)]
    pub params: Vec<(String, String)>,
    /// An input artifact, `NAME=PATH`.
    #[arg(long = "input", value_name = "NAME=PATH", value_parser = key_value)]
    pub inputs: Vec<(String, String)>,
    /// Where to write an output (artifact or output parameter), `NAME=PATH`.
    #[arg(long = "output", value_name = "NAME=PATH", value_parser = key_value)]
    pub outputs: Vec<(String, String)>,
}

impl ComponentArgs {
    /// The run context these arguments describe.
    pub fn context(&self) -> RunContext {
        let map = |pairs: &[(String, String)]| -> BTreeMap<String, PathBuf> {
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), PathBuf::from(v)))
                .collect()
        };
        RunContext {
            component: self.name.clone(),
            params: self.params.iter().cloned().collect(),
            inputs: map(&self.inputs),
            outputs: OutputPaths(map(&self.outputs)),
        }
    }
}

/// Which Argo kind `compile` emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A `Workflow` (`argo submit`).
    Workflow,
    /// A `WorkflowTemplate` (`argo template create`, then submit by name).
    Template,
    /// A `CronWorkflow` (needs `--schedule`).
    Cron,
}

/// `compile [--kind K] [--schedule CRON] [-o FILE]`.
#[derive(Debug, clap::Args)]
pub struct CompileArgs {
    /// Which Argo object to emit.
    #[arg(long, value_enum, default_value_t = Kind::Workflow)]
    pub kind: Kind,
    /// Cron schedule for `--kind cron`, e.g. `0 3 * * *`.
    #[arg(long, required_if_eq("kind", "cron"))]
    pub schedule: Option<String>,
    /// Write to this file (only when the content changes) instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Container image of every step that does not set its own (e.g.
    /// `localhost:5001/mlops-titanic/components:dev`).
    #[arg(long, value_name = "REF")]
    pub image: Option<String>,
    /// Service account the pods run as.
    #[arg(long, value_name = "NAME")]
    pub service_account: Option<String>,
    /// Use this artifact repository instead of the namespace's default
    /// (`spec.artifactRepositoryRef`), as `CONFIGMAP:KEY`.
    #[arg(long, value_name = "CONFIGMAP:KEY", value_parser = config_map_key)]
    pub artifact_repository: Option<(String, String)>,
}

impl CompileArgs {
    /// `pipeline` with this command's overrides applied.
    pub fn apply(&self, mut pipeline: Pipeline) -> Pipeline {
        if let Some(image) = &self.image {
            pipeline = pipeline.image(image);
        }
        if let Some(sa) = &self.service_account {
            pipeline = pipeline.service_account(sa);
        }
        if let Some((cm, key)) = &self.artifact_repository {
            pipeline = pipeline.artifact_repository(cm, key);
        }
        pipeline
    }
}

fn config_map_key(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((cm, key)) if !cm.is_empty() && !key.is_empty() => Ok((cm.into(), key.into())),
        _ => Err(format!("expected CONFIGMAP:KEY, got `{s}`")),
    }
}

/// Parses `NAME=VALUE` (`--param`, `--input`, `--output`).
pub(super) fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}
