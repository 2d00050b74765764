//! # pipeline-remote
//!
//! Remote data for `pipeline_dsl` pipelines: S3 objects and HTTP(S) downloads for components
//! that read or publish data, and the `s3://` artifact store of the local runner
//! (`run --artifacts s3://bucket/prefix` works in any binary that links this crate).
//!
//! ```no_run
//! use pipeline_remote::{fetch, S3Client, S3Url};
//! let csv = fetch("s3://data/titanic/train.csv")?; // or https://...
//! let target: S3Url = "s3://models/titanic/model.json".parse()?;
//! S3Client::from_env()?.put(&target, &csv)?;
//! # Ok::<(), pipeline_remote::RemoteError>(())
//! ```
//!
//! Configuration comes from the usual AWS variables, so the same binary works against AWS,
//! LocalStack and moto:
//! - `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`: endpoint override (path-style addressing is
//!   used with an override, as LocalStack and moto need);
//! - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`;
//! - `AWS_REGION` or `AWS_DEFAULT_REGION` (default `us-east-1`).
//!
//! Uploads send checksums only when S3 requires them (`WhenRequired`), which LocalStack and
//! moto accept. Every call has connect and operation timeouts, so an unreachable endpoint is an
//! error naming it, never a hang.

pub mod argo;
mod http;
pub mod mlflow;
mod s3;
#[cfg(feature = "runner-store")]
mod store;
mod url;

pub use http::{fetch_http, http_validators};

pub use s3::{S3Client, S3Config};
use sha2::Digest;
#[cfg(feature = "runner-store")]
pub use store::S3Prefix;
pub use url::S3Url;

/// What went wrong talking to a remote store.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// A URL that cannot be used.
    #[error("`{url}`: {message}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// The configuration (environment variables) is incomplete.
    #[error("S3 configuration: {0}")]
    Config(String),
    /// The object does not exist.
    #[error("{url}: no such object")]
    NotFound {
        /// The object.
        url: String,
    },
    /// The request failed (unreachable endpoint, refused credentials, HTTP error status, ...).
    #[error("{url}: {message}")]
    Request {
        /// The object or URL.
        url: String,
        /// Why it failed, including the endpoint for connection errors.
        message: String,
    },
}

/// Downloads `uri`: `s3://bucket/key` or `http(s)://...`.
///
/// ```no_run
/// let csv = pipeline_remote::fetch("https://example.org/train.csv")?;
/// # Ok::<(), pipeline_remote::RemoteError>(())
/// ```
pub fn fetch(uri: &str) -> Result<Vec<u8>, RemoteError> {
    if uri.starts_with("s3://") {
        let url: S3Url = uri.parse()?;
        return S3Client::from_env()?.get(&url);
    }
    if uri.starts_with("http://") || uri.starts_with("https://") {
        return fetch_http(uri);
    }
    Err(RemoteError::BadUrl {
        url: uri.to_owned(),
        message: "not an s3://, http:// or https:// URL".into(),
    })
}

/// What identifies the current content of `uri` (`s3://` or `http(s)://`) for a cache key:
/// an S3 object's ETag (and version id), an HTTP resource's `ETag`/`Last-Modified`, or when
/// the server sends neither, `sha256=<hex>` of the downloaded content.
pub fn content_version(uri: &str) -> Result<String, RemoteError> {
    if uri.starts_with("s3://") {
        let url: S3Url = uri.parse()?;
        return S3Client::from_env()?.version(&url);
    }
    if !is_remote(uri) {
        return Err(RemoteError::BadUrl {
            url: uri.to_owned(),
            message: "not an s3://, http:// or https:// URL".into(),
        });
    }
    if let Some(validators) = http::http_validators(uri)? {
        return Ok(validators);
    }
    let bytes = fetch(uri)?;
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("sha256={digest}"))
}

/// True for `s3://`, `http://` and `https://` URLs.
pub fn is_remote(uri: &str) -> bool {
    ["s3://", "http://", "https://"]
        .iter()
        .any(|p| uri.starts_with(p))
}

/// The error and its sources, `a: b: c`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// The runtime that drives the blocking wrappers (one worker thread, created on first use).
fn runtime() -> Result<&'static tokio::runtime::Runtime, RemoteError> {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("pipeline-dsl-remote")
        .enable_all()
        .build()
        .map_err(|e| RemoteError::Config(format!("cannot start the I/O runtime: {e}")))?;
    Ok(RUNTIME.get_or_init(|| rt))
}
