//! Lenient deserializers: accept bare YAML/JSON numbers and booleans where Argo stores strings.
use serde::{Deserialize, Deserializer};

/// A scalar that may be written as a string, a number or a boolean.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Str(String),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Scalar::Str(s) => s,
            Scalar::Int(i) => i.to_string(),
            Scalar::UInt(u) => u.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// Deserializes an optional string, accepting numbers and booleans.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Scalar>::deserialize(d)?.map(Scalar::into_string))
}

/// Deserializes a string-to-string map whose values may be numbers (e.g. `cpu: 1`).
pub fn string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<std::collections::BTreeMap<String, String>, D::Error> {
    let raw = Option::<std::collections::BTreeMap<String, Scalar>>::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.into_string()))
        .collect())
}

/// `skip_serializing_if` helper for `bool` fields that default to false.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
