//! Typed parameters: values passed to a component on its command line.
//!
//! Any `serde` + [`schemars::JsonSchema`] type is a parameter. Its JSON Schema goes into the
//! component spec (and the pipeline's parameter docs). On the command line and in the Argo
//! manifest a parameter is text: strings travel raw, everything else as JSON.

use schemars::JsonSchema;
use serde::{de::DeserializeOwned, Serialize};
use std::marker::PhantomData;

/// A type usable as a component parameter. Implemented for every `Serialize + DeserializeOwned +
/// JsonSchema` type; you never implement it by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a component parameter: it is not serde + JsonSchema",
    label = "not a parameter type",
    note = "a parameter type derives `serde::Serialize`, `serde::Deserialize` and `schemars::JsonSchema`: \
            add `#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]` to `{Self}` \
            (numbers, `bool`, `String`, `Vec<T>`, `Option<T>` and maps of them already qualify)",
    note = "a file-like value (a table, a model, a plot) is an artifact instead: take it as `Input<A>`"
)]
pub trait Parameter: Serialize + DeserializeOwned + JsonSchema + 'static {}
// An argument that is not a parameter is reported with `Parameter`'s message, not as a missing
// `Serialize`, `Deserialize` or `JsonSchema` at every use.
#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned + JsonSchema + 'static> Parameter for T {}

/// Why a parameter value could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[error("parameter `{name}`: {message}")]
pub struct ParamError {
    /// The parameter.
    pub name: String,
    /// What is wrong with its value.
    pub message: String,
}

/// Encodes a value as parameter text: a JSON string becomes its raw text, anything else JSON.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    Ok(encode_json(&serde_json::to_value(value)?))
}

/// Encodes a JSON value as parameter text (see [`encode`]).
pub fn encode_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Decodes parameter text into `T`: JSON first, then the raw text as a JSON string.
pub fn decode<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, ParamError> {
    let json_err = match serde_json::from_str::<T>(text) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    serde_json::from_value::<T>(serde_json::Value::String(text.to_owned())).map_err(|_| {
        ParamError {
            name: name.to_owned(),
            message: format!("cannot parse {text:?}: {json_err}"),
        }
    })
}

/// The JSON Schema of a parameter type, as JSON.
pub fn schema_of<T: JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(serde_json::Value::Null)
}

/// Where a parameter's value comes from when the pipeline runs. Internal, type-erased form of
/// [`Value`].
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSource {
    /// A literal, fixed when the pipeline is compiled.
    Literal(serde_json::Value),
    /// A pipeline parameter (`{{workflow.parameters.NAME}}`).
    Pipeline(String),
    /// An output parameter of another task.
    Output(crate::pipeline::OutputRef),
    /// The current item of a fan-out (`{{item...}}`).
    Item,
    /// A workflow variable such as `workflow.name` or `workflow.status`.
    Workflow(&'static str),
}

/// A typed parameter binding in a pipeline: a literal, a pipeline parameter, another task's
/// output parameter, or the current fan-out item. Only a `Value<T>` fits a parameter of type `T`.
///
/// ```
/// use pipeline_dsl::prelude::*;
/// let fraction: Value<f64> = 0.2.into();
/// let seed: Value<u64> = Value::literal(42);
/// # let _ = (fraction, seed);
/// ```
#[derive(Debug, PartialEq)]
pub struct Value<T> {
    source: ValueSource,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Value<T> {
    fn clone(&self) -> Self {
        Value::from_source(self.source.clone())
    }
}

impl<T> Value<T> {
    pub(crate) fn from_source(source: ValueSource) -> Self {
        Value {
            source,
            _type: PhantomData,
        }
    }
    /// The untyped source of the value.
    pub fn source(&self) -> &ValueSource {
        &self.source
    }
}

impl<T: Serialize> Value<T> {
    /// A literal value, fixed when the pipeline is compiled.
    pub fn literal(value: T) -> Self {
        let json = serde_json::to_value(&value).unwrap_or(serde_json::Value::Null);
        Value::from_source(ValueSource::Literal(json))
    }
}

impl<T: Parameter> From<T> for Value<T> {
    fn from(value: T) -> Self {
        Value::literal(value)
    }
}

impl From<&str> for Value<String> {
    fn from(value: &str) -> Self {
        Value::literal(value.to_owned())
    }
}

/// Checks `value` against the parts of a JSON Schema that parameters use: `type`, `enum`,
/// `minimum`/`maximum`, object `properties`/`required`/`additionalProperties: false` and array
/// `items`. Returns what is wrong, naming the field.
pub fn check_schema(value: &serde_json::Value, schema: &serde_json::Value) -> Result<(), String> {
    check_at("", value, schema)
}

fn check_at(at: &str, value: &serde_json::Value, schema: &serde_json::Value) -> Result<(), String> {
    use serde_json::Value as J;
    let here = if at.is_empty() {
        "the value".to_owned()
    } else {
        format!("`{at}`")
    };
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            J::String(t) => vec![t.as_str()],
            J::Array(ts) => ts.iter().filter_map(J::as_str).collect(),
            _ => vec![],
        };
        let ok = allowed.iter().any(|t| match *t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => true,
        });
        if !allowed.is_empty() && !ok {
            return Err(format!(
                "{here} is {value}, expected {}",
                allowed.join(" or ")
            ));
        }
    }
    if let Some(J::Array(options)) = schema.get("enum") {
        if !options.contains(value) {
            let names: Vec<String> = options.iter().map(encode_json).collect();
            return Err(format!(
                "{here} is {value}, expected one of {}",
                names.join(", ")
            ));
        }
    }
    if let Some(n) = value.as_f64() {
        if schema
            .get("minimum")
            .and_then(J::as_f64)
            .is_some_and(|min| n < min)
        {
            return Err(format!(
                "{here} is {n}, below the minimum {}",
                schema["minimum"]
            ));
        }
        if schema
            .get("maximum")
            .and_then(J::as_f64)
            .is_some_and(|max| n > max)
        {
            return Err(format!(
                "{here} is {n}, above the maximum {}",
                schema["maximum"]
            ));
        }
    }
    if let J::Object(fields) = value {
        let props = schema.get("properties").and_then(J::as_object);
        for required in schema
            .get("required")
            .and_then(J::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = required.as_str() {
                if !fields.contains_key(name) {
                    return Err(format!("{here} lacks the required field `{name}`"));
                }
            }
        }
        for (name, field) in fields {
            let path = if at.is_empty() {
                name.clone()
            } else {
                format!("{at}.{name}")
            };
            match props.and_then(|p| p.get(name)) {
                Some(sub) => check_at(&path, field, sub)?,
                None if schema.get("additionalProperties") == Some(&J::Bool(false)) => {
                    return Err(format!("unknown field `{path}`"))
                }
                None => {}
            }
        }
    }
    if let (J::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            check_at(&format!("{at}[{i}]"), item, item_schema)?;
        }
    }
    Ok(())
}
