//! Every request goes through [`handle`]: route, read the body under the limit, answer, then
//! record metrics and the beacon line. Nothing a client sends can make it answer 5xx.

use crate::app::App;
use crate::beacon::{Json, Record};
use crate::demo::{self, Answer};
use crate::v2;
use bytes::Buf;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Instant, SystemTime};
use warp::http::{HeaderValue, Method, StatusCode};
use warp::reply::{Reply, Response};

/// The routes: (pattern for metrics and the beacon, method).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Route {
    Health,
    Ready,
    Metrics,
    Schema,
    Predict,
    PredictBatch,
    V2Server,
    V2Live,
    V2Ready,
    V2Model,
    V2ModelReady,
    V2Infer,
}

impl Route {
    fn pattern(self) -> &'static str {
        match self {
            Route::Health => "/health",
            Route::Ready => "/ready",
            Route::Metrics => "/metrics",
            Route::Schema => "/schema",
            Route::Predict => "/predict",
            Route::PredictBatch => "/predict/batch",
            Route::V2Server => "/v2",
            Route::V2Live => "/v2/health/live",
            Route::V2Ready => "/v2/health/ready",
            Route::V2Model => "/v2/models/{name}",
            Route::V2ModelReady => "/v2/models/{name}/ready",
            Route::V2Infer => "/v2/models/{name}/infer",
        }
    }

    fn method(self) -> Method {
        match self {
            Route::Predict | Route::PredictBatch | Route::V2Infer => Method::POST,
            _ => Method::GET,
        }
    }

    fn is_v2(self) -> bool {
        self.pattern().starts_with("/v2")
    }
}

/// The route of a path, with the model name and version of v2 model routes.
fn route(path: &str) -> Option<(Route, Option<&str>, Option<&str>)> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let r = |r| Some((r, None, None));
    match segs.as_slice() {
        ["health"] => r(Route::Health),
        ["ready"] => r(Route::Ready),
        ["metrics"] => r(Route::Metrics),
        ["schema"] => r(Route::Schema),
        ["predict"] => r(Route::Predict),
        ["predict", "batch"] => r(Route::PredictBatch),
        ["v2"] => r(Route::V2Server),
        ["v2", "health", "live"] => r(Route::V2Live),
        ["v2", "health", "ready"] => r(Route::V2Ready),
        ["v2", "models", name, rest @ ..] => {
            let (version, rest) = match rest {
                ["versions", v, rest @ ..] => (Some(*v), rest),
                rest => (None, rest),
            };
            let route = match rest {
                [] => Route::V2Model,
                ["ready"] => Route::V2ModelReady,
                ["infer"] => Route::V2Infer,
                _ => return None,
            };
            Some((route, Some(*name), version))
        }
        _ => None,
    }
}

/// A request body that could not be read: the status and message to answer.
struct BodyError(u16, String);

impl BodyError {
    fn too_large(limit: usize) -> Self {
        Self(
            413,
            format!("the body is larger than the limit of {limit} bytes"),
        )
    }

    fn too_slow(timeout: std::time::Duration) -> Self {
        Self(
            408,
            format!("the body did not arrive within {timeout:?} (--body-timeout)"),
        )
    }
}

/// The body of a POST, read under `limit` bytes.
async fn read_body<S, B>(body: S, length: Option<u64>, limit: usize) -> Result<Vec<u8>, BodyError>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    if length.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::too_large(limit));
    }
    let mut body = std::pin::pin!(body);
    let mut out = Vec::with_capacity(length.unwrap_or(0).min(limit as u64) as usize);
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.map_err(|e| BodyError(400, format!("cannot read the body: {e}")))?;
        if out.len() + chunk.remaining() > limit {
            return Err(BodyError::too_large(limit));
        }
        while chunk.has_remaining() {
            let piece = chunk.chunk();
            out.extend_from_slice(piece);
            let n = piece.len();
            chunk.advance(n);
        }
    }
    Ok(out)
}

