//! The demo's wire types: the `data` / `error` / `metadata` envelope of `POST /predict` and
//! `POST /predict/batch`, and the prediction it carries. Plain data that the handlers (`demo`)
//! fill and `GET /schema` describes.

use schemars::JsonSchema;
use serde::Serialize;

/// The `metadata.model` of the demo's envelope.
pub const DEMO_MODEL: &str = "mlops-titanic";

/// One prediction in the envelope's `data`.
#[derive(Serialize, JsonSchema, Debug, PartialEq)]
pub struct Prediction {
    /// Probability that the passenger survives (mean over the model's ensemble).
    #[serde(rename = "SurvivalChance")]
    pub survival_chance: f64,
    /// The request's `PassengerId`, if it had one.
    #[serde(rename = "PassengerId")]
    pub passenger_id: Option<u64>,
    /// The request's `Name`, if it had one.
    #[serde(rename = "Name")]
    pub name: Option<String>,
}

/// The demo's response envelope.
#[derive(Serialize, JsonSchema, Debug)]
pub struct Envelope<T> {
    /// The prediction(s); `null` on error.
    pub data: Option<T>,
    /// What is wrong with the request (naming every bad field); `null` on success.
    pub error: Option<String>,
    /// How and by which model the request was answered.
    pub metadata: Metadata,
}

/// The envelope's `metadata`.
#[derive(Serialize, JsonSchema, Debug)]
pub struct Metadata {
    /// Milliseconds spent answering.
    pub execution_time: f64,
    /// Always `mlops-titanic`.
    pub model: &'static str,
    /// Version of the model that answered (digest of its bundle).
    pub version: String,
}
