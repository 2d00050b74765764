//! HTTP(S) downloads.

use std::time::Duration;

use super::{chain, runtime, RemoteError};

fn client(url: &str) -> Result<reqwest::Client, RemoteError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(300))
        .user_agent(concat!("pipeline-dsl/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| RemoteError::Request {
            url: url.to_owned(),
            message: format!("cannot build the HTTP client: {e}"),
        })
}

/// The validators of `url` from a `HEAD` request: `etag=<ETag>` and/or
/// `last-modified=<date>`, or `None` when the server sends neither (the caller then digests the
/// content).
pub fn http_validators(url: &str) -> Result<Option<String>, RemoteError> {
    let fail = |message: String| RemoteError::Request {
        url: url.to_owned(),
        message,
    };
    let client = client(url)?;
    runtime()?.block_on(async {
        let response = client.head(url).send().await.map_err(|e| fail(chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let parts: Vec<String> = [
            ("etag", header("etag")),
            ("last-modified", header("last-modified")),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect();
        Ok((!parts.is_empty()).then(|| parts.join(" ")))
    })
}

/// Downloads `url` (`http://` or `https://`), following redirects; a status other than 2xx is
/// an error naming it. Connect timeout 10 s, whole request 5 min.
pub fn fetch_http(url: &str) -> Result<Vec<u8>, RemoteError> {
    let fail = |message: String| RemoteError::Request {
        url: url.to_owned(),
        message,
    };
    let client = client(url)?;
    runtime()?.block_on(async {
        let response = client.get(url).send().await.map_err(|e| fail(chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let body = response.bytes().await.map_err(|e| fail(chain(&e)))?;
        Ok(body.to_vec())
    })
}
