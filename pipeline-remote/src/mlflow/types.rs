//! The messages of MLflow's REST API (`/api/2.0/mlflow/...`), as this client sends and reads them.

use serde::{Deserialize, Serialize, Serializer};

/// An experiment (`experiments/get-by-name`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Experiment {
    /// Server-assigned id (a decimal string).
    pub experiment_id: String,
    /// Unique name.
    pub name: String,
    /// Where its runs' artifacts go (`mlflow-artifacts:/<id>` on a proxying server).
    #[serde(default)]
    pub artifact_location: String,
    /// `active` or `deleted`.
    #[serde(default)]
    pub lifecycle_stage: String,
}

/// The status of a run (`runs/update`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    /// Started, not ended.
    Running,
    /// Scheduled, not started.
    Scheduled,
    /// Ended well.
    Finished,
    /// Ended with an error.
    Failed,
    /// Stopped from outside.
    Killed,
}

/// What identifies a run and where its artifacts go.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RunInfo {
    /// The run's id.
    pub run_id: String,
    /// Its experiment.
    pub experiment_id: String,
    /// Display name.
    #[serde(default)]
    pub run_name: String,
    /// Current status.
    pub status: RunStatus,
    /// Root of its artifacts, e.g. `mlflow-artifacts:/1/<run_id>/artifacts`.
    #[serde(default)]
    pub artifact_uri: String,
    /// Start, ms since the epoch.
    #[serde(default, deserialize_with = "int_or_string")]
    pub start_time: i64,
    /// End, ms since the epoch (0 while running).
    #[serde(default, deserialize_with = "int_or_string")]
    pub end_time: i64,
}

/// A run: its info and what was logged to it (`runs/get`, `runs/search`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Run {
    /// Identity, status and artifact root.
    pub info: RunInfo,
    /// Latest metrics, params and tags.
    #[serde(default)]
    pub data: RunData,
}

/// What a run holds.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RunData {
    /// The latest value of each metric.
    #[serde(default)]
    pub metrics: Vec<Metric>,
    /// Parameters.
    #[serde(default)]
    pub params: Vec<Param>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<RunTag>,
}

impl Run {
    /// The value of tag `key`.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.data
            .tags
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.value.as_str())
    }

    /// The value of parameter `key`.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.data
            .params
            .iter()
            .find(|p| p.key == key)
            .map(|p| p.value.as_str())
    }

    /// The latest value of metric `key`.
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.data
            .metrics
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.value)
    }
}

/// One value of a metric at a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// Metric name.
    pub key: String,
    /// The value; NaN and infinities are sent as protobuf's JSON strings.
    #[serde(
        serialize_with = "finite_or_string",
        deserialize_with = "float_or_string"
    )]
    pub value: f64,
    /// When, ms since the epoch.
    #[serde(deserialize_with = "int_or_string")]
    pub timestamp: i64,
    /// Step (epoch, iteration).
    #[serde(default, deserialize_with = "int_or_string")]
    pub step: i64,
}

/// A run parameter (logged once; values up to 6,000 characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// Name.
    pub key: String,
    /// Value.
    pub value: String,
}

/// A run tag (`mlflow.parentRunId`, `mlflow.runName`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunTag {
    /// Name.
    pub key: String,
    /// Value.
    pub value: String,
}

impl RunTag {
    /// A tag `key = value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> RunTag {
        RunTag {
            key: key.into(),
            value: value.into(),
        }
    }
}

impl Param {
    /// A parameter `key = value`.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Param {
        Param {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// A version of a registered model.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ModelVersion {
    /// The registered model's name.
    pub name: String,
    /// The version number (a decimal string).
    pub version: String,
    /// Where its files are (an artifact URI).
    #[serde(default)]
    pub source: String,
    /// The run that produced it.
    #[serde(default)]
    pub run_id: String,
    /// `READY` once registered.
    #[serde(default)]
    pub status: String,
    /// Aliases that point at it.
    #[serde(default)]
    pub aliases: Vec<String>,
}

fn finite_or_string<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else if v.is_nan() {
        s.serialize_str("NaN")
    } else if *v > 0.0 {
        s.serialize_str("Infinity")
    } else {
        s.serialize_str("-Infinity")
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrString {
    Int(i64),
    Float(f64),
    Text(String),
}

fn float_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match NumOrString::deserialize(d)? {
        NumOrString::Int(i) => Ok(i as f64),
        NumOrString::Float(f) => Ok(f),
        NumOrString::Text(t) => match t.as_str() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            other => other.parse().map_err(serde::de::Error::custom),
        },
    }
}

/// Protobuf's JSON mapping sends int64 as a string; older servers send a number.
fn int_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match NumOrString::deserialize(d)? {
        NumOrString::Int(i) => Ok(i),
        NumOrString::Float(f) => Ok(f as i64),
        NumOrString::Text(t) => t.parse().map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_metrics_are_sent_as_protobuf_strings() {
        let m = |value| Metric {
            key: "loss".into(),
            value,
            timestamp: 1,
            step: 0,
        };
        let text = serde_json::to_string(&[m(f64::NAN), m(f64::INFINITY), m(0.5)]).unwrap();
        assert!(text.contains(r#""value":"NaN""#), "{text}");
        assert!(text.contains(r#""value":"Infinity""#), "{text}");
        assert!(text.contains(r#""value":0.5"#), "{text}");
        let back: Vec<Metric> = serde_json::from_str(&text).unwrap();
        assert!(back[0].value.is_nan() && back[1].value == f64::INFINITY);
    }

    #[test]
    fn int64_fields_read_from_strings_and_numbers() {
        let info: RunInfo = serde_json::from_str(
            r#"{"run_id":"r","experiment_id":"1","status":"RUNNING","start_time":"1700000000000","end_time":5}"#,
        )
        .unwrap();
        assert_eq!((info.start_time, info.end_time), (1_700_000_000_000, 5));
    }
}
