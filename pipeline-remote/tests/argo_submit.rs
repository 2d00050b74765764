//! `submit` against an in-process stand-in Argo Server (warp on a loopback port) that answers as
//! Argo's swagger says: grpc-gateway newline-delimited JSON streams that the server closes now
//! and then, `{"code","message"}` errors, a connection dropped mid-stream. Every request body is
//! checked against the swagger definitions (`tests/data/argo-swagger-subset.json`, extracted by
//! `scripts/argo_swagger_subset.py`), unknown fields included.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use pipeline_remote::argo::{Outcome, ServerSettings, SettingsFlags, SubmitArgs};
use serde_json::{json, Value};
use warp::Filter;

const SWAGGER: &str = include_str!("data/argo-swagger-subset.json");

/// Checks `v` against swagger schema `schema`, collecting `path: problem` lines.
fn check(v: &Value, schema: &Value, defs: &Value, path: &str, errs: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return check(v, &defs[name], defs, path, errs);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if schema.get("properties").is_some() => {
            let Some(obj) = v.as_object() else {
                return errs.push(format!("{path}: expected an object"));
            };
            for (k, x) in obj {
                match schema["properties"].get(k) {
                    Some(s) => check(x, s, defs, &format!("{path}.{k}"), errs),
                    None => errs.push(format!("{path}.{k}: unknown field")),
                }
            }
        }
        Some("object") => {
            if let (Some(obj), Some(s)) = (v.as_object(), schema.get("additionalProperties")) {
                for (k, x) in obj {
                    check(x, s, defs, &format!("{path}.{k}"), errs);
                }
            } else if !v.is_object() {
                errs.push(format!("{path}: expected an object"));
            }
        }
        Some("array") => match v.as_array() {
            Some(items) => {
                for (i, x) in items.iter().enumerate() {
                    check(x, &schema["items"], defs, &format!("{path}[{i}]"), errs);
                }
            }
            None => errs.push(format!("{path}: expected an array")),
        },
        Some("string") if !v.is_string() => {
            errs.push(format!("{path}: expected a string, got {v}"))
        }
        Some("boolean") if !v.is_boolean() => errs.push(format!("{path}: expected a boolean")),
        Some("integer") if !(v.is_i64() || v.is_u64()) => {
            errs.push(format!("{path}: expected an integer, got {v}"))
        }
        _ => {}
    }
}

fn assert_conforms(body: &Value, definition: &str) {
    let swagger: Value = serde_json::from_str(SWAGGER).unwrap();
    let defs = &swagger["definitions"];
    let mut errs = Vec::new();
    check(body, &defs[definition], defs, "body", &mut errs);
    assert!(errs.is_empty(), "{definition}: {errs:#?}");
}

/// What the stand-in answers to one watch connection.
#[derive(Clone)]
enum Watch {
    /// These events, then a clean close.
    Events(Vec<Value>),
    /// Half a line, then the connection breaks.
    Drop,
}

