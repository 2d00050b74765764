//! `GET /schema`: JSON Schemas (schemars) of the demo routes' requests and responses.

use crate::envelope::{Envelope, Prediction};
use serde_json::{json, Value};
use std::sync::OnceLock;
use titanic_model::{ModelBundle, Passenger};

/// The passenger schema with the server's rules: only `Pclass` and `Sex` are required.
fn passenger() -> Value {
    let mut v = serde_json::to_value(schemars::schema_for!(Passenger)).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("required".into(), json!(["Pclass", "Sex"]));
        obj.insert("additionalProperties".into(), json!(false));
    }
    v
}

/// The schemas, computed once.
pub fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let p = passenger();
        json!({
            "/predict": {
                "request": p.clone(),
                "response": schemars::schema_for!(Envelope<Prediction>),
            },
            "/predict/batch": {
                "request": {"type": "array", "minItems": 1, "items": p},
                "response": schemars::schema_for!(Envelope<Vec<Prediction>>),
            },
        })
    })
}

/// The schemas plus, under `"model"`, the request fields the served model reads (`needed`) and
/// how it fills in missing ones (`imputed`).
pub fn schema_for_model(bundle: &ModelBundle) -> Value {
    let mut v = schema().clone();
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "model".into(),
            json!({"needed": bundle.fields.needed, "imputed": bundle.fields.imputed}),
        );
    }
    v
}
