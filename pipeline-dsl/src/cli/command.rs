//! [`PipelineCommand`]: the pipeline subcommands and what each one does.

use super::args::{CompileArgs, ComponentArgs};
use super::output::{print_quietly, render, warnings, write_if_changed};
use super::run::{RunArgs, RunFailure};
use super::store::StoreCommand;
use crate::component::{registered, ComponentSpec, Registration};
use crate::pipeline::Pipeline;
use crate::runtime::run_component;
use std::process::ExitCode;

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
    Run(RunArgs),
    /// Check or clean the artifact store (`verify`, `gc --keep N`).
    #[command(subcommand)]
    Store(StoreCommand),
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
    let function = |r: &&&Registration| r.site.function.rsplit("::").next() == Some(name);
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
