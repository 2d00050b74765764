//! The HTTP server loop: accepts connections and serves each with hyper (HTTP/1.1, h2c) through
//! the warp filter of [`routes::handle`]; once `stop` resolves it stops accepting and waits for
//! every connection to finish its in-flight requests.
//!
//! A client that cuts its connection mid-request (a load balancer's probe, a load generator
//! stopping, a client timeout) is routine: logged at debug. Other connection errors at warn.

use crate::app::App;
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
use warp::Filter;

/// Serves `app` on `listener` until `stop`, then until the open connections are done.
pub async fn serve(listener: TcpListener, app: Arc<App>, stop: impl Future<Output = ()>) {
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
    let service = warp::service(filter);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
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
        let connection = Builder::new(TokioExecutor::new())
            .serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service.clone()),
            )
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                if client_went_away(&*e) {
                    tracing::debug!("connection closed by the client: {e}");
                } else {
                    tracing::warn!("connection error: {e}");
                }
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Whether a connection error only says that the client closed or reset the connection.
fn client_went_away(e: &(dyn Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(e) = cause {
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_canceled() || h.is_closed() {
                return true;
            }
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(io.kind(), ConnectionReset | ConnectionAborted | BrokenPipe) {
                return true;
            }
        }
        cause = e.source();
    }
    false
}
