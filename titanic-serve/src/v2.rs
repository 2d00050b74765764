//! The Open Inference Protocol v2 (REST) for the Titanic model: one input tensor per column
//! (as MLServer's pandas codec sends a table), a survival probability and a survived output.
//! See `specification/protocol/inference_rest.md` of kserve/open-inference-protocol.

use crate::fields::{passenger, FieldError, COLUMNS, TEXT_COLUMNS};
use crate::source::Loaded;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Name of the probability output.
pub const PROBABILITY: &str = "survival_probability";
/// Name of the 0/1 output (probability at or above the bundle's threshold).
pub const SURVIVED: &str = "survived";

/// `$inference_request`.
#[derive(Deserialize, Debug)]
pub struct InferRequest {
    /// Echoed in the response.
    #[serde(default)]
    pub id: Option<Value>,
    /// Accepted and ignored (no parameters are defined).
    #[serde(default)]
    pub parameters: Option<Value>,
    /// One tensor per column.
    pub inputs: Vec<TensorIn>,
    /// Which outputs to return (all when absent).
    #[serde(default)]
    pub outputs: Option<Vec<OutputRequest>>,
}

/// `$request_input`.
#[derive(Deserialize, Debug)]
pub struct TensorIn {
    /// Column name (Kaggle's header).
    pub name: String,
    /// `[N]` or `[N, 1]`.
    pub shape: Vec<i64>,
    /// `BYTES` for text columns, a numeric type (`INT64`, `FP64`, ...) for the others.
    pub datatype: String,
    /// Accepted and ignored (e.g. MLServer's `content_type`).
    #[serde(default)]
    pub parameters: Option<Value>,
    /// Row-major data, flat or nested.
    pub data: Value,
}

/// `$request_output`.
#[derive(Deserialize, Debug)]
pub struct OutputRequest {
    /// Output name.
    pub name: String,
    /// Accepted and ignored.
    #[serde(default)]
    pub parameters: Option<Value>,
}

/// `$response_output`.
#[derive(Serialize, Debug)]
pub struct TensorOut {
    /// Output name.
    pub name: &'static str,
    /// `[N]`.
    pub shape: [usize; 1],
    /// `FP64` or `INT64`.
    pub datatype: &'static str,
    /// One value per passenger.
    pub data: Value,
}

/// `$inference_response`.
#[derive(Serialize, Debug)]
pub struct InferResponse<'a> {
    /// The model's name.
    pub model_name: &'a str,
    /// The model's version.
    pub model_version: &'a str,
    /// The request's `id`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// The requested outputs.
    pub outputs: Vec<TensorOut>,
}

fn numeric(datatype: &str) -> bool {
    matches!(
        datatype,
        "INT8"
            | "INT16"
            | "INT32"
            | "INT64"
            | "UINT8"
            | "UINT16"
            | "UINT32"
            | "UINT64"
            | "FP16"
            | "FP32"
            | "FP64"
    )
}

fn flatten(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        v => out.push(v.clone()),
    }
}

