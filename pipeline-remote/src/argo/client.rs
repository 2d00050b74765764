//! The Argo Server REST calls `submit` makes (paths and bodies from Argo's swagger:
//! `WorkflowService_CreateWorkflow`, `_SubmitWorkflow`, `_GetWorkflow`, `_WatchWorkflows`,
//! `_WorkflowLogs`), each bounded by timeouts.

use serde_json::{json, Value};

use super::settings::ServerSettings;
use crate::chain;

/// An Argo Server call that failed: one line, with the HTTP status when there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArgoError {
    /// The server answered with an error status (`{"code","message"}` body).
    #[error("Argo Server {method} {path}: HTTP {status}: {message}")]
    Status {
        /// HTTP method.
        method: &'static str,
        /// Request path.
        path: String,
        /// HTTP status, e.g. `403 Forbidden`.
        status: String,
        /// The server's message (or the start of the body).
        message: String,
    },
    /// The server could not be reached or the connection failed.
    #[error("Argo Server at {url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What failed.
        message: String,
    },
    /// The answer is not what the API documents.
    #[error("Argo Server {path}: unexpected answer: {message}")]
    Protocol {
        /// Request path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// A client of one Argo Server.
#[derive(Debug, Clone)]
pub struct ArgoClient {
    settings: ServerSettings,
    http: reqwest::Client,
}

impl ArgoClient {
    /// A client for `settings`.
    pub fn new(settings: ServerSettings) -> Result<Self, ArgoError> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .tls_danger_accept_invalid_certs(settings.insecure_skip_verify)
            .user_agent(concat!("mlops-titanic/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ArgoError::Transport {
                url: settings.base_url(),
                message: chain(&e),
            })?;
        Ok(ArgoClient { settings, http })
    }

    /// The settings in use.
    pub fn settings(&self) -> &ServerSettings {
        &self.settings
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.settings.base_url(),
            path.trim_start_matches('/')
        )
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self
            .http
            .request(method, self.url(path))
            .header("Accept", "application/json");
        if let Some(auth) = &self.settings.authorization {
            rb = rb.header("Authorization", auth);
        }
        rb
    }

    async fn send(
        &self,
        method: &'static str,
        path: &str,
        rb: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ArgoError> {
        let response = rb.send().await.map_err(|e| ArgoError::Transport {
            url: self.url(path),
            message: chain(&e),
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| body.trim().chars().take(300).collect());
        Err(ArgoError::Status {
            method,
            path: path.to_owned(),
            status: status.to_string(),
            message: message.replace('\n', " "),
        })
    }

    async fn json(
        &self,
        method: &'static str,
        path: &str,
        rb: reqwest::RequestBuilder,
    ) -> Result<Value, ArgoError> {
        let rb = rb.timeout(self.settings.request_timeout);
        let response = self.send(method, path, rb).await?;
        let text = response.text().await.map_err(|e| ArgoError::Transport {
            url: self.url(path),
            message: chain(&e),
        })?;
        serde_json::from_str(&text).map_err(|e| ArgoError::Protocol {
            path: path.to_owned(),
            message: format!("not JSON: {e}"),
        })
    }

    /// `POST /api/v1/workflows/{namespace}` with a `WorkflowCreateRequest`; returns the created
    /// Workflow.
    pub async fn create(&self, workflow: &Value, server_dry_run: bool) -> Result<Value, ArgoError> {
        let ns = &self.settings.namespace;
        let path = format!("api/v1/workflows/{ns}");
        let body = json!({ "namespace": ns, "workflow": workflow, "serverDryRun": server_dry_run });
        let rb = self.request(reqwest::Method::POST, &path).json_body(&body);
        self.json("POST", &path, rb).await
    }

    /// `POST /api/v1/workflows/{namespace}/submit` with a `WorkflowSubmitRequest` for the
    /// WorkflowTemplate `template`; `parameters` are `name=value`.
    pub async fn submit_template(
        &self,
        template: &str,
        parameters: &[String],
        server_dry_run: bool,
    ) -> Result<Value, ArgoError> {
        let ns = &self.settings.namespace;
        let path = format!("api/v1/workflows/{ns}/submit");
        let body = json!({
            "namespace": ns,
            "resourceKind": "WorkflowTemplate",
            "resourceName": template,
            "submitOptions": { "parameters": parameters, "serverDryRun": server_dry_run },
        });
        let rb = self.request(reqwest::Method::POST, &path).json_body(&body);
        self.json("POST", &path, rb).await
    }

    /// `GET /api/v1/workflows/{namespace}/{name}`.
    pub async fn get(&self, name: &str) -> Result<Value, ArgoError> {
        let path = format!("api/v1/workflows/{}/{name}", self.settings.namespace);
        let rb = self.request(reqwest::Method::GET, &path);
        self.json("GET", &path, rb).await
    }

    /// Opens a newline-delimited JSON stream: the watch of workflow `name`
    /// (`GET /api/v1/workflow-events/{namespace}`) or its main containers' logs
    /// (`GET /api/v1/workflows/{namespace}/{name}/log`).
    pub async fn open_stream(&self, kind: StreamKind, name: &str) -> Result<Stream, ArgoError> {
        let ns = &self.settings.namespace;
        let (path, query): (String, Vec<(&str, String)>) = match kind {
            StreamKind::Events => (
                format!("api/v1/workflow-events/{ns}"),
                vec![("listOptions.fieldSelector", format!("metadata.name={name}"))],
            ),
            StreamKind::Logs => (
                format!("api/v1/workflows/{ns}/{name}/log"),
                vec![
                    ("logOptions.container", "main".into()),
                    ("logOptions.follow", "true".into()),
                ],
            ),
        };
        let query: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        let with_query = format!("{path}?{}", query.join("&"));
        let rb = self.request(reqwest::Method::GET, &with_query);
        let response = self.send("GET", &path, rb).await?;
        Ok(Stream {
            path,
            response,
            buffer: Vec::new(),
        })
    }
}

/// Which stream to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// Workflow watch events.
    Events,
    /// Main-container log lines.
    Logs,
}

