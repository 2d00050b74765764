//! The publish gate's accuracy threshold, a fraction whose domain is part of its type.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Minimum out-of-fold accuracy for `publish` to run: a fraction in `[0, 1]`.
//
// Deserializing refuses anything else (NaN included), so `titanic run` refuses `threshold=1.5`
// with exit 2, naming the parameter, before any step runs; the JSON Schema (`titanic describe`)
// shows the range. It travels as the plain number (`0.8`), so Argo's `when` compares it with
// the accuracy as a number.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "f64", into = "f64")]
#[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
pub struct Threshold(f64);

impl Threshold {
    /// The threshold `value`, or an error naming it when it is not in `[0, 1]`.
    pub fn new(value: f64) -> Result<Threshold, String> {
        // `contains` is false for NaN: out of range too.
        if !(0.0..=1.0).contains(&value) {
            return Err(format!("threshold is {value}, outside [0, 1]"));
        }
        Ok(Threshold(value))
    }
}

impl TryFrom<f64> for Threshold {
    type Error = String;
    fn try_from(value: f64) -> Result<Self, String> {
        Threshold::new(value)
    }
}

impl From<Threshold> for f64 {
    fn from(threshold: Threshold) -> f64 {
        threshold.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fractions_are_thresholds_and_the_schema_says_so() {
        assert_eq!(f64::from(Threshold::new(0.8).unwrap()), 0.8);
        for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            assert!(Threshold::new(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<Threshold>("1.5").unwrap_err();
        assert!(
            err.to_string().contains("threshold is 1.5, outside [0, 1]"),
            "{err}"
        );
        assert_eq!(serde_json::to_string(&Threshold(0.8)).unwrap(), "0.8");
        let schema = serde_json::to_value(schemars::schema_for!(Threshold)).unwrap();
        assert_eq!(schema["type"], "number", "{schema}");
        assert_eq!(schema["minimum"], 0.0, "{schema}");
        assert_eq!(schema["maximum"], 1.0, "{schema}");
    }
}
