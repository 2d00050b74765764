//! Fractions whose domain is part of their type: the publish gate's threshold and the share of
//! passengers held out.
//!
//! Deserializing refuses a value outside the domain (NaN included), so `titanic run` refuses
//! `threshold=1.5` or `holdout_fraction=0` with exit 2, naming the parameter, before any step
//! runs; the JSON Schema (`titanic describe`) shows the range. Each travels as the plain number
//! (`0.8`), so Argo's `when` compares the threshold with the accuracy as a number.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A number outside a fraction's domain.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what} is {value}, outside {domain}")]
pub struct OutOfDomain {
    /// What the number is (`threshold`, `holdout fraction`).
    pub what: &'static str,
    /// The number refused.
    pub value: f64,
    /// The domain, as interval notation (`[0, 1]`).
    pub domain: &'static str,
}

macro_rules! fraction {
    ($(#[$doc:meta])* $name:ident, $what:literal, $domain:literal, [$($schema:tt)*],
     |$v:ident| $inside:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "f64", into = "f64")]
        #[schemars(extend($($schema)*))]
        pub struct $name(f64);

        impl $name {
            #[doc = concat!("The ", $what, " `value`, or an error naming it when it is not in `", $domain, "`.")]
            pub fn new($v: f64) -> Result<$name, OutOfDomain> {
                // Every comparison with NaN is false: outside too.
                if $inside {
                    Ok($name($v))
                } else {
                    Err(OutOfDomain { what: $what, value: $v, domain: $domain })
                }
            }
        }

        impl TryFrom<f64> for $name {
            type Error = OutOfDomain;
            fn try_from(value: f64) -> Result<Self, OutOfDomain> {
                $name::new(value)
            }
        }

        impl From<$name> for f64 {
            fn from(fraction: $name) -> f64 {
                fraction.0
            }
        }
    };
}

fraction!(
    /// Minimum out-of-fold accuracy for `publish` to run: a fraction in `[0, 1]`.
    Threshold, "threshold", "[0, 1]", ["minimum" = 0.0, "maximum" = 1.0], |v| (0.0..=1.0).contains(&v)
);

fraction!(
    /// Share of the labelled passengers held out and scored once at the end: in `(0, 1)`
    /// (Kaggle's test set is 418 of 1309 passengers).
    HoldoutFraction, "holdout fraction", "(0, 1)",
    ["exclusiveMinimum" = 0.0, "exclusiveMaximum" = 1.0], |v| v > 0.0 && v < 1.0
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fractions_in_their_domain_deserialize_and_the_schema_says_so() {
        assert_eq!(f64::from(Threshold::new(0.8).unwrap()), 0.8);
        assert_eq!(f64::from(Threshold::new(0.0).unwrap()), 0.0);
        for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            assert!(Threshold::new(bad).is_err(), "{bad}");
        }
        for bad in [0.0, 1.0, -0.1, f64::NAN] {
            assert!(HoldoutFraction::new(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<Threshold>("1.5").unwrap_err();
        assert!(
            err.to_string().contains("threshold is 1.5, outside [0, 1]"),
            "{err}"
        );
        let err = serde_json::from_str::<HoldoutFraction>("0").unwrap_err();
        assert!(
            err.to_string()
                .contains("holdout fraction is 0, outside (0, 1)"),
            "{err}"
        );
        assert_eq!(serde_json::to_string(&Threshold(0.8)).unwrap(), "0.8");
        let schema = serde_json::to_value(schemars::schema_for!(HoldoutFraction)).unwrap();
        assert_eq!(schema["type"], "number", "{schema}");
        assert_eq!(schema["exclusiveMinimum"], 0.0, "{schema}");
        assert_eq!(schema["exclusiveMaximum"], 1.0, "{schema}");
        let schema = serde_json::to_value(schemars::schema_for!(Threshold)).unwrap();
        assert_eq!(schema["minimum"], 0.0, "{schema}");
        assert_eq!(schema["maximum"], 1.0, "{schema}");
    }
}
