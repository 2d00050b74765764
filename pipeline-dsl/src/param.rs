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

/// `value` as JSON, or why it cannot be a parameter value (a non-finite number, or a value
/// serde cannot write); the error names `name`.
pub(crate) fn to_json<T: Serialize>(
    name: &str,
    value: &T,
) -> Result<serde_json::Value, ParamError> {
    let error = |message: String| ParamError {
        name: name.to_owned(),
        message,
    };
    if let Some(found) = crate::artifact::find_non_finite(value) {
        return Err(error(format!("non-finite number: {found}")));
    }
    serde_json::to_value(value).map_err(|e| error(e.to_string()))
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

/// A parameter's type, type-erased: checks a value by deserializing it into the type (so every
/// constraint the type enforces when it is deserialized, such as ranges and URL shapes, is
/// checked, exactly as the component will check it when it starts).
#[derive(Clone, Copy)]
pub struct ParamType {
    name: &'static str,
    from_json: fn(&str, serde_json::Value) -> Result<String, ParamError>,
    from_text: fn(&str, &str) -> Result<String, ParamError>,
    pub(crate) type_id: std::any::TypeId,
}

impl std::fmt::Debug for ParamType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl ParamType {
    /// The type `T`.
    pub fn of<T: Parameter>() -> Self {
        ParamType {
            name: std::any::type_name::<T>(),
            from_json: |name, value| {
                let typed: T = serde_json::from_value(value).map_err(|e| ParamError {
                    name: name.to_owned(),
                    message: e.to_string(),
                })?;
                encode_checked(name, &typed)
            },
            from_text: |name, text| encode_checked(name, &decode::<T>(name, text)?),
            type_id: std::any::TypeId::of::<T>(),
        }
    }

    /// Checks a JSON value (from a parameter file); returns its parameter text.
    pub fn check_json(&self, name: &str, value: serde_json::Value) -> Result<String, ParamError> {
        (self.from_json)(name, value)
    }

    /// Checks parameter text (from the command line); returns it in canonical form.
    pub fn check_text(&self, name: &str, text: &str) -> Result<String, ParamError> {
        (self.from_text)(name, text)
    }
}

fn encode_checked<T: Serialize>(name: &str, value: &T) -> Result<String, ParamError> {
    let error = |message: String| ParamError {
        name: name.to_owned(),
        message,
    };
    if let Some(found) = crate::artifact::find_non_finite(value) {
        return Err(error(format!("non-finite number: {found}")));
    }
    encode(value).map_err(|e| error(e.to_string()))
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
    Output(crate::refs::OutputRef),
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
/// assert!(Value::try_literal(f64::NAN).is_err());
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
    /// The same binding as the type `T` converts into: for a domain-restricted newtype that
    /// serializes as the value it wraps (`#[serde(into = "f64")]`), so that, say, an `f64`
    /// output can be compared with a `Threshold` parameter.
    pub fn widen<U>(self) -> Value<U>
    where
        T: Into<U>,
    {
        Value::from_source(self.source)
    }
}

impl<T: Serialize> Value<T> {
    /// A literal value, fixed when the pipeline is compiled.
    ///
    /// # Panics
    ///
    /// When `value` cannot be written as a parameter (its serialization fails, or it holds a
    /// non-finite number, which JSON cannot carry): a mistake in the pipeline's code, reported
    /// while the pipeline is built rather than as a `null` the step cannot read. Use
    /// [`Value::try_literal`] to handle it instead.
    pub fn literal(value: T) -> Self {
        Self::try_literal(value).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A literal value, or why it cannot be written as a parameter.
    pub fn try_literal(value: T) -> Result<Self, ParamError> {
        let name = format!("literal {}", std::any::type_name::<T>());
        Ok(Value::from_source(ValueSource::Literal(to_json(
            &name, &value,
        )?)))
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
