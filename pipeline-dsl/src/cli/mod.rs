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

mod args;
mod command;
pub(crate) mod outcome;
mod output;
pub(crate) mod run;
mod store;

pub use args::{CompileArgs, ComponentArgs, Kind};
pub use command::PipelineCommand;
pub use output::{print_quietly, render, warnings, write_if_changed};

use crate::pipeline::Pipeline;
use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

// The command line of [`main`]: the pipeline subcommands and nothing else (no doc comment: clap
// would make it the title).
#[derive(clap::Parser)]
struct Cli {
    #[command(subcommand)]
    command: PipelineCommand,
}

/// The whole `main` of a pipeline binary: parses the command line (`run`, `compile`, `list`,
/// `describe`, `store`, and `component`, what each Argo pod and each local step runs), runs the
/// command and returns its exit code. `--help` shows the pipeline's name and description and
/// `run --help` its parameters with their defaults.
///
/// ```no_run
/// use pipeline_dsl::prelude::*;
///
/// fn pipeline() -> Pipeline {
///     Pipeline::new("wordcount")
/// }
///
/// fn main() -> std::process::ExitCode {
///     pipeline_dsl::cli::main(pipeline)
/// }
/// ```
///
/// `pipeline` is called by the commands that need the pipeline (`run`, `compile`, `describe`
/// without a name, and `--help`), never by `component`.
pub fn main(pipeline: impl Fn() -> Pipeline) -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut command = Cli::command();
    if args.get(1).is_none_or(|a| a != "component") {
        command = with_pipeline_help(command, &pipeline());
    }
    let matches = command.get_matches_from(args);
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli.command.execute(pipeline),
        Err(e) => e.exit(),
    }
}

/// `command` with the pipeline's name and description as its title (unless it has its own) and
/// the pipeline's parameters listed in the help of its `run` subcommand. For binaries that embed
/// [`PipelineCommand`] in a CLI of their own:
///
/// ```no_run
/// use clap::{CommandFactory, FromArgMatches, Parser};
/// use pipeline_dsl::cli::{with_pipeline_help, PipelineCommand};
///
/// #[derive(Parser)]
/// struct Cli {
///     #[command(subcommand)]
///     command: PipelineCommand,
/// }
/// # fn pipeline() -> pipeline_dsl::Pipeline { pipeline_dsl::Pipeline::new("demo") }
///
/// fn main() -> std::process::ExitCode {
///     let matches = with_pipeline_help(Cli::command(), &pipeline()).get_matches();
///     let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
///     cli.command.execute(pipeline)
/// }
/// ```
pub fn with_pipeline_help(command: clap::Command, pipeline: &Pipeline) -> clap::Command {
    let graph = pipeline.graph.borrow();
    let mut command = command;
    // clap gives a CLI without a title of its own the doc comment of its subcommand enum.
    let inherited = command
        .get_about()
        .is_none_or(|a| a.to_string().starts_with("The pipeline subcommands"));
    if inherited {
        let about = match graph.description.as_str() {
            "" => format!("The `{}` pipeline", graph.name),
            text => format!("The `{}` pipeline: {text}", graph.name),
        };
        command = command.about(about);
    }
    if graph.params.is_empty() {
        return command;
    }
    let width = graph.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let mut text =
        String::from("Pipeline parameters (`--param NAME=VALUE`, or `--params FILE`):\n");
    for p in &graph.params {
        let default = crate::param::encode_json(&p.default);
        let default = if default.is_empty() {
            "\"\"".to_owned()
        } else {
            default
        };
        text.push_str(&format!("  {:<width$}  [default: {default}]", p.name));
        if !p.description.is_empty() {
            text.push_str(&format!("  {}", p.description));
        }
        text.push('\n');
    }
    if command.find_subcommand("run").is_some() {
        command = command.mut_subcommand("run", |run| run.after_help(text));
    }
    command
}
