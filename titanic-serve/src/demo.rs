//! The demo's contract: `POST /predict` (one passenger) and `POST /predict/batch` (an array),
//! answered with the `data` / `error` / `metadata` envelope.

use crate::beacon::Json;
use crate::fields::{describe, passenger_from_object, FieldError};
use crate::source::Loaded;
use serde::Serialize;
use serde_json::Value;

pub use crate::envelope::{Envelope, Metadata, Prediction, DEMO_MODEL};

/// A handler's answer before it is wrapped: status, JSON body, what the beacon records.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Response body (JSON).
    pub body: Vec<u8>,
    /// The beacon's `output`.
    pub output: Json,
    /// Passengers scored.
    pub scored: u64,
}

fn score(model: &Loaded, v: &Value) -> Result<Prediction, Vec<FieldError>> {
    let p = passenger_from_object(v)?;
    let survival_chance = model.bundle.predict_proba(&p).map_err(|e| {
        vec![FieldError {
            field: "model".into(),
            message: e.to_string(),
        }]
    })?;
    let present = |k: &str| v.get(k).filter(|x| !x.is_null());
    Ok(Prediction {
        survival_chance,
        passenger_id: present("PassengerId").map(|_| u64::from(p.passenger_id)),
        name: present("Name").map(|_| p.name),
    })
}

/// `POST /predict` (`batch == false`) and `POST /predict/batch`.
pub fn predict(
    model: &Loaded,
    parsed: Result<&Value, String>,
    batch: bool,
    started: std::time::Instant,
) -> Answer {
    // `data` is encoded once: into the body, and as it is into the beacon's line.
    let result: Result<(Vec<u8>, u64), (u16, String)> = match parsed {
        Err(e) => Err((400, e)),
        Ok(v) if !batch => score(model, v)
            .map(|p| (encode(&p), 1))
            .map_err(|e| (422, describe(&e))),
        Ok(Value::Array(items)) if items.is_empty() => Err((422, "the batch is empty".into())),
        Ok(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            let mut errors = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match score(model, item) {
                    Ok(p) => out.push(p),
                    Err(e) => errors.extend(e.into_iter().map(|e| FieldError {
                        field: format!("[{i}].{}", e.field),
                        ..e
                    })),
                }
            }
            if errors.is_empty() {
                let n = out.len() as u64;
                Ok((encode(&out), n))
            } else {
                Err((422, describe(&errors)))
            }
        }
        Ok(_) => Err((400, "the body is not a JSON array of passengers".into())),
    };
    let (status, data, error, scored) = match result {
        Ok((data, n)) => (200, Some(data), None, n),
        Err((status, e)) => (status, None, Some(e), 0),
    };
    envelope(status, data, error, &model.version, started, scored)
}

/// The JSON text of `value` (the types encoded here have no map with non-string keys, the
/// one thing that could fail).
fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Wraps `data` (JSON text) or `error` in the envelope: the bytes serde writes for
/// [`Envelope`], without decoding `data` again.
pub fn envelope(
    status: u16,
    data: Option<Vec<u8>>,
    error: Option<String>,
    version: &str,
    started: std::time::Instant,
    scored: u64,
) -> Answer {
    let metadata = Metadata {
        execution_time: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
        model: DEMO_MODEL,
        version: version.to_string(),
    };
    let text = data.as_deref().unwrap_or(b"null");
    let mut body = Vec::with_capacity(text.len() + error.as_ref().map_or(0, String::len) + 160);
    body.extend_from_slice(b"{\"data\":");
    body.extend_from_slice(text);
    body.extend_from_slice(b",\"error\":");
    body.extend_from_slice(&encode(&error));
    body.extend_from_slice(b",\"metadata\":");
    body.extend_from_slice(&encode(&metadata));
    body.push(b'}');
    // The beacon's output: the data itself (moved, not copied), or the error.
    let output = match (data, error) {
        (Some(d), _) => Json::Text(d),
        (None, Some(e)) => Json::Value(serde_json::json!({ "error": e })),
        (None, None) => Json::NULL,
    };
    Answer {
        status,
        body,
        output,
        scored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_envelope_is_what_serde_writes_for_envelope() {
        let started = std::time::Instant::now();
        let data = vec![Prediction {
            survival_chance: 0.25,
            passenger_id: Some(892),
            name: Some("Kelly, \"Mr.\" James".into()),
        }];
        for (data, error) in [
            (Some(&data), None),
            (None, Some("Pclass: 7 is not 1, 2 or 3")),
        ] {
            let a = envelope(
                422,
                data.map(encode),
                error.map(String::from),
                "sha256:abc",
                started,
                0,
            );
            let got: Value = serde_json::from_slice(&a.body).unwrap();
            let time = got["metadata"]["execution_time"].as_f64().unwrap();
            let want = Envelope {
                data,
                error: error.map(String::from),
                metadata: Metadata {
                    execution_time: time,
                    model: DEMO_MODEL,
                    version: "sha256:abc".into(),
                },
            };
            assert_eq!(a.body, serde_json::to_vec(&want).unwrap());
            let output = a.output.to_value().unwrap();
            match data {
                Some(_) => assert_eq!(output[0]["Name"], "Kelly, \"Mr.\" James"),
                None => assert_eq!(output, json!({ "error": error })),
            }
        }
    }
}
