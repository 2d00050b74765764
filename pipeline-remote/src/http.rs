//! HTTP(S) downloads.

use std::time::Duration;

use super::{chain, runtime, RemoteError};

/// Downloads `url` (`http://` or `https://`), following redirects; a status other than 2xx is
/// an error naming it. Connect timeout 10 s, whole request 5 min.
pub fn fetch_http(url: &str) -> Result<Vec<u8>, RemoteError> {
    let fail = |message: String| RemoteError::Request {
        url: url.to_owned(),
        message,
    };
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(300))
        .user_agent(concat!("pipeline-dsl/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| fail(format!("cannot build the HTTP client: {e}")))?;
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