/// The passengers of a request, or one message naming every bad input or value.
pub fn passengers(req: &InferRequest) -> Result<Vec<titanic_model::Passenger>, String> {
    let mut columns: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut rows: Option<usize> = None;
    for t in &req.inputs {
        let name = t.name.as_str();
        if !COLUMNS.contains(&name) {
            problems.push(format!(
                "input {name:?}: unknown (inputs are Kaggle's columns: {})",
                COLUMNS.join(", ")
            ));
            continue;
        }
        if columns.contains_key(name) {
            problems.push(format!("input {name}: given twice"));
            continue;
        }
        let text = TEXT_COLUMNS.contains(&name);
        if text && t.datatype != "BYTES" {
            problems.push(format!(
                "input {name}: datatype {:?}, expected BYTES",
                t.datatype
            ));
        } else if !text && !numeric(&t.datatype) {
            problems.push(format!(
                "input {name}: datatype {:?}, expected a numeric type such as INT64 or FP64",
                t.datatype
            ));
        }
        let n = match t.shape.as_slice() {
            [n] | [n, 1] if *n >= 0 => *n as usize,
            _ => {
                problems.push(format!(
                    "input {name}: shape {:?}, expected [N] or [N, 1]",
                    t.shape
                ));
                continue;
            }
        };
        let mut data = Vec::with_capacity(n);
        flatten(&t.data, &mut data);
        if data.len() != n {
            problems.push(format!(
                "input {name}: {} values for shape {:?}",
                data.len(),
                t.shape
            ));
            continue;
        }
        match rows {
            Some(r) if r != n => {
                problems.push(format!("input {name}: {n} rows, other inputs have {r}"))
            }
            _ => rows = Some(n),
        }
        columns.insert(name, data);
    }
    for required in ["Pclass", "Sex"] {
        if !req.inputs.iter().any(|t| t.name == required) {
            problems.push(format!("input {required}: missing (required)"));
        }
    }
    if let Some(outputs) = &req.outputs {
        for o in outputs
            .iter()
            .filter(|o| o.name != PROBABILITY && o.name != SURVIVED)
        {
            problems.push(format!(
                "output {:?}: unknown (outputs are {PROBABILITY}, {SURVIVED})",
                o.name
            ));
        }
    }
    let n = rows.unwrap_or(0);
    if problems.is_empty() && n == 0 {
        problems.push("no rows: inputs have shape [0]".into());
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let mut out = Vec::with_capacity(n);
    let mut errors: Vec<FieldError> = Vec::new();
    for i in 0..n {
        match passenger(|col| columns.get(col).map(|c| &c[i])) {
            Ok(p) => out.push(p),
            Err(e) => errors.extend(e.into_iter().map(|e| FieldError {
                field: format!("row {i}: {}", e.field),
                ..e
            })),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(crate::fields::describe(&errors))
    }
}

/// Scores a parsed request.
pub fn infer<'a>(
    model: &'a Loaded,
    name: &'a str,
    req: InferRequest,
) -> Result<(InferResponse<'a>, u64), String> {
    let rows = passengers(&req)?;
    let mut probs = Vec::with_capacity(rows.len());
    for p in &rows {
        probs.push(model.bundle.predict_proba(p).map_err(|e| e.to_string())?);
    }
    let wanted = |n: &str| {
        req.outputs
            .as_ref()
            .is_none_or(|o| o.iter().any(|o| o.name == n))
    };
    let mut outputs = Vec::new();
    if wanted(PROBABILITY) {
        outputs.push(TensorOut {
            name: PROBABILITY,
            shape: [probs.len()],
            datatype: "FP64",
            data: json!(probs),
        });
    }
    if wanted(SURVIVED) {
        let survived: Vec<i64> = probs
            .iter()
            .map(|p| i64::from(*p >= model.bundle.threshold))
            .collect();
        outputs.push(TensorOut {
            name: SURVIVED,
            shape: [survived.len()],
            datatype: "INT64",
            data: json!(survived),
        });
    }
    let n = rows.len() as u64;
    Ok((
        InferResponse {
            model_name: name,
            model_version: &model.version,
            id: req.id,
            outputs,
        },
        n,
    ))
}

/// `$metadata_model_response`: one input per column with its datatype and shape.
pub fn model_metadata(name: &str, version: &str) -> Value {
    let inputs: Vec<Value> = COLUMNS
        .iter()
        .filter(|c| **c != "Survived")
        .map(|c| {
            let datatype = match *c {
                c if TEXT_COLUMNS.contains(&c) => "BYTES",
                "Age" | "Fare" => "FP64",
                _ => "INT64",
            };
            json!({"name": c, "datatype": datatype, "shape": [-1]})
        })
        .collect();
    json!({
        "name": name,
        "versions": [version],
        "platform": "rust_mlp-ensemble",
        "inputs": inputs,
        "outputs": [
            {"name": PROBABILITY, "datatype": "FP64", "shape": [-1]},
            {"name": SURVIVED, "datatype": "INT64", "shape": [-1]},
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(v: Value) -> InferRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn columns_as_mlserver_sends_a_table() {
        let req = request(json!({"id": "7", "inputs": [
            {"name": "Pclass", "datatype": "INT64", "shape": [2, 1], "data": [[3], [1]]},
            {"name": "Sex", "datatype": "BYTES", "shape": [2], "data": ["male", "female"],
             "parameters": {"content_type": "str"}},
            {"name": "Age", "datatype": "FP64", "shape": [2, 1], "data": [34.5, null]},
            {"name": "Embarked", "datatype": "BYTES", "shape": [2], "data": ["Q", ""]}
        ]}));
        let rows = passengers(&req).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].pclass, rows[0].age), (3, Some(34.5)));
        assert_eq!((rows[1].sex.as_str(), rows[1].age), ("female", None));
    }

    #[test]
    fn every_bad_input_is_named() {
        let req = request(json!({"inputs": [
            {"name": "Pclass", "datatype": "BYTES", "shape": [1], "data": [3]},
            {"name": "Colour", "datatype": "BYTES", "shape": [1], "data": ["red"]},
            {"name": "Age", "datatype": "FP64", "shape": [2], "data": [1.0]},
            {"name": "Fare", "datatype": "FP64", "shape": [1, 2], "data": [1.0, 2.0]}
        ], "outputs": [{"name": "colour"}]}));
        let e = passengers(&req).unwrap_err();
        for needle in [
            "input Pclass: datatype",
            "\"Colour\": unknown",
            "input Age: 1 values",
            "input Fare: shape",
            "input Sex: missing",
            "output \"colour\"",
        ] {
            assert!(e.contains(needle), "{needle} in {e}");
        }
        let req = request(json!({"inputs": [
            {"name": "Pclass", "datatype": "INT64", "shape": [2], "data": [7, 1]},
            {"name": "Sex", "datatype": "BYTES", "shape": [2], "data": ["male", "robot"]}
        ]}));
        let e = passengers(&req).unwrap_err();
        assert!(
            e.contains("row 0: Pclass") && e.contains("row 1: Sex"),
            "{e}"
        );
    }
}