/// An open newline-delimited JSON stream (grpc-gateway framing: one `{"result": ...}` or
/// `{"error": ...}` object per line).
pub struct Stream {
    path: String,
    response: reqwest::Response,
    buffer: Vec<u8>,
}

impl Stream {
    /// The next `result` object; `Ok(None)` when the server closed the stream.
    pub async fn next(&mut self) -> Result<Option<Value>, ArgoError> {
        loop {
            if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                if let Some(v) = self.parse(&line)? {
                    return Ok(Some(v));
                }
                continue;
            }
            match self.response.chunk().await {
                Ok(Some(bytes)) => self.buffer.extend_from_slice(&bytes),
                Ok(None) => {
                    // A last line without a newline still counts.
                    let rest = std::mem::take(&mut self.buffer);
                    return self.parse(&rest);
                }
                Err(e) => {
                    return Err(ArgoError::Transport {
                        url: self.path.clone(),
                        message: chain(&e),
                    })
                }
            }
        }
    }

    fn parse(&self, line: &[u8]) -> Result<Option<Value>, ArgoError> {
        let text = String::from_utf8_lossy(line);
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let protocol = |message: String| ArgoError::Protocol {
            path: self.path.clone(),
            message,
        };
        let mut v: Value =
            serde_json::from_str(text).map_err(|e| protocol(format!("bad stream line: {e}")))?;
        if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
            let status = err
                .get("http_status")
                .and_then(Value::as_str)
                .unwrap_or("stream error");
            let message = err.get("message").and_then(Value::as_str).unwrap_or("");
            return Err(protocol(format!("{status}: {message}")));
        }
        match v.get_mut("result").map(Value::take) {
            Some(result) => Ok(Some(result)),
            None => Err(protocol("a stream line without `result`".into())),
        }
    }
}

/// `s` with every byte but RFC 3986's unreserved ones percent-encoded.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

trait JsonBody {
    fn json_body(self, body: &Value) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, body: &Value) -> Self {
        self.header("Content-Type", "application/json")
            .body(body.to_string())
    }
}