/// At most `max` characters of `text`.
fn clip(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(i, _)| &text[..i])
}

/// The JSON body, or a message saying why it is not JSON.
fn parse_json(body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the body is empty: send a JSON object".into());
    }
    serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))
}

/// The beacon's `inputs`: the body as sent when it is JSON (moved, not encoded again), or its
/// raw text.
fn into_inputs(bytes: Vec<u8>, parsed: &Result<Value, String>) -> Json {
    match parsed {
        Ok(_) => Json::Text(bytes),
        Err(_) => Json::Value(json!({ "raw": clip(&String::from_utf8_lossy(&bytes), 1024) })),
    }
}

fn json_answer(status: u16, value: &Value) -> Answer {
    let body = serde_json::to_vec(value).unwrap_or_default();
    Answer {
        status,
        output: if status >= 400 {
            Json::Text(body.clone())
        } else {
            Json::NULL
        },
        body,
        scored: 0,
    }
}

/// An error in the shape of the route's family: the envelope, or v2's `{"error": ...}`.
fn error(
    route: Option<Route>,
    path: &str,
    status: u16,
    message: String,
    version: &str,
    started: Instant,
) -> Answer {
    let v2 = route.map_or(path.starts_with("/v2"), Route::is_v2);
    if v2 {
        json_answer(status, &json!({ "error": message }))
    } else {
        demo::envelope(status, None, Some(message), version, started, 0)
    }
}

/// Answers one request and records it (metrics, beacon).
pub async fn handle<S, B>(
    app: Arc<App>,
    method: Method,
    path: &str,
    length: Option<u64>,
    body: S,
) -> Result<Response, std::convert::Infallible>
where
    S: Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let started = Instant::now();
    let time = SystemTime::now();
    let model = app.current();
    let found = route(path);
    let mut inputs = Json::NULL;
    let mut allow = None;
    let answer = match found {
        None => {
            let message = format!("no route {}", clip(path, 200));
            error(None, path, 404, message, &model.version, started)
        }
        Some((r, _, _)) if r.method() != method => {
            allow = Some(r.method());
            let message = format!("{} allows {}, not {method}", r.pattern(), r.method());
            error(Some(r), path, 405, message, &model.version, started)
        }
        // Every route that takes a body reads and parses it here, once.
        Some((r, name, version)) if r.method() == Method::POST => {
            let read = read_body(body, length, app.body_limit);
            let read = tokio::time::timeout(app.body_timeout, read).await;
            let read = read.unwrap_or_else(|_| Err(BodyError::too_slow(app.body_timeout)));
            match read {
                Err(BodyError(status, message)) => {
                    error(Some(r), path, status, message, &model.version, started)
                }
                Ok(bytes) => {
                    let parsed = parse_json(&bytes);
                    let a = answer(&app, &model, r, name, version, Some(&parsed), started);
                    inputs = into_inputs(bytes, &parsed);
                    a
                }
            }
        }
        Some((r, name, version)) => answer(&app, &model, r, name, version, None, started),
    };
    let route = found.map(|(r, _, _)| r);
    let request = Request {
        route,
        method,
        path,
        time,
        started,
        version: &model.version,
    };
    Ok(finish(&app, request, inputs, answer, allow).await)
}

