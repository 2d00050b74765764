use super::{read_bytes, write_atomic, Artifact, ArtifactError};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Scalar metrics in the Kubeflow Pipelines format
/// (`{"metrics": [{"name": "accuracy-score", "numberValue": 0.83, "format": "RAW"}]}`),
/// so KFP-aware UIs and our run report can show them.
///
/// ```
/// use pipeline_dsl::prelude::*;
/// let m = Metrics::new().with("accuracy", 0.83).with_percentage("recall", 0.71);
/// assert_eq!(m.get("accuracy"), Some(0.83));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// The metrics, in the order they were added.
    pub metrics: Vec<Metric>,
}

/// One named scalar metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// KFP metric name: lowercase letters, digits and `-`.
    pub name: String,
    /// The value.
    pub number_value: f64,
    /// `RAW` or `PERCENTAGE`.
    pub format: String,
}

impl Metrics {
    /// No metrics yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a raw metric (the name is normalized to KFP's `[a-z0-9-]`).
    pub fn with(mut self, name: &str, value: f64) -> Self {
        self.push(name, value, "RAW");
        self
    }
    /// Adds a metric shown as a percentage.
    pub fn with_percentage(mut self, name: &str, value: f64) -> Self {
        self.push(name, value, "PERCENTAGE");
        self
    }
    fn push(&mut self, name: &str, value: f64, format: &str) {
        let name = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        self.metrics.push(Metric {
            name,
            number_value: value,
            format: format.into(),
        });
    }
    /// The value of the metric called `name`, if any.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.number_value)
    }
}

impl Artifact for Metrics {
    const KIND: &'static str = "Metrics";
    fn write(&self, path: &Path) -> Result<(), ArtifactError> {
        if let Some(m) = self.metrics.iter().find(|m| !m.number_value.is_finite()) {
            return Err(ArtifactError::invalid(
                path,
                format!("metric `{}` is not finite", m.name),
            ));
        }
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| ArtifactError::invalid(path, e.to_string()))?;
        write_atomic(path, &bytes)
    }
    fn read(path: &Path) -> Result<Self, ArtifactError> {
        serde_json::from_slice(&read_bytes(path)?)
            .map_err(|e| ArtifactError::invalid(path, format!("not KFP metrics JSON: {e}")))
    }
}
