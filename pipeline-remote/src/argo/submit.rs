//! `submit`: create the workflow (or submit a WorkflowTemplate), then optionally watch it to the
//! end, redrawing the tree, and follow its main containers' logs.

use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::client::{ArgoClient, ArgoError, StreamKind};
use super::settings::{BadServerAddress, ServerSettings, SettingsFlags};
use super::tree;

/// Why a submission did not happen or could not be followed.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// A flag or its value is wrong (`--param`).
    #[error("{0}")]
    Usage(String),
    /// The Argo Server's address is not `host:port`.
    #[error(transparent)]
    Settings(#[from] BadServerAddress),
    /// The manifest could not be read, compiled or parsed.
    #[error("{0}")]
    Manifest(String),
    /// The Argo Server refused the request or could not be reached.
    #[error(transparent)]
    Server(#[from] ArgoError),
    /// Watching the workflow or following its logs failed.
    #[error("{0}")]
    Watch(String),
}

/// `submit [--watch] [--log] [--from-template NAME] [-p k=v]... [connection flags]`.
#[derive(Debug, Clone, clap::Args)]
pub struct SubmitArgs {
    /// Argo Server `host:port` [env: ARGO_SERVER; default localhost:2746].
    #[arg(short = 's', long = "argo-server", value_name = "HOST:PORT")]
    pub server: Option<String>,
    /// TLS to the server, `true` or `false` [env: ARGO_SECURE; default true].
    #[arg(short = 'e', long, value_name = "BOOL")]
    pub secure: Option<bool>,
    /// Accept any server certificate (the quick-start's is self-signed)
    /// [env: ARGO_INSECURE_SKIP_VERIFY=true].
    #[arg(short = 'k', long)]
    pub insecure_skip_verify: bool,
    /// Bearer token, with or without the `Bearer ` prefix [env: ARGO_TOKEN].
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Namespace [env: ARGO_NAMESPACE; default argo].
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Path prefix of the server [env: ARGO_BASE_HREF].
    #[arg(long = "argo-base-href", value_name = "PATH")]
    pub base_href: Option<String>,
    /// Override a workflow parameter, `NAME=VALUE` (repeatable).
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Submit from this WorkflowTemplate instead of the compiled workflow.
    #[arg(long, value_name = "NAME")]
    pub from_template: Option<String>,
    /// Submit this manifest instead of the pipeline's compiled workflow.
    #[arg(
        short = 'f',
        long,
        value_name = "FILE",
        conflicts_with = "from_template"
    )]
    pub file: Option<std::path::PathBuf>,
    /// Follow the workflow until it finishes, redrawing its tree; exit 0 only if it Succeeded.
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// Stream the main containers' logs (implies --watch).
    #[arg(long)]
    pub log: bool,
    /// Ask the server to validate and dry-run the creation only.
    #[arg(long)]
    pub server_dry_run: bool,
    /// Give up watching after this many reconnects in a row that bring no news.
    #[arg(long, default_value_t = 10, hide = true)]
    pub max_reconnects: u32,
}

/// How a submission ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Created (not watched): its name.
    Submitted(String),
    /// Watched to the end: name and final phase (`Succeeded`, `Failed`, `Error`).
    Finished(String, String),
}

impl SubmitArgs {
    fn flags(&self) -> SettingsFlags {
        SettingsFlags {
            server: self.server.clone(),
            secure: self.secure,
            insecure_skip_verify: self.insecure_skip_verify,
            token: self.token.clone(),
            namespace: self.namespace.clone(),
            base_href: self.base_href.clone(),
        }
    }

    /// Runs the submission with settings from the process environment; `compiled` gives the
    /// pipeline's workflow manifest (YAML) when neither `--file` nor `--from-template` is set.
    /// Progress goes to `out`.
    pub fn run<E: std::fmt::Display>(
        &self,
        compiled: impl FnOnce() -> Result<String, E>,
        out: &mut dyn Write,
    ) -> Result<Outcome, SubmitError> {
        let settings = ServerSettings::resolve(&self.flags(), &|k| std::env::var(k).ok())?;
        self.run_with(settings, compiled, out)
    }