#[derive(Default)]
struct State {
    /// (method, path, query, authorization, body).
    requests: Vec<(String, String, String, Option<String>, Value)>,
    /// Error status and message for the create/submit call.
    create_error: Option<(u16, &'static str)>,
    watches: VecDeque<Watch>,
    /// What `GET /api/v1/workflows/{ns}/{name}` answers.
    current: Value,
    logs: Vec<Value>,
}

struct StandIn {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    _rt: tokio::runtime::Runtime,
}

fn workflow(name: &str, phase: &str, nodes: Value) -> Value {
    json!({
        "metadata": {"name": name, "namespace": "argo"},
        "spec": {"serviceAccountName": "mlops-titanic"},
        "status": {"phase": phase, "startedAt": "2026-11-29T22:00:00Z", "progress": "1/2", "nodes": nodes},
    })
}

fn nodes(ingest_phase: &str, message: &str) -> Value {
    json!({
        "wf-1": {"id": "wf-1", "name": "wf-1", "displayName": "wf-1", "type": "DAG", "templateName": "main", "phase": ingest_phase, "children": ["wf-1-1"], "startedAt": "2026-11-29T22:00:00Z"},
        "wf-1-1": {"id": "wf-1-1", "name": "wf-1.ingest", "displayName": "ingest", "type": "Pod", "templateName": "ingest", "phase": ingest_phase, "boundaryID": "wf-1", "message": message, "startedAt": "2026-11-29T22:00:01Z", "finishedAt": "2026-11-29T22:00:06Z"},
    })
}

fn event(wf: Value) -> Value {
    json!({"result": {"type": "MODIFIED", "object": wf}})
}

impl StandIn {
    fn start(prefix: &'static str, state: State) -> StandIn {
        let state = Arc::new(Mutex::new(state));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = state.clone();
        let route = warp::method()
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::optional::<String>("authorization"))
            .and(warp::body::bytes())
            .map(
                move |method: warp::http::Method,
                      path: warp::path::FullPath,
                      query: String,
                      auth: Option<String>,
                      body: Bytes| {
                    let path = path
                        .as_str()
                        .strip_prefix(prefix)
                        .unwrap_or("/not-under-base-href")
                        .to_owned();
                    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let mut s = shared.lock().unwrap();
                    s.requests
                        .push((method.to_string(), path.clone(), query, auth, body.clone()));
                    answer(&mut s, method.as_str(), &path, &body)
                },
            );
        rt.spawn(warp::serve(route).incoming(listener).run());
        StandIn {
            addr,
            state,
            _rt: rt,
        }
    }

    fn settings(&self) -> ServerSettings {
        let env = |k: &str| match k {
            "ARGO_SERVER" => Some(self.addr.to_string()),
            "ARGO_SECURE" => Some("false".into()),
            "ARGO_TOKEN" => Some("sekret".into()),
            _ => None,
        };
        let mut s = ServerSettings::resolve(&SettingsFlags::default(), &env).unwrap();
        s.read_timeout = Duration::from_secs(5);
        s.request_timeout = Duration::from_secs(5);
        s
    }
}

fn reply(status: u16, body: String) -> warp::reply::Response {
    let mut r = warp::reply::Response::new(body.into());
    *r.status_mut() = warp::http::StatusCode::from_u16(status).unwrap();
    r
}

fn answer(s: &mut State, method: &str, path: &str, body: &Value) -> warp::reply::Response {
    use warp::Reply;
    match (method, path) {
        ("POST", "/api/v1/workflows/argo") | ("POST", "/api/v1/workflows/argo/submit") => {
            let definition = if path.ends_with("/submit") {
                "io.argoproj.workflow.v1alpha1.WorkflowSubmitRequest"
            } else {
                "io.argoproj.workflow.v1alpha1.WorkflowCreateRequest"
            };
            assert_conforms(body, definition);
            if let Some((code, message)) = s.create_error {
                return reply(code, json!({"code": 7, "message": message}).to_string());
            }
            reply(
                200,
                json!({"metadata": {"name": "wf-1", "namespace": "argo"}}).to_string(),
            )
        }
        ("GET", "/api/v1/workflows/argo/wf-1") => reply(200, s.current.to_string()),
        ("GET", "/api/v1/workflow-events/argo") => match s.watches.pop_front() {
            Some(Watch::Events(events)) => {
                let lines: Vec<Result<Bytes, std::io::Error>> = events
                    .into_iter()
                    .map(|e| Ok(Bytes::from(format!("{e}\n"))))
                    .collect();
                warp::reply::stream(futures_util::stream::iter(lines)).into_response()
            }
            Some(Watch::Drop) => {
                let chunks = vec![
                    Ok(Bytes::from_static(b"{\"result\": {\"type\": \"MODIF")),
                    Err(std::io::Error::other("connection reset")),
                ];
                warp::reply::stream(futures_util::stream::iter(chunks)).into_response()
            }
            None => warp::reply::stream(futures_util::stream::iter(Vec::<
                Result<Bytes, std::io::Error>,
            >::new()))
            .into_response(),
        },
        ("GET", "/api/v1/workflows/argo/wf-1/log") => {
            let lines: Vec<Result<Bytes, std::io::Error>> = s
                .logs
                .iter()
                .map(|e| Ok(Bytes::from(format!("{e}\n"))))
                .collect();
            warp::reply::stream(futures_util::stream::iter(lines)).into_response()
        }
        _ => reply(
            404,
            json!({"code": 5, "message": format!("{method} {path}: not found")}).to_string(),
        ),
    }
}

