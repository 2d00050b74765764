//! Model reload without downtime: on SIGHUP, and every `--watch` seconds when the bundle's
//! bytes changed. A bad bundle is refused, logged and counted; the old one keeps serving.

use crate::app::App;
use crate::source::{parse, version_of, LoadError, Loaded};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// Runs `f` on a plain thread (the S3 client drives its own runtime) and awaits its result.
async fn off_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.await.ok()
}

fn outcome(app: &App, why: &str, result: Result<Loaded, LoadError>) {
    match result {
        Ok(loaded) => {
            tracing::info!(version = %loaded.version, "{why}: model reloaded from {}", app.source);
            app.swap(loaded);
            app.metrics.reloads.with_label_values(&["ok"]).inc();
        }
        Err(e) => {
            tracing::error!(
                "{why}: {e}; still serving version {}",
                app.current().version
            );
            app.metrics.reloads.with_label_values(&["error"]).inc();
        }
    }
}

/// Loads the bundle again and swaps it in if it is good.
pub async fn reload(app: &Arc<App>, why: &str) {
    let source = app.source.clone();
    let result = off_runtime(move || source.load())
        .await
        .unwrap_or_else(|| Err(LoadError::Location("loader thread died".into())));
    outcome(app, why, result);
}

/// Reloads on every SIGHUP.
pub async fn on_sighup(app: Arc<App>, mut hup: tokio::signal::unix::Signal) {
    while hup.recv().await.is_some() {
        reload(&app, "SIGHUP").await;
    }
}

/// Every `every`, fetches the bundle and reloads it when its bytes changed; for
/// `models:/NAME@ALIAS`, asks the registry which version the alias points at and downloads only
/// when that version changed.
pub async fn watch(app: Arc<App>, every: Duration) {
    let mut seen = app.current().version.clone();
    let mut registry: Option<String> = None;
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let source = app.source.clone();
        let pinned = registry.clone();
        let fetched = off_runtime(move || source.fetch_unless(pinned.as_deref())).await;
        let bytes = match fetched {
            Some(Ok((Some(bytes), version))) => {
                registry = version;
                bytes
            }
            Some(Ok((None, _))) | None => continue,
            Some(Err(e)) => {
                tracing::warn!("watch: {e}");
                continue;
            }
        };
        let version = version_of(&bytes);
        if version == seen {
            continue;
        }
        seen = version;
        outcome(&app, "watch", parse(&app.source, &bytes));
    }
}
