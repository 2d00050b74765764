//! The HTTP core: one request with authentication, bounded retries and MLflow's error bodies.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::{Auth, MlflowConfig, MlflowError};
use crate::{chain, runtime};

/// HTTP statuses worth another try (MLflow's own client retries the same set).
const TRANSIENT: [u16; 6] = [408, 429, 500, 502, 503, 504];

/// How often and how long to try one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// The wait before the second attempt; it doubles for each one after.
    pub first_backoff: Duration,
    /// Connect timeout of one attempt.
    pub connect_timeout: Duration,
    /// Timeout of one whole attempt.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, 0.5 s / 1 s / 2 s apart, 5 s to connect, 60 s per attempt: an unreachable
    /// server is reported within seconds, a server that restarts is waited for briefly.
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            first_backoff: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// A blocking client for one MLflow tracking server (tracking API, artifact proxy and Model
/// Registry). Every call is bounded: see [`RetryPolicy`].
///
/// ```no_run
/// use pipeline_remote::mlflow::{MlflowClient, MlflowConfig, Param, RunStatus};
/// let mlflow = MlflowClient::new(MlflowConfig::new("http://127.0.0.1:5000")?)?;
/// let experiment = mlflow.get_or_create_experiment("titanic")?;
/// let run = mlflow.create_run(&experiment, "nightly", &[])?;
/// mlflow.log_batch(&run.run_id, &[], &[Param::new("seed", "42")], &[])?;
/// mlflow.log_artifact(&run, "model/model.json", b"{}")?;
/// mlflow.end_run(&run.run_id, RunStatus::Finished)?;
/// # Ok::<(), pipeline_remote::mlflow::MlflowError>(())
/// ```
#[derive(Debug, Clone)]
pub struct MlflowClient {
    http: reqwest::Client,
    config: MlflowConfig,
    retry: RetryPolicy,
}

/// A request body.
pub(super) enum Body<'a> {
    None,
    Json(Vec<u8>),
    Bytes(&'a [u8]),
}

impl MlflowClient {
    /// A client for `config` with the default [`RetryPolicy`].
    pub fn new(config: MlflowConfig) -> Result<MlflowClient, MlflowError> {
        MlflowClient::with_retry(config, RetryPolicy::default())
    }

    /// A client for `config` that tries each call as `retry` says.
    pub fn with_retry(
        config: MlflowConfig,
        retry: RetryPolicy,
    ) -> Result<MlflowClient, MlflowError> {
        let http = reqwest::Client::builder()
            .connect_timeout(retry.connect_timeout)
            .timeout(retry.request_timeout)
            .danger_accept_invalid_certs(config.insecure_tls)
            .user_agent(concat!("pipeline-remote/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MlflowError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(MlflowClient {
            http,
            config,
            retry,
        })
    }

    /// A client from MLflow's environment variables ([`MlflowConfig::from_env`]); `Ok(None)`
    /// when `MLFLOW_TRACKING_URI` is unset.
    pub fn from_env() -> Result<Option<MlflowClient>, MlflowError> {
        MlflowConfig::from_env()?.map(MlflowClient::new).transpose()
    }

    /// The server's address.
    pub fn tracking_uri(&self) -> &str {
        &self.config.tracking_uri
    }

    /// `GET`/`POST` `/api/2.0/mlflow/<path>`, decoding the JSON answer.
    pub(super) fn api<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> Result<T, MlflowError> {
        let call = format!("{method} {path}");
        let body = match body {
            Some(v) => Body::Json(serde_json::to_vec(&v).map_err(|e| MlflowError::Decode {
                call: call.clone(),
                message: e.to_string(),
            })?),
            None => Body::None,
        };
        let bytes = self.send(method, &format!("api/2.0/mlflow/{path}"), query, body)?;
        let bytes = if bytes.is_empty() {
            b"{}".to_vec()
        } else {
            bytes
        };
        serde_json::from_slice(&bytes).map_err(|e| MlflowError::Decode {
            call,
            message: e.to_string(),
        })
    }

