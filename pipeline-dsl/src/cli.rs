//! The command-line kit every pipeline binary shares: `component` (the container entrypoint),
//! `run`, `compile`, `list`, `describe` and `store`.
//!
//! The whole `main` of a pipeline binary can be [`main`]`(pipeline)`, with no clap code of
//! your own. To add commands of your own, make [`PipelineCommand`] a subcommand of your clap CLI
//! and hand it to [`PipelineCommand::execute`]: as the `#[command(subcommand)]` field of your
//! `Parser` (below), or as one variant of your own `Subcommand` enum marked
//! `#[command(flatten)]` (its commands then sit next to yours). `#[command(flatten)]` on a
//! *struct field* does not work: `PipelineCommand` is a set of subcommands, not of arguments.
//! [`with_pipeline_help`] adds the pipeline's title and parameters to your CLI's help.
//!
//! ```no_run
//! use clap::{Parser, Subcommand};
//! use pipeline_dsl::cli::PipelineCommand;
//!
//! /// My pipeline, and a command of my own.
//! #[derive(Parser)]
//! struct Cli {
//!     #[command(subcommand)]
//!     command: Command,
//! }
//!
//! #[derive(Subcommand)]
//! enum Command {
//!     #[command(flatten)]
//!     Pipeline(PipelineCommand),
//!     /// Says hello.
//!     Hello,
//! }
//!
//! # fn pipeline() -> pipeline_dsl::Pipeline { pipeline_dsl::Pipeline::new("demo") }
//! fn main() -> std::process::ExitCode {
//!     match Cli::parse().command {
//!         Command::Pipeline(command) => command.execute(pipeline),
//!         Command::Hello => {
//!             println!("hello");
//!             std::process::ExitCode::SUCCESS
//!         }
//!     }
//! }
//! ```

use crate::cli_run::RunFailure;
use crate::compile::CompileError;
use crate::component::{registered, ComponentSpec};
use crate::pipeline::Pipeline;
use crate::runtime::{run_component, RunContext};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

pub use crate::cli_main::{main, with_pipeline_help};

/// The pipeline subcommands: run one component, run the pipeline, compile it, inspect it.
#[derive(Debug, clap::Subcommand)]
pub enum PipelineCommand {
    /// Run one component (what each Argo container and each local runner step executes).
    Component(ComponentArgs),
    /// Print or write the compiled Argo manifest.
    Compile(CompileArgs),
    /// List the components linked into this binary.
    List,
    /// Show a component's spec (inputs, outputs, options, parameter JSON Schemas) or, without a
    /// name, the pipeline's parameters, image and command.
    Describe {
        /// Component name (see `list`) or its function's name (`count-words` or `count_words`).
        name: Option<String>,
    },
    /// Run the pipeline on this machine: every step as a process of this binary.
    Run(crate::cli_run::RunArgs),
    /// Check or clean the artifact store (`verify`, `gc --keep N`).
    #[command(subcommand)]
    Store(crate::cli_store::StoreCommand),
}

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

fn config_map_key(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((cm, key)) if !cm.is_empty() && !key.is_empty() => Ok((cm.into(), key.into())),
        _ => Err(format!("expected CONFIGMAP:KEY, got `{s}`")),
    }
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

pub(crate) fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
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
            outputs: crate::outputs::OutputPaths(map(&self.outputs)),
        }
    }
}

/// Writes `text` to stdout; a reader that went away (`| head -1`) ends the output quietly.
pub fn print_quietly(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(std::io::Error::new(e.kind(), format!("stdout: {e}")))
        }
        _ => Ok(()),
    }
}

impl PipelineCommand {
    /// Runs the command; `pipeline` builds the pipeline, called by the commands that need it
    /// (`run`, `compile`, and `describe` without a name), never by `component`. Errors are printed as one line on stderr and turn into a non-zero exit code:
    /// [`EXIT_INVALID`](crate::EXIT_INVALID) (2) for what a retry cannot fix (a bad parameter
    /// or input), 1 otherwise, 128 + the signal for an interrupted run.
    pub fn execute(self, pipeline: impl FnOnce() -> Pipeline) -> ExitCode {
        match self.try_execute(pipeline) {
            Ok(()) => ExitCode::SUCCESS,
            Err(RunFailure { message, code }) => {
                eprintln!("error: {message}");
                ExitCode::from(code)
            }
        }
    }

