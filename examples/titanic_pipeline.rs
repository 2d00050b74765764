//! Runs the whole Titanic pipeline on this machine: no Docker, no Kubernetes, no services.
//!
//! ```text
//! cargo run --release --example titanic_pipeline
//! cargo run --release --example titanic_pipeline -- --source data/titanic/train.csv
//! cargo run --release --example titanic_pipeline -- --params params.yaml --artifacts /tmp/art --no-cache
//! cargo run --release --example titanic_pipeline -- --artifacts s3://bucket/titanic \
//!     --param model_target=s3://bucket/model.json   # AWS_ENDPOINT_URL etc. from the environment
//! ```
//!
//! The local runner executes the compiled Argo `Workflow` (the same YAML as `pipeline.yaml`),
//! spawning this very binary for every step (`titanic_pipeline component <name> ...`), caches
//! finished steps by content digest, and ends with the metrics and the path of `model.json`.

use anyhow::{bail, Context};
use clap::Parser;
use pipeline_dsl::cli::PipelineCommand;
use pipeline_dsl::prelude::*;
use pipeline_dsl::runner::RunSummary;
use pipeline_dsl::RunArgs;
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
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(mut args: Args) -> anyhow::Result<()> {
    if let Some(source) = args.source.take() {
        args.run.param.push(("source".into(), source));
    }
    let summary = args
        .run
        .execute(&titanic_components::pipeline())
        .map_err(anyhow::Error::msg)?;
    report(&summary)
}

/// Prints the metrics and where `model.json` is.
fn report(summary: &RunSummary) -> anyhow::Result<()> {
    let artifact = |task: &str, name: &str| {
        summary
            .steps
            .iter()
            .filter(|s| s.task == task)
            .flat_map(|s| &s.artifacts)
            .find(|a| a.name == name)
    };
    let metrics = artifact("evaluate", "metrics").context("the run has no evaluation metrics")?;
    let metrics = Metrics::read(&metrics.path)?;
    println!("\nout-of-fold metrics:");
    for m in &metrics.metrics {
        println!("  {:<16} {}", m.name, m.number_value);
    }
    match artifact("publish", "model") {
        Some(model) => {
            let target = summary.run_dir.join("model.json");
            std::fs::copy(&model.path, &target)
                .with_context(|| format!("copying {}", model.path.display()))?;
            println!("\nmodel: {}", target.display());
            if let Some(remote) = &summary.remote_run_dir {
                let url: S3Url = format!("{remote}/model.json").parse()?;
                S3Client::from_env()?.put(&url, &std::fs::read(&target)?)?;
                println!("       {url}");
            }
        }
        None => {
            bail!("the model was not published: accuracy is below the threshold (see the report)")
        }
    }
    println!("report: {}", summary.report.display());
    Ok(())
}
