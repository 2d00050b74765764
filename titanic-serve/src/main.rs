//! `titanic-serve`: see the library docs and `docs/serving.md`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "titanic_serve=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match titanic_serve::run(titanic_serve::cli::Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
