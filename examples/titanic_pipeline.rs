//! Runs the whole Titanic pipeline on this machine: no Docker, no Kubernetes, no services.
//!
//! ```text
//! cargo run --release --example titanic_pipeline
//! cargo run --release --example titanic_pipeline -- --source data/titanic/train.csv
//! cargo run --release --example titanic_pipeline -- --params params.yaml --artifacts /tmp/art --no-cache
//! cargo run --release --example titanic_pipeline -- --artifacts s3://bucket/titanic \
//!     --secrets-from-env --param model_target=s3://bucket/model.json   # AWS_* from the environment
//! ```
//!
//! The local runner executes the compiled Argo `Workflow` (the same YAML as `pipeline.yaml`),
//! spawning this very binary for every step (`titanic_pipeline component <name> ...`), caches
//! finished steps by content digest, and ends with the metrics and the path of `model.json`.

use anyhow::Context;
use clap::Parser;
use pipeline_dsl::cli::PipelineCommand;
use pipeline_dsl::{RunArgs, RunOutcome};
use pipeline_remote::{S3Client, S3Url};
use std::process::ExitCode;

/// Run the Titanic pipeline locally.
#[derive(Parser)]
#[command(name = "titanic_pipeline")]
struct Args {
    /// Data source: `bundled` (default), or a Kaggle-format CSV: a path, `s3://bucket/key` or an
    /// `http(s)://` URL.
    #[arg(long)]
    source: Option<String>,
    #[command(flatten)]
    run: RunArgs,
}

/// When the runner spawns this binary for a step.
#[derive(Parser)]
struct StepCli {
    #[command(subcommand)]
    command: PipelineCommand,
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("component") {
        return StepCli::parse()
            .command
            .execute(titanic_components::pipeline);
    }
    let mut args = Args::parse();
    if let Some(source) = args.source.take() {
        args.run.param.push(("source".into(), source));
    }
    // `execute` checks the parameters, runs, and prints the outcome: metrics, whether the model
    // was published (and why not), where model.json and the report are.
    let outcome = match args.run.execute(&titanic_components::pipeline()) {
        Ok(outcome) => outcome,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            return ExitCode::from(failure.code);
        }
    };
    match upload(&outcome) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// With an `s3://` store, also puts model.json next to the run's record there.
fn upload(outcome: &RunOutcome) -> anyhow::Result<()> {
    let Some(remote) = &outcome.summary.remote_run_dir else {
        return Ok(());
    };
    for model in &outcome.published {
        let url: S3Url = format!("{remote}/{}.json", model.output).parse()?;
        let bytes = std::fs::read(&model.path)
            .with_context(|| format!("reading {}", model.path.display()))?;
        S3Client::from_env()?.put(&url, &bytes)?;
        println!("{}: {url}", model.output);
    }
    Ok(())
}
