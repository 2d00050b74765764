//! The HTTP server loop: accepts connections and serves each with hyper (HTTP/1.1, h2c) through
//! the warp filter of [`routes::handle`]; once `stop` resolves it stops accepting and waits for
//! every connection to finish its in-flight requests.
//!
//! Each connection's socket is [`Guarded`] by the header and idle timeouts, and at most
//! `max_connections` are open at once: at the cap the server stops accepting (new clients wait
//! in the kernel's listen queue) until one closes.
//!
//! A client that cuts its connection mid-request (a load balancer's probe, a load generator
//! stopping, a client timeout) or is timed out is routine: logged at debug. Other connection
//! errors at warn.

use crate::app::App;
use crate::deadline::{Activity, Guarded, Timeouts};
use crate::routes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::error::Error;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use warp::Filter;

/// Limits on the connections the server holds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a connection may wait before or between requests.
    pub timeouts: Timeouts,
    /// Connections open at once.
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `stop`, then until the open connections are done.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let open = app.metrics.connections.clone();
    let timed_out = app.metrics.timeouts.clone();
    let filter = warp::any()
        .and(warp::method())
        .and(warp::path::full())
        .and(warp::header::optional::<u64>("content-length"))
        .and(warp::body::stream())
        .then(move |method, path: warp::path::FullPath, length, body| {
            let app = Arc::clone(&app);
            async move { routes::handle(app, method, path.as_str(), length, body).await }
        })
        .recover(|r: warp::Rejection| async move {
            let body = serde_json::json!({ "error": format!("bad request: {r:?}") });
            Ok::<_, std::convert::Infallible>(warp::reply::with_status(
                warp::reply::json(&body),
                warp::http::StatusCode::BAD_REQUEST,
            ))
        });
    let service = TowerToHyperService::new(warp::service(filter));
    let builder = Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut stop = std::pin::pin!(stop);
    loop {
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                tracing::warn!(
                    "{} connections open (--max-connections): accepting again when one closes",
                    limits.max_connections
                );
                tokio::select! {
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break, // never closed
                    },
                    () = &mut stop => break,
                }
            }
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // E.g. out of file descriptors: wait for connections to close.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // Responses go out as soon as they are written (no Nagle delay behind an unacked one).
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {e}");
        }
        let activity = Arc::new(Activity::default());
        let io = TokioIo::new(Guarded::new(stream, limits.timeouts, Arc::clone(&activity)));
        let answering = Arc::clone(&activity);
        let service = service.clone();
        let service = hyper::service::service_fn(move |request| {
            let busy = answering.begin();
            let response = hyper::service::Service::call(&service, request);
            async move {
                let response = response.await;
                drop(busy);
                response
            }
        });
        let connection = graceful.watch(
            builder
                .serve_connection_with_upgrades(io, service)
                .into_owned(),
        );
        let (open, timed_out) = (open.clone(), timed_out.clone());
        tokio::spawn(async move {
            open.inc();
            match connection.await {
                Ok(()) => {}
                Err(e) if routine(&*e) => tracing::debug!("connection closed: {e}"),
                Err(e) => tracing::warn!("connection error: {e}"),
            }
            if activity.timed_out() {
                timed_out.inc();
            }
            open.dec();
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The kind of the I/O error behind a connection error, if one is.
fn io_kind(e: &(dyn Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cause = Some(e);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cause = e.source();
    }
    None
}

/// Whether a connection error only says that the client closed or reset the connection (or the
/// shutdown closed it).
fn routine(e: &(dyn Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(e) = cause {
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_canceled() || h.is_closed() {
                return true;
            }
        }
        cause = e.source();
    }
    use std::io::ErrorKind::*;
    matches!(
        io_kind(e),
        // Interrupted: closed by a graceful shutdown before it sent a request; TimedOut: by
        // a deadline of `Guarded` (logged there).
        Some(ConnectionReset | ConnectionAborted | BrokenPipe | Interrupted | TimedOut)
    )
}