    /// One call to `<tracking_uri>/<path>` with bounded retries; the body of a 2xx answer.
    pub(super) fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Body<'_>,
    ) -> Result<Vec<u8>, MlflowError> {
        let url = format!("{}/{path}", self.config.tracking_uri);
        let call = format!("{method} {}", path.trim_start_matches("api/2.0/mlflow/"));
        let rt = runtime().map_err(|e| MlflowError::Config(e.to_string()))?;
        let mut backoff = self.retry.first_backoff;
        let mut attempt = 1;
        loop {
            let mut request = self.http.request(method.clone(), &url).query(query);
            request = match &self.config.auth {
                Auth::None => request,
                Auth::Bearer(token) => request.bearer_auth(token),
                Auth::Basic { username, password } => request.basic_auth(username, Some(password)),
            };
            request = match &body {
                Body::None => request,
                Body::Json(bytes) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone()),
                Body::Bytes(bytes) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                    .body(bytes.to_vec()),
            };
            let outcome = rt.block_on(async {
                let response = request.send().await?;
                let status = response.status();
                let bytes = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, bytes))
            });
            let last = attempt >= self.retry.attempts.max(1);
            match outcome {
                Ok((status, bytes)) if status.is_success() => return Ok(bytes.to_vec()),
                Ok((status, bytes)) if last || !TRANSIENT.contains(&status.as_u16()) => {
                    return Err(api_error(call, status, &bytes))
                }
                Err(e) if last => {
                    return Err(MlflowError::Unreachable {
                        server: self.config.tracking_uri.clone(),
                        call,
                        cause: chain(&e),
                    })
                }
                Ok((status, _)) => {
                    tracing::debug!(%call, %status, attempt, "MLflow answered a transient error; retrying")
                }
                Err(e) => {
                    tracing::debug!(%call, error = %chain(&e), attempt, "MLflow call failed; retrying")
                }
            }
            std::thread::sleep(backoff);
            backoff *= 2;
            attempt += 1;
        }
    }
}

/// `{"error_code","message"}` when the body has them, else the status and the body's start.
fn api_error(call: String, status: StatusCode, body: &[u8]) -> MlflowError {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error_code: Option<String>,
        message: Option<String>,
    }
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (error_code, message) = match parsed {
        Some(ErrorBody {
            error_code,
            message: Some(message),
        }) => (error_code, message),
        Some(ErrorBody { error_code, .. }) => (error_code, String::new()),
        None => {
            let text = String::from_utf8_lossy(body);
            let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            (None, text.chars().take(200).collect())
        }
    };
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        message
    };
    MlflowError::Api {
        call,
        status: status.as_u16(),
        error_code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_become_one_line() {
        let e = api_error(
            "POST runs/create".into(),
            StatusCode::NOT_FOUND,
            br#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No Experiment with id=7 exists"}"#,
        );
        assert_eq!(
            e.to_string(),
            "MLflow POST runs/create: HTTP 404 RESOURCE_DOES_NOT_EXIST: No Experiment with id=7 exists"
        );
        assert!(e.is_not_found());
        let html = api_error(
            "GET x".into(),
            StatusCode::BAD_GATEWAY,
            b"<html>\n  <body>bad gateway</body>\n</html>",
        );
        assert_eq!(
            html.to_string(),
            "MLflow GET x: HTTP 502: <html> <body>bad gateway</body> </html>"
        );
    }

    #[test]
    fn an_unreachable_server_is_one_error_after_bounded_retries() {
        // A port that nothing listens on: bind, read the port, drop the listener.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = MlflowConfig::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let retry = RetryPolicy {
            attempts: 2,
            first_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        };
        let client = MlflowClient::with_retry(config, retry).unwrap();
        let err = client.get_experiment_by_name("x").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "cannot reach MLflow at http://127.0.0.1:{port} (GET experiments/get-by-name)"
            )),
            "{text}"
        );
    }
}
