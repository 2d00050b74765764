//! `titanic`: the components binary of the Titanic pipeline (the container entrypoint on Argo
//! and what the local runner spawns), plus `compile`, `list`, `describe`.

use clap::Parser;
use pipeline_dsl::cli::PipelineCommand;
use std::process::ExitCode;

/// Titanic survival pipeline: run a step, compile the Argo manifest, inspect components.
#[derive(Parser)]
#[command(name = "titanic", version, about)]
struct Cli {
    #[command(subcommand)]
    command: PipelineCommand,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    Cli::parse().command.execute(titanic_components::pipeline)
}