fn args(extra: &[&str]) -> SubmitArgs {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: SubmitArgs,
    }
    let mut argv = vec!["submit"];
    argv.extend_from_slice(extra);
    Cli::try_parse_from(argv).unwrap().args
}

const MANIFEST: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: wf-\nspec:\n  entrypoint: main\n  serviceAccountName: mlops-titanic\n  arguments:\n    parameters:\n      - name: threshold\n        value: '0.8'\n  templates:\n    - name: main\n      container:\n        image: busybox:1.36\n        securityContext:\n          runAsUser: 8737\n";

fn submit(stand_in: &StandIn, extra: &[&str]) -> (Result<Outcome, String>, String) {
    let mut out = Vec::new();
    let result = args(extra)
        .run_with(
            stand_in.settings(),
            || Ok::<_, String>(MANIFEST.into()),
            &mut out,
        )
        .map_err(|e| e.to_string());
    (result, String::from_utf8(out).unwrap())
}

#[test]
fn watch_survives_closed_and_dropped_streams_and_ends_with_the_workflow() {
    let running = workflow("wf-1", "Running", nodes("Running", ""));
    let done = workflow("wf-1", "Succeeded", nodes("Succeeded", ""));
    let stand_in = StandIn::start(
        "",
        State {
            watches: VecDeque::from([
                Watch::Events(vec![event(running.clone())]),
                Watch::Drop,
                Watch::Events(vec![event(done)]),
            ]),
            current: running,
            ..Default::default()
        },
    );
    let (result, out) = submit(&stand_in, &["--watch", "-p", "threshold=0.9"]);
    assert_eq!(
        result,
        Ok(Outcome::Finished("wf-1".into(), "Succeeded".into())),
        "{out}"
    );
    assert!(
        out.contains(&format!("http://{}/workflows/argo/wf-1", stand_in.addr)),
        "{out}"
    );
    assert!(out.contains("STEP"), "{out}");
    assert!(out.contains("└─✔ ingest"), "{out}");
    assert!(out.contains("wf-1-ingest-"), "pod name column: {out}");
    let s = stand_in.state.lock().unwrap();
    let watches = s
        .requests
        .iter()
        .filter(|r| r.1.starts_with("/api/v1/workflow-events/"))
        .count();
    assert_eq!(watches, 3, "reconnected after the close and after the drop");
    let create = &s.requests[0];
    assert_eq!(create.3.as_deref(), Some("Bearer sekret"));
    assert_eq!(
        create.4["workflow"]["spec"]["arguments"]["parameters"][0]["value"],
        "0.9"
    );
    assert_eq!(create.4["serverDryRun"], false);
    assert!(s
        .requests
        .iter()
        .any(|r| r.2.contains("fieldSelector=metadata.name%3Dwf-1")));
}

#[test]
fn a_failed_workflow_is_reported_with_its_phase() {
    let failed = workflow(
        "wf-1",
        "Failed",
        nodes("Failed", "Error (exit code 2): bad threshold"),
    );
    let stand_in = StandIn::start(
        "",
        State {
            watches: VecDeque::from([Watch::Events(vec![event(failed.clone())])]),
            current: failed,
            ..Default::default()
        },
    );
    let (result, out) = submit(&stand_in, &["--watch"]);
    assert_eq!(
        result,
        Ok(Outcome::Finished("wf-1".into(), "Failed".into()))
    );
    assert!(
        out.contains("✖ ingest") && out.contains("exit code 2"),
        "{out}"
    );
}