fn answer(
    app: &App,
    model: &crate::source::Loaded,
    r: Route,
    name: Option<&str>,
    version: Option<&str>,
    parsed: Option<&Result<Value, String>>,
    started: Instant,
) -> Answer {
    if let Some(name) = name {
        if name != app.model_name || version.is_some_and(|v| v != model.version) {
            let v = version.map_or(String::new(), |v| format!(" version {v}"));
            let message = format!(
                "model {name}{v} not found: this server serves {} version {}",
                app.model_name, model.version
            );
            return json_answer(404, &json!({ "error": message }));
        }
    }
    static NO_BODY: Result<Value, String> = Ok(Value::Null);
    let parsed = parsed.unwrap_or(&NO_BODY);
    match r {
        Route::Health => json_answer(200, &json!({"status": "ok"})),
        Route::Ready => json_answer(
            200,
            &json!({"ready": true, "model": app.model_name, "version": model.version}),
        ),
        Route::Metrics => Answer {
            status: 200,
            body: app.metrics.render().into_bytes(),
            output: Json::NULL,
            scored: 0,
        },
        Route::Schema => Answer {
            status: 200,
            body: model.schema.clone(),
            output: Json::NULL,
            scored: 0,
        },
        Route::Predict | Route::PredictBatch => demo::predict(
            model,
            parsed.as_ref().map_err(Clone::clone),
            r == Route::PredictBatch,
            started,
        ),
        Route::V2Server => json_answer(
            200,
            &json!({"name": "titanic-serve", "version": env!("CARGO_PKG_VERSION"), "extensions": []}),
        ),
        Route::V2Live => json_answer(200, &json!({"live": true})),
        Route::V2Ready => json_answer(200, &json!({"ready": true})),
        Route::V2Model => json_answer(200, &v2::model_metadata(&app.model_name, &model.version)),
        Route::V2ModelReady => json_answer(200, &json!({"name": app.model_name, "ready": true})),
        Route::V2Infer => {
            let request = parsed.as_ref().map_err(Clone::clone).and_then(|v| {
                v2::InferRequest::deserialize(v)
                    .map_err(|e| format!("not an inference request: {e}"))
            });
            match request.and_then(|req| v2::infer(model, &app.model_name, req)) {
                Ok((resp, n)) => {
                    let value = serde_json::to_value(&resp).unwrap_or(Value::Null);
                    let mut a = json_answer(200, &value);
                    a.output = Json::Value(json!({"outputs": value["outputs"]}));
                    a.scored = n;
                    a
                }
                Err(e) => json_answer(400, &json!({ "error": e })),
            }
        }
    }
}

/// What [`finish`] records about a request besides its answer.
struct Request<'a> {
    route: Option<Route>,
    method: Method,
    path: &'a str,
    time: SystemTime,
    started: Instant,
    version: &'a str,
}

/// The response of an answer; records the request in the metrics and the beacon.
async fn finish(
    app: &App,
    req: Request<'_>,
    inputs: Json,
    answer: Answer,
    allow: Option<Method>,
) -> Response {
    let pattern = req.route.map_or("unmatched", Route::pattern);
    let content_type = if req.route == Some(Route::Metrics) && answer.status == 200 {
        "text/plain; version=0.0.4; charset=utf-8"
    } else {
        "application/json"
    };
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = warp::reply::with_status(answer.body, status).into_response();
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    if let Some(allow) = allow.and_then(|m| HeaderValue::from_str(m.as_str()).ok()) {
        response.headers_mut().insert("allow", allow);
    }
    let elapsed = req.started.elapsed().as_secs_f64();
    app.metrics.observe(pattern, answer.status, elapsed);
    app.metrics.predictions.inc_by(answer.scored);
    app.beacon
        .log(Record {
            time: req.time,
            method: req.method,
            route: pattern,
            path: (req.path != pattern).then(|| clip(req.path, 256).to_string()),
            status: answer.status,
            latency_ms: (elapsed * 1e6).round() / 1e3,
            model_version: req.version.to_string(),
            inputs,
            output: answer.output,
        })
        .await;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_v2_model_paths() {
        assert_eq!(route("/predict/"), Some((Route::Predict, None, None)));
        assert_eq!(
            route("/v2/models/titanic/infer"),
            Some((Route::V2Infer, Some("titanic"), None))
        );
        assert_eq!(
            route("/v2/models/titanic/versions/abc/ready"),
            Some((Route::V2ModelReady, Some("titanic"), Some("abc")))
        );
        assert_eq!(route("/v2/models/titanic/explain"), None);
        assert_eq!(route("/"), None);
        assert_eq!(clip("héllo", 2), "hé");
    }
}