    fn try_execute(self, pipeline: impl FnOnce() -> Pipeline) -> Result<(), RunFailure> {
        fn failed(error: impl std::fmt::Display) -> RunFailure {
            RunFailure {
                message: error.to_string(),
                code: 1,
            }
        }
        match self {
            PipelineCommand::Component(args) => {
                run_component(&args.context()).map_err(|e| RunFailure {
                    message: e.to_string(),
                    code: e.exit_code(),
                })
            }
            PipelineCommand::Compile(args) => {
                if args.image.as_deref().is_some_and(|i| i.trim().is_empty()) {
                    return Err(RunFailure {
                        message: "--image must not be empty".into(),
                        code: crate::EXIT_INVALID,
                    });
                }
                let pipeline = args.apply(pipeline());
                let yaml =
                    render(&pipeline, args.kind, args.schedule.as_deref()).map_err(failed)?;
                for warning in warnings(&pipeline) {
                    eprintln!("{warning}");
                }
                match args.output {
                    Some(path) => write_if_changed(&path, &yaml)
                        .map(|_| ())
                        .map_err(|e| failed(format!("{}: {e}", path.display()))),
                    None => print_quietly(&yaml).map_err(failed),
                }
            }
            PipelineCommand::List => {
                let mut text = String::new();
                for r in registered().map_err(failed)? {
                    let spec = (r.spec)();
                    let summary = spec.description.lines().next().unwrap_or_default();
                    text.push_str(&format!("{:<24} {summary}\n", spec.name));
                }
                print_quietly(&text).map_err(failed)
            }
            PipelineCommand::Run(args) => args.execute(&pipeline()).map(|_| ()),
            PipelineCommand::Store(command) => command.execute().map_err(failed),
            PipelineCommand::Describe { name: None } => {
                let json = serde_json::to_string_pretty(&describe_pipeline(&pipeline()))
                    .map_err(failed)?;
                print_quietly(&(json + "\n")).map_err(failed)
            }
            PipelineCommand::Describe { name: Some(name) } => {
                let spec = find_spec(&name)?;
                let json = serde_json::to_string_pretty(&spec).map_err(failed)?;
                print_quietly(&(json + "\n")).map_err(failed)
            }
        }
    }
}

/// The registered component `name` names: its component name, the same in snake_case, or the
/// name of its function.
fn find_spec(name: &str) -> Result<ComponentSpec, RunFailure> {
    let all = registered().map_err(|e| RunFailure {
        message: e.to_string(),
        code: 1,
    })?;
    let kebab = name.replace('_', "-");
    let function =
        |r: &&&crate::component::Registration| r.site.function.rsplit("::").next() == Some(name);
    let found = all
        .iter()
        .find(|r| (r.spec)().name == kebab)
        .or_else(|| all.iter().find(function));
    found.map(|r| (r.spec)()).ok_or_else(|| RunFailure {
        message: format!("no component named `{name}` (see `list`)"),
        code: crate::EXIT_INVALID,
    })
}

/// What `describe` without a name prints: the pipeline's name, image, command and parameters.
fn describe_pipeline(pipeline: &Pipeline) -> serde_json::Value {
    let graph = pipeline.graph.borrow();
    let parameters: Vec<serde_json::Value> = graph
        .params
        .iter()
        .map(|p| {
            serde_json::json!({
                "name": p.name,
                "description": p.description,
                "default": p.default,
                "schema": p.schema,
            })
        })
        .collect();
    serde_json::json!({
        "pipeline": graph.name,
        "description": graph.description,
        "image": graph.image,
        "command": graph.command,
        "parameters": parameters,
        "tasks": graph.tasks.iter().map(|t| &t.name).collect::<Vec<_>>(),
    })
}

/// Compiles `pipeline` to YAML of the given kind.
pub fn render(
    pipeline: &Pipeline,
    kind: Kind,
    schedule: Option<&str>,
) -> Result<String, CompileError> {
    let compiled = pipeline.compile()?;
    match kind {
        Kind::Workflow => compiled.to_yaml(),
        Kind::Template => compiled.render(&compiled.workflow_template()),
        Kind::Cron => compiled.render(&compiled.cron_workflow(schedule.unwrap_or("0 0 * * *"))),
    }
}

/// What [`crate::argo::lint_workflow`] finds in the compiled workflow (no artifact repository is
/// assumed to exist beyond the namespace default); empty when the pipeline does not compile
/// (`render` reports that).
pub fn warnings(pipeline: &Pipeline) -> Vec<crate::argo::Warning> {
    pipeline
        .compile()
        .map(|c| crate::argo::lint_workflow(&c.workflow(), &Default::default()))
        .unwrap_or_default()
}

/// Writes `content` to `path` only when it differs from what is there (so builds stay
/// incremental and timestamps stable). Returns whether the file changed.
pub fn write_if_changed(path: &std::path::Path, content: &str) -> std::io::Result<bool> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(false);
    }
    crate::artifact::write_atomic(path, content.as_bytes()).map_err(std::io::Error::other)?;
    Ok(true)
}