#[test]
fn server_errors_are_one_line_with_the_status() {
    for (code, status) in [
        (401, "401 Unauthorized"),
        (403, "403 Forbidden"),
        (404, "404 Not Found"),
    ] {
        let stand_in = StandIn::start(
            "",
            State {
                create_error: Some((code, "workflows.argoproj.io is forbidden: denied")),
                ..Default::default()
            },
        );
        let (result, _) = submit(&stand_in, &[]);
        let err = result.unwrap_err();
        assert!(
            err.contains(status) && err.contains("is forbidden: denied"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }
}

#[test]
fn the_watch_gives_up_after_bounded_reconnects() {
    let running = workflow("wf-1", "Running", nodes("Running", ""));
    let stand_in = StandIn::start(
        "",
        State {
            current: running,
            ..Default::default()
        },
    );
    let (result, _) = submit(&stand_in, &["--watch", "--max-reconnects", "2"]);
    let err = result.unwrap_err();
    assert!(
        err.contains("lost the watch of wf-1 after 2 reconnects"),
        "{err}"
    );
}

#[test]
fn from_template_base_href_and_logs() {
    let done = workflow("wf-1", "Succeeded", nodes("Succeeded", ""));
    let stand_in = StandIn::start(
        "/argo",
        State {
            watches: VecDeque::from([Watch::Events(vec![event(done.clone())])]),
            current: done,
            logs: vec![
                json!({"result": {"podName": "wf-1-ingest-1", "content": "read 891 passengers"}}),
            ],
            ..Default::default()
        },
    );
    let mut settings = stand_in.settings();
    settings.base_href = "/argo/".into();
    let mut out = Vec::new();
    let result = args(&["--from-template", "titanic", "-p", "threshold=0.7", "--log"]).run_with(
        settings,
        || -> Result<String, String> { unreachable!("a template submission compiles nothing") },
        &mut out,
    );
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Ok(Outcome::Finished("wf-1".into(), "Succeeded".into()))
    );
    let s = stand_in.state.lock().unwrap();
    let submit = &s.requests[0];
    assert_eq!(submit.1, "/api/v1/workflows/argo/submit");
    assert_eq!(submit.4["resourceName"], "titanic");
    assert_eq!(
        submit.4["submitOptions"]["parameters"],
        json!(["threshold=0.7"])
    );
    assert!(s
        .requests
        .iter()
        .any(|r| r.1 == "/api/v1/workflows/argo/wf-1/log"
            && r.2.contains("logOptions.container=main")));
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let stand_in = StandIn::start("", State::default());
    let (result, _) = submit(&stand_in, &["-p", "nope=1"]);
    assert!(result
        .unwrap_err()
        .contains("no such workflow parameter (known: threshold)"));
    let (result, _) = submit(&stand_in, &["-p", "=1"]);
    assert!(result.unwrap_err().contains("NAME=VALUE"));
    assert!(stand_in.state.lock().unwrap().requests.is_empty());
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = |k: &str| match k {
        "ARGO_SERVER" => Some(format!("127.0.0.1:{port}")),
        "ARGO_SECURE" => Some("false".into()),
        _ => None,
    };
    let settings = ServerSettings::resolve(&SettingsFlags::default(), &env).unwrap();
    let mut out = Vec::new();
    let err = args(&[])
        .run_with(settings, || Ok::<_, String>(MANIFEST.into()), &mut out)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("Argo Server at http://127.0.0.1:{port}/")),
        "{err}"
    );
}

#[test]
fn settings_follow_the_argo_cli() {
    let env = |k: &str| match k {
        "ARGO_SERVER" => Some("argo.example:443".into()),
        "ARGO_TOKEN" => Some("Bearer v2:abc".into()),
        "ARGO_NAMESPACE" => Some("ml".into()),
        "ARGO_BASE_HREF" => Some("argo".into()),
        "ARGO_INSECURE_SKIP_VERIFY" => Some("true".into()),
        _ => None,
    };
    let s = ServerSettings::resolve(&SettingsFlags::default(), &env).unwrap();
    assert!(s.secure && s.insecure_skip_verify);
    assert_eq!(s.authorization.as_deref(), Some("Bearer v2:abc"));
    assert_eq!(
        s.ui_link("wf"),
        "https://argo.example:443/argo/workflows/ml/wf"
    );
    let flags = SettingsFlags {
        server: Some("https://x:1".into()),
        ..Default::default()
    };
    assert!(ServerSettings::resolve(&flags, &env)
        .unwrap_err()
        .to_string()
        .contains("host:port"));
    let defaults = ServerSettings::resolve(&SettingsFlags::default(), &|_| None).unwrap();
    assert_eq!(defaults.base_url(), "https://localhost:2746/");
    assert_eq!(defaults.namespace, "argo");
}