    /// [`SubmitArgs::run`] with explicit settings (tests shorten the timeouts).
    pub fn run_with<E: std::fmt::Display>(
        &self,
        settings: ServerSettings,
        compiled: impl FnOnce() -> Result<String, E>,
        out: &mut dyn Write,
    ) -> Result<Outcome, SubmitError> {
        for p in &self.params {
            if p.split_once('=').is_none_or(|(k, _)| k.is_empty()) {
                return Err(SubmitError::Usage(format!(
                    "--param expects NAME=VALUE, got `{p}`"
                )));
            }
        }
        let workflow = match (&self.from_template, &self.file) {
            (Some(_), _) => None,
            (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| {
                SubmitError::Manifest(format!("cannot read {}: {e}", path.display()))
            })?),
            (None, None) => Some(compiled().map_err(|e| SubmitError::Manifest(e.to_string()))?),
        };
        let workflow = match workflow {
            Some(yaml) => Some(with_params(to_json(&yaml)?, &self.params)?),
            None => None,
        };
        let client = ArgoClient::new(settings)?;
        let rt = crate::runtime().map_err(|e| SubmitError::Watch(e.to_string()))?;
        rt.block_on(self.submit(&client, workflow, out))
    }

    async fn submit(
        &self,
        client: &ArgoClient,
        workflow: Option<Value>,
        out: &mut dyn Write,
    ) -> Result<Outcome, SubmitError> {
        let created = match (&workflow, &self.from_template) {
            (Some(wf), _) => client.create(wf, self.server_dry_run).await,
            (None, Some(t)) => {
                client
                    .submit_template(t, &self.params, self.server_dry_run)
                    .await
            }
            (None, None) => unreachable!("a workflow or a template"),
        }?;
        let name = created["metadata"]["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ArgoError::Protocol {
                path: "workflows".into(),
                message: "the created workflow has no metadata.name".into(),
            })?
            .to_owned();
        let _ = writeln!(out, "Name:                {name}");
        let _ = writeln!(
            out,
            "UI:                  {}",
            client.settings().ui_link(&name)
        );
        if self.server_dry_run || !(self.watch || self.log) {
            return Ok(Outcome::Submitted(name));
        }
        let logs = self.log.then(|| {
            let client = client.clone();
            let name = name.clone();
            tokio::spawn(async move { follow_logs(&client, &name).await })
        });
        let phase = watch(client, &name, self.max_reconnects, out).await;
        if let Some(task) = logs {
            // Give the log stream a moment to deliver the last lines, then stop it.
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
        Ok(Outcome::Finished(name, phase.map_err(SubmitError::Watch)?))
    }
}

/// The compiled YAML as the JSON the API takes.
fn to_json(yaml: &str) -> Result<Value, SubmitError> {
    pipeline_argo::from_yaml_as::<Value>(yaml).map_err(|e| SubmitError::Manifest(e.to_string()))
}

