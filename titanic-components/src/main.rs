//! `titanic`: the components binary of the Titanic pipeline (the container entrypoint on Argo
//! and what the local runner spawns), plus `compile`, `list`, `describe`, `run` and `predict`.

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use pipeline_dsl::cli::PipelineCommand;
use std::path::PathBuf;
use std::process::ExitCode;

/// Titanic survival pipeline: run a step, compile or run the pipeline, score passengers.
#[derive(Parser)]
#[command(name = "titanic", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Pipeline(PipelineCommand),
    /// Submit the compiled workflow to an Argo Server (settings from flags or the argo CLI's
    /// ARGO_* variables); with --watch, follow it and exit 0 only if it Succeeded.
    Submit(pipeline_remote::argo::SubmitArgs),
    /// Score passengers with a model bundle and write a Kaggle submission (PassengerId,Survived).
    Predict {
        /// The model bundle (`model.json`) the pipeline published.
        #[arg(long)]
        model: PathBuf,
        /// Passengers in Kaggle's `test.csv` format.
        #[arg(long)]
        input: PathBuf,
        /// Where to write the submission CSV (`-`: stdout); never the input or the model.
        #[arg(long)]
        output: PathBuf,
        /// Add a `SurvivalChance` column (the probability the inference server answers).
        #[arg(long)]
        probability: bool,
    },
    /// Describe a model bundle: the request fields it reads and imputes, and its model card
    /// (data, features, validation scheme, metrics with their spread, known limits), as JSON.
    Model {
        /// The model bundle (`model.json`).
        #[arg(long)]
        model: PathBuf,
    },
}

/// `titanic model`: the bundle's fields, metrics and card as pretty JSON on stdout.
fn describe_model(path: &std::path::Path) -> anyhow::Result<String> {
    let b = titanic_components::predict::load_model(path)?;
    let v = serde_json::json!({
        "fields": b.fields,
        "metrics": b.metrics,
        "card": b.card,
        "threshold": b.threshold,
        "format_version": b.format_version,
    });
    Ok(serde_json::to_string_pretty(&v)?)
}

/// `titanic submit`: exit 0 when the workflow was created (and, when watched, Succeeded).
fn submit(args: &pipeline_remote::argo::SubmitArgs) -> ExitCode {
    use pipeline_remote::argo::Outcome;
    let compiled = || {
        pipeline_dsl::cli::render(
            &titanic_components::pipeline(),
            pipeline_dsl::cli::Kind::Workflow,
            None,
        )
        .map_err(|e| e.to_string())
    };
    match args.run(compiled, &mut std::io::stdout()) {
        Ok(Outcome::Submitted(_)) => ExitCode::SUCCESS,
        Ok(Outcome::Finished(_, phase)) if phase == "Succeeded" => ExitCode::SUCCESS,
        Ok(Outcome::Finished(name, phase)) => {
            eprintln!("error: workflow {name} ended {phase}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // `run --help` lists the pipeline's parameters (not built for `component`, each step's
    // entrypoint).
    let mut command = Cli::command();
    if std::env::args().nth(1).as_deref() != Some("component") {
        command = pipeline_dsl::cli::with_pipeline_help(command, &titanic_components::pipeline());
    }
    let cli = Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Pipeline(command) => command.execute(titanic_components::pipeline),
        Command::Submit(args) => submit(&args),
        Command::Model { model } => match describe_model(&model) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Predict {
            model,
            input,
            output,
            probability,
        } => {
            let scored =
                titanic_components::predict::predict_file(&model, &input, &output, probability)
                    .with_context(|| format!("scoring {}", input.display()));
            match scored {
                Ok(n) => {
                    let to = if output == std::path::Path::new("-") {
                        "stdout".into()
                    } else {
                        output.display().to_string()
                    };
                    eprintln!("scored {n} passengers -> {to}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
