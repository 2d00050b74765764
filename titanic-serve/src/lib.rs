//! # titanic-serve
//!
//! The inference server of the Titanic model (the `inference` image's entrypoint): the demo's
//! `POST /predict` and `/predict/batch`, the Open Inference Protocol v2 REST routes, `/health`,
//! `/ready`, `/metrics` (Prometheus), `/schema`, a beacon log of every request, reload on
//! SIGHUP or `--watch`, graceful shutdown on SIGTERM/SIGINT. It links the plain-Rust model
//! ([`titanic_model`]) and no training code. See `docs/serving.md`.

pub mod app;
pub mod beacon;
pub mod cli;
pub mod deadline;
pub mod demo;
pub mod envelope;
pub mod fields;
pub mod metrics;
pub mod reload;
pub mod routes;
pub mod schema;
pub mod server;
pub mod source;
pub mod v2;

use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;

/// Loads the model (refusing to start on a bad one), then serves until SIGTERM/SIGINT.
pub fn run(args: cli::Args) -> anyhow::Result<()> {
    let source = source::ModelSource::from_args(
        args.model.as_deref(),
        args.bucket.as_deref(),
        args.model_path.as_deref(),
    )?;
    let loaded = source.load()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args, source, loaded))
}

async fn serve(
    args: cli::Args,
    source: source::ModelSource,
    loaded: source::Loaded,
) -> anyhow::Result<()> {
    let (beacon, writer) = beacon::start(
        &args.beacon_dir,
        beacon::Rotation {
            max_bytes: args.beacon_max_bytes,
            keep: args.beacon_keep,
        },
        args.redact.clone(),
    )
    .with_context(|| {
        format!(
            "beacon directory {} is not writable",
            args.beacon_dir.display()
        )
    })?;
    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let addr = listener.local_addr()?;
    let version = loaded.version.clone();
    let metrics = metrics::Metrics::new().context("cannot register metrics")?;
    let app = Arc::new(app::App::new(
        loaded,
        metrics,
        beacon.clone(),
        source,
        args.model_name.clone(),
        args.body_limit,
        Duration::from_secs(args.body_timeout),
    ));
    // Signal handlers before the first request can be served (SIGHUP and SIGTERM would
    // otherwise kill the process).
    use tokio::signal::unix::{signal, SignalKind};
    let hup = signal(SignalKind::hangup()).context("cannot listen for SIGHUP")?;
    let term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    let int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
    tokio::spawn(reload::on_sighup(Arc::clone(&app), hup));
    if let Some(secs) = args.watch {
        tokio::spawn(reload::watch(
            Arc::clone(&app),
            Duration::from_secs(secs.max(1)),
        ));
    }
    let stop = Arc::new(tokio::sync::Notify::new());
    let stopped = Arc::clone(&stop);
    let limits = server::Limits {
        timeouts: deadline::Timeouts {
            header: Duration::from_secs(args.header_timeout),
            idle: Duration::from_secs(args.idle_timeout),
        },
        max_connections: args.max_connections as usize,
    };
    let mut server = tokio::spawn(server::serve(
        listener,
        Arc::clone(&app),
        limits,
        async move { stopped.notified().await },
    ));
    tracing::info!(%version, "serving {} on http://{addr}", app.source);
    tokio::select! {
        _ = &mut server => {}
        signal = shutdown_signal(term, int) => {
            tracing::info!("{signal}: finishing in-flight requests");
            stop.notify_one();
            let grace = Duration::from_secs(args.shutdown_grace);
            if tokio::time::timeout(grace, &mut server).await.is_err() {
                tracing::warn!("requests still running after {grace:?}: stopping anyway");
            }
        }
    }
    let lines = beacon.stop(writer).await.context("beacon: cannot flush")?;
    tracing::info!("beacon flushed and synced ({lines} lines this run); bye");
    Ok(())
}

/// Resolves on SIGTERM or SIGINT, naming it.
async fn shutdown_signal(
    mut term: tokio::signal::unix::Signal,
    mut int: tokio::signal::unix::Signal,
) -> &'static str {
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    }
}