/// Sets `spec.arguments.parameters[name].value` for each `name=value`; an unknown name is an
/// error listing the known ones.
pub fn with_params(mut wf: Value, params: &[String]) -> Result<Value, SubmitError> {
    for p in params {
        let (name, value) = p.split_once('=').unwrap_or((p, ""));
        let list = wf
            .pointer_mut("/spec/arguments/parameters")
            .and_then(Value::as_array_mut);
        let Some(list) = list else {
            return Err(SubmitError::Usage(format!(
                "--param {name}: the workflow has no parameters"
            )));
        };
        let known: Vec<String> = list
            .iter()
            .filter_map(|x| x["name"].as_str().map(str::to_owned))
            .collect();
        match list.iter_mut().find(|x| x["name"] == name) {
            Some(param) => param["value"] = Value::String(value.to_owned()),
            None => {
                return Err(SubmitError::Usage(format!(
                    "--param {name}: no such workflow parameter (known: {})",
                    known.join(", ")
                )))
            }
        }
    }
    Ok(wf)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn finished(wf: &Value) -> Option<String> {
    let phase = wf["status"]["phase"].as_str()?;
    matches!(phase, "Succeeded" | "Failed" | "Error").then(|| phase.to_owned())
}

/// Follows workflow `name` until it finishes and returns its phase. The server closes watch
/// streams now and then: each close or failure reopens the stream after a short wait (and
/// re-reads the workflow, in case it finished meanwhile); `max_reconnects` reconnections in a
/// row without news end the watch with an error.
async fn watch(
    client: &ArgoClient,
    name: &str,
    max_reconnects: u32,
    out: &mut dyn Write,
) -> Result<String, String> {
    let tty = std::io::stdout().is_terminal();
    let mut last_drawn = String::new();
    let mut draw = |wf: &Value, out: &mut dyn Write| {
        let text = tree::render(wf, now());
        if text != last_drawn {
            if tty {
                let _ = write!(out, "\x1b[H\x1b[2J");
            } else {
                let _ = writeln!(out);
            }
            let _ = write!(out, "{text}");
            let _ = out.flush();
            last_drawn = text;
        }
    };
    let mut failures = 0u32;
    let mut last_error = String::from("the server closed the stream");
    loop {
        if failures > 0 {
            if failures > max_reconnects {
                return Err(format!(
                    "lost the watch of {name} after {max_reconnects} reconnects: {last_error}"
                ));
            }
            let wait = Duration::from_millis(200 * u64::from(failures.min(10)));
            tokio::time::sleep(wait).await;
            match client.get(name).await {
                Ok(wf) => {
                    draw(&wf, out);
                    if let Some(phase) = finished(&wf) {
                        return Ok(phase);
                    }
                }
                Err(e @ ArgoError::Status { .. }) if is_fatal(&e) => return Err(e.to_string()),
                Err(e) => {
                    last_error = e.to_string();
                    failures += 1;
                    continue;
                }
            }
        }
        let mut stream = match client.open_stream(StreamKind::Events, name).await {
            Ok(s) => s,
            Err(e) if is_fatal(&e) => return Err(e.to_string()),
            Err(e) => {
                last_error = e.to_string();
                failures += 1;
                continue;
            }
        };
        loop {
            match stream.next().await {
                Ok(Some(event)) => {
                    let Some(wf) = event.get("object") else {
                        continue;
                    };
                    if wf["metadata"]["name"] != name {
                        continue;
                    }
                    failures = 0;
                    draw(wf, out);
                    if let Some(phase) = finished(wf) {
                        return Ok(phase);
                    }
                }
                Ok(None) => {
                    last_error = "the server closed the stream".into();
                    failures += 1;
                    break;
                }
                Err(e) => {
                    last_error = e.to_string();
                    failures += 1;
                    break;
                }
            }
        }
    }
}

/// 401, 403 and 404 will not change on a retry.
fn is_fatal(e: &ArgoError) -> bool {
    matches!(e, ArgoError::Status { status, .. }
        if ["401", "403", "404"].iter().any(|c| status.starts_with(c)))
}

/// Prints `pod: line` for each main-container log line until the stream ends (bounded
/// reconnects, errors reported once on stderr).
async fn follow_logs(client: &ArgoClient, name: &str) {
    for _ in 0..5 {
        match client.open_stream(StreamKind::Logs, name).await {
            Ok(mut stream) => loop {
                match stream.next().await {
                    Ok(Some(entry)) => println!(
                        "{}: {}",
                        entry["podName"].as_str().unwrap_or("?"),
                        entry["content"].as_str().unwrap_or("")
                    ),
                    Ok(None) => return,
                    Err(e) => {
                        eprintln!("logs: {e}");
                        break;
                    }
                }
            },
            Err(e) => {
                eprintln!("logs: {e}");
                if is_fatal(&e) {
                    return;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
