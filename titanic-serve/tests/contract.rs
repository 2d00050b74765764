//! The server's HTTP contract, against a model the pipeline produced: the demo's envelope,
//! every validation error, the batch route, the v2 protocol, metrics, schema, and train/serve
//! parity with `titanic predict` over every passenger of `data/titanic/test.csv`.

mod common;
use common::{model, raw, repo_root, sibling, Server};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const DEMO: &str = r#"{"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,"SibSp":0,"Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"}"#;

/// A server on the pipeline's model (it starts in milliseconds; each test has its own).
fn server() -> Server {
    Server::start(&["--body-limit", "262144"])
}

fn demo() -> Value {
    serde_json::from_str(DEMO).unwrap()
}

#[test]
fn the_demo_curl_gets_the_demo_envelope() {
    let s = server();
    let (status, v) = s.post("/predict", DEMO.as_bytes());
    assert_eq!(status, 200, "{v}");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&v), ["data", "error", "metadata"]);
    assert_eq!(keys(&v["data"]), ["Name", "PassengerId", "SurvivalChance"]);
    assert_eq!(keys(&v["metadata"]), ["execution_time", "model", "version"]);
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v["data"]["PassengerId"], 892);
    assert_eq!(v["data"]["Name"], "Kelly, Mr. James");
    let p = v["data"]["SurvivalChance"].as_f64().unwrap();
    assert!(p > 0.0 && p < 0.5, "a third-class man from Queenstown: {p}");
    assert!(v["metadata"]["execution_time"].as_f64().unwrap() >= 0.0);
    assert_eq!(v["metadata"]["model"], "mlops-titanic");
    let (_, ready) = s.get("/ready");
    assert_eq!(v["metadata"]["version"], ready["version"]);
    // Same passenger, same answer; a woman in first class fares better.
    assert_eq!(s.post("/predict", DEMO.as_bytes()).1["data"], v["data"]);
    let mut lady = demo();
    lady["Name"] = json!("Smith, Mrs. Jane");
    lady["Sex"] = json!("female");
    lady["Pclass"] = json!(1);
    assert!(
        s.post_json("/predict", &lady).1["data"]["SurvivalChance"]
            .as_f64()
            .unwrap()
            > p
    );
}

#[test]
fn blank_and_missing_values_are_imputed_and_stay_sane() {
    let s = server();
    let chance = |body: &Value| {
        let (status, v) = s.post_json("/predict", body);
        assert_eq!(status, 200, "{v}");
        v["data"]["SurvivalChance"].as_f64().unwrap()
    };
    let base = chance(&demo());
    for (field, blank) in [
        ("Age", json!(null)),
        ("Fare", json!("")),
        ("Embarked", json!(" ")),
    ] {
        let mut b = demo();
        b[field] = blank.clone();
        let q = chance(&b);
        assert!(
            (q - base).abs() < 0.25,
            "{field}={blank}: {q} against {base}"
        );
        b.as_object_mut().unwrap().remove(field);
        assert_eq!(chance(&b), q, "{field} missing and blank differ");
    }
    // Blank Embarked is the training mode (S), exactly.
    let mut s_port = demo();
    s_port["Embarked"] = json!("S");
    let mut blank = demo();
    blank["Embarked"] = json!("");
    assert_eq!(chance(&s_port), chance(&blank));
    // Kaggle's other columns are welcome and written differently values are the same.
    let mut full = demo();
    full["Ticket"] = json!("330911");
    full["Cabin"] = Value::Null;
    full["Survived"] = Value::Null;
    full["Sex"] = json!(" Male ");
    full["Embarked"] = json!("q");
    assert_eq!(chance(&full), base);
}

/// (name, body, status, the fields the error must name)
fn bad_bodies() -> Vec<(&'static str, Vec<u8>, u16, Vec<&'static str>)> {
    let with = |k: &str, v: Value| {
        let mut b = demo();
        b[k] = v;
        b.to_string().into_bytes()
    };
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    vec![
        (
            "not JSON",
            b"Pclass=3&Sex=male".to_vec(),
            400,
            vec!["not valid JSON"],
        ),
        ("empty", Vec::new(), 400, vec!["empty"]),
        (
            "truncated",
            DEMO.as_bytes()[..40].to_vec(),
            400,
            vec!["not valid JSON"],
        ),
        (
            "NaN literal",
            DEMO.replace("34.5", "NaN").into_bytes(),
            400,
            vec!["not valid JSON"],
        ),
        ("not an object", b"[1,2,3]".to_vec(), 422, vec!["body"]),
        ("a string", b"\"hello\"".to_vec(), 422, vec!["body"]),
        (
            "deep nesting",
            deep.into_bytes(),
            400,
            vec!["recursion limit"],
        ),
        ("Pclass 7", with("Pclass", json!(7)), 422, vec!["Pclass"]),
        (
            "Pclass text",
            with("Pclass", json!("first")),
            422,
            vec!["Pclass"],
        ),
        (
            "Pclass fraction",
            with("Pclass", json!(2.5)),
            422,
            vec!["Pclass"],
        ),
        ("Sex robot", with("Sex", json!("robot")), 422, vec!["Sex"]),
        ("Sex number", with("Sex", json!(1)), 422, vec!["Sex"]),
        (
            "Embarked X",
            with("Embarked", json!("X")),
            422,
            vec!["Embarked"],
        ),
        ("Age negative", with("Age", json!(-1)), 422, vec!["Age"]),
        ("Age absurd", with("Age", json!(1e308)), 422, vec!["Age"]),
        (
            "Age object",
            with("Age", json!({"years": 3})),
            422,
            vec!["Age"],
        ),
        ("Fare negative", with("Fare", json!(-7)), 422, vec!["Fare"]),
        ("Fare absurd", with("Fare", json!(1e9)), 422, vec!["Fare"]),
        (
            "SibSp negative",
            with("SibSp", json!(-1)),
            422,
            vec!["SibSp"],
        ),
        (
            "Parch absurd",
            with("Parch", json!(5000)),
            422,
            vec!["Parch"],
        ),
        (
            "Name overlong",
            with("Name", json!("x".repeat(5000))),
            422,
            vec!["Name"],
        ),
        (
            "Name array",
            with("Name", json!(["Kelly"])),
            422,
            vec!["Name"],
        ),
        (
            "unknown field",
            with("Colour", json!("red")),
            422,
            vec!["Colour"],
        ),
        (
            "PassengerId negative",
            with("PassengerId", json!(-5)),
            422,
            vec!["PassengerId"],
        ),
        (
            "many at once",
            json!({"Pclass": 0, "Sex": "?", "Age": -1, "Fare": "x", "Embarked": 3})
                .to_string()
                .into_bytes(),
            422,
            vec!["Pclass", "Sex", "Age", "Fare", "Embarked"],
        ),
        (
            "missing Pclass and Sex",
            b"{}".to_vec(),
            422,
            vec!["Pclass", "Sex"],
        ),
    ]
}

#[test]
fn every_bad_input_is_a_4xx_envelope_naming_the_fields() {
    let s = server();
    for (what, body, status, fields) in bad_bodies() {
        let (got, v) = s.post("/predict", &body);
        assert_eq!(got, status, "{what}: {v}");
        assert_eq!(v["data"], Value::Null, "{what}");
        assert_eq!(v["metadata"]["model"], "mlops-titanic", "{what}");
        let error = v["error"].as_str().unwrap_or_else(|| panic!("{what}: {v}"));
        for f in fields {
            assert!(error.contains(f), "{what}: {f} not in {error}");
        }
    }
    // Too large for --body-limit: 413, also when the length is not announced (chunked).
    let big = format!("{{\"Name\":\"{}\"}}", "x".repeat(300_000));
    let (status, v) = s.post("/predict", big.as_bytes());
    assert_eq!(status, 413, "{v}");
    assert!(v["error"].as_str().unwrap().contains("262144"));
    let chunk = format!("POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n", big.len());
    assert_eq!(raw(s.port, chunk.as_bytes()).unwrap().0, 413);
    // Wrong method and route: JSON 405/404.
    let (status, v) = s.get("/predict");
    assert_eq!(status, 405);
    assert!(v["error"].as_str().unwrap().contains("POST"), "{v}");
    let (status, v) = s.post("/nope", b"{}");
    assert_eq!(status, 404);
    assert!(v["error"].as_str().unwrap().contains("/nope"));
    let (status, v) = s.get("/v2/nope");
    assert_eq!((status, v.as_object().unwrap().len()), (404, 1), "{v}");
}

#[test]
fn the_batch_route_scores_an_array_and_names_bad_items() {
    let s = server();
    let mut second = demo();
    second["Sex"] = json!("female");
    second["PassengerId"] = json!(893);
    let (status, v) = s.post_json("/predict/batch", &json!([demo(), second, demo()]));
    assert_eq!(status, 200, "{v}");
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[0], s.post("/predict", DEMO.as_bytes()).1["data"]);
    assert_eq!(data[1]["PassengerId"], 893);
    assert_eq!(data[0], data[2]);
    let (status, v) = s.post_json(
        "/predict/batch",
        &json!([demo(), {"Pclass": 9, "Sex": "male"}]),
    );
    assert_eq!(status, 422);
    assert!(v["error"].as_str().unwrap().contains("[1].Pclass"), "{v}");
    assert_eq!(s.post_json("/predict/batch", &json!([])).0, 422);
    assert_eq!(s.post_json("/predict/batch", &demo()).0, 400);
}

/// The test passengers as v2 columns, as MLServer's pandas codec sends a table.
fn v2_request(rows: &[BTreeMap<String, String>], nested: bool) -> Value {
    let columns = [
        ("PassengerId", "INT64"),
        ("Pclass", "INT64"),
        ("Name", "BYTES"),
        ("Sex", "BYTES"),
        ("Age", "FP64"),
        ("SibSp", "INT64"),
        ("Parch", "INT64"),
        ("Ticket", "BYTES"),
        ("Fare", "FP64"),
        ("Cabin", "BYTES"),
        ("Embarked", "BYTES"),
    ];
    let inputs: Vec<Value> = columns
        .iter()
        .map(|(name, datatype)| {
            let data: Vec<Value> = rows
                .iter()
                .map(|r| json_cell(&r[*name], datatype))
                .collect();
            let (shape, data) = if nested {
                (
                    json!([rows.len(), 1]),
                    json!(data.into_iter().map(|d| json!([d])).collect::<Vec<_>>()),
                )
            } else {
                (json!([rows.len()]), json!(data))
            };
            json!({"name": name, "datatype": datatype, "shape": shape, "data": data})
        })
        .collect();
    json!({"id": "parity", "parameters": {"content_type": "pd"}, "inputs": inputs})
}

fn json_cell(text: &str, datatype: &str) -> Value {
    match (text, datatype) {
        ("", _) => Value::Null,
        (t, "BYTES") => json!(t),
        (t, "INT64") => json!(t.parse::<i64>().unwrap()),
        (t, _) => json!(t.parse::<f64>().unwrap()),
    }
}

/// Kaggle's test.csv rows as column -> text.
fn test_rows() -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(repo_root().join("data/titanic/test.csv"))
        .unwrap();
    reader.deserialize().map(Result::unwrap).collect()
}

/// A passenger row as the demo's JSON body (blank cells left out).
fn demo_body(row: &BTreeMap<String, String>) -> Value {
    let mut obj = serde_json::Map::new();
    for (k, v) in row.iter().filter(|(_, v)| !v.is_empty()) {
        let datatype = match k.as_str() {
            "Age" | "Fare" => "FP64",
            "PassengerId" | "Pclass" | "SibSp" | "Parch" => "INT64",
            _ => "BYTES",
        };
        obj.insert(k.clone(), json_cell(v, datatype));
    }
    Value::Object(obj)
}

#[test]
fn v2_protocol_routes() {
    let s = server();
    assert_eq!(s.get("/v2/health/live"), (200, json!({"live": true})));
    assert_eq!(s.get("/v2/health/ready"), (200, json!({"ready": true})));
    let (status, meta) = s.get("/v2");
    assert_eq!((status, &meta["name"]), (200, &json!("titanic-serve")));
    assert_eq!(
        s.get("/v2/models/titanic/ready"),
        (200, json!({"name": "titanic", "ready": true}))
    );
    let (status, meta) = s.get("/v2/models/titanic");
    assert_eq!(status, 200);
    let inputs: Vec<(String, String)> = meta["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().into(),
                i["datatype"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(inputs.len(), 11);
    assert!(
        inputs.contains(&("Sex".into(), "BYTES".into()))
            && inputs.contains(&("Age".into(), "FP64".into()))
    );
    assert_eq!(meta["outputs"][0]["name"], "survival_probability");
    let version = meta["versions"][0].as_str().unwrap().to_string();
    assert_eq!(
        s.get(&format!("/v2/models/titanic/versions/{version}")).0,
        200
    );
    assert_eq!(s.get("/v2/models/titanic/versions/other").0, 404);
    let (status, v) = s.get("/v2/models/resnet");
    assert_eq!(status, 404);
    assert!(v["error"].as_str().unwrap().contains("resnet"));

    let rows = test_rows();
    let (status, v) = s.post_json("/v2/models/titanic/infer", &v2_request(&rows[..3], true));
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (v["id"].as_str(), v["model_name"].as_str()),
        (Some("parity"), Some("titanic"))
    );
    assert_eq!(v["outputs"][0]["shape"], json!([3]));
    assert_eq!(v["outputs"][1]["name"], "survived");
    let mut only = v2_request(&rows[..3], false);
    only["outputs"] = json!([{"name": "survived"}]);
    let (_, w) = s.post_json("/v2/models/titanic/infer", &only);
    assert_eq!(w["outputs"].as_array().unwrap().len(), 1);
    assert_eq!(w["outputs"][0], v["outputs"][1]);

    for (bad, needle) in [
        (json!({"inputs": "x"}), "not an inference request"),
        (
            json!({"inputs": [{"name": "Pclass", "datatype": "INT64", "shape": [1], "data": [3]}]}),
            "input Sex: missing",
        ),
        (
            json!({"inputs": [{"name": "Sex", "datatype": "FP64", "shape": [1], "data": ["male"]},
                           {"name": "Pclass", "datatype": "INT64", "shape": [1], "data": [8]}]}),
            "datatype",
        ),
        (
            json!({"inputs": [{"name": "Sex", "datatype": "BYTES", "shape": [1], "data": ["male"]},
                           {"name": "Pclass", "datatype": "INT64", "shape": [1], "data": [8]}]}),
            "row 0: Pclass",
        ),
    ] {
        let (status, v) = s.post_json("/v2/models/titanic/infer", &bad);
        assert_eq!(status, 400, "{v}");
        assert!(
            v["error"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
    }
    assert_eq!(s.post("/v2/models/titanic/infer", b"nope").0, 400);
}

#[test]
fn train_serve_parity_bit_for_bit_over_test_csv() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.csv");
    let status = std::process::Command::new(sibling("titanic"))
        .args(["predict", "--probability", "--model"])
        .arg(model())
        .arg("--input")
        .arg(repo_root().join("data/titanic/test.csv"))
        .arg("--output")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let expected: Vec<(u32, f64)> = reader
        .deserialize::<BTreeMap<String, String>>()
        .map(|r| {
            let r = r.unwrap();
            (
                r["PassengerId"].parse().unwrap(),
                r["SurvivalChance"].parse().unwrap(),
            )
        })
        .collect();
    let rows = test_rows();
    assert_eq!((rows.len(), expected.len()), (418, 418));
    let bits = |x: f64| x.to_bits();
    // One request per passenger.
    for (row, (id, p)) in rows.iter().zip(&expected) {
        let (status, v) = s.post_json("/predict", &demo_body(row));
        assert_eq!(status, 200, "{id}: {v}");
        assert_eq!(v["data"]["PassengerId"], json!(id));
        assert_eq!(
            bits(v["data"]["SurvivalChance"].as_f64().unwrap()),
            bits(*p),
            "passenger {id}"
        );
    }
    // All at once.
    let batch: Vec<Value> = rows.iter().map(demo_body).collect();
    let (status, v) = s.post_json("/predict/batch", &json!(batch));
    assert_eq!(status, 200);
    for (got, (id, p)) in v["data"].as_array().unwrap().iter().zip(&expected) {
        assert_eq!(
            bits(got["SurvivalChance"].as_f64().unwrap()),
            bits(*p),
            "batch, passenger {id}"
        );
    }
    // v2, flat and nested shapes.
    for nested in [false, true] {
        let (status, v) = s.post_json("/v2/models/titanic/infer", &v2_request(&rows, nested));
        assert_eq!(status, 200, "{v}");
        let probs = v["outputs"][0]["data"].as_array().unwrap();
        assert_eq!(probs.len(), 418);
        for (got, (id, p)) in probs.iter().zip(&expected) {
            assert_eq!(bits(got.as_f64().unwrap()), bits(*p), "v2, passenger {id}");
        }
    }
}

#[test]
fn metrics_and_schema() {
    let s = server();
    s.post("/predict", DEMO.as_bytes());
    s.post("/predict", b"{");
    let (status, text) = s.get_text("/metrics");
    assert_eq!(status, 200);
    let count = |needle: &str| {
        text.lines()
            .find(|l| l.starts_with(needle))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{needle} not in\n{text}"))
    };
    assert!(count("titanic_http_requests_total{route=\"/predict\",status=\"200\"}") >= 1.0);
    assert!(count("titanic_http_requests_total{route=\"/predict\",status=\"400\"}") >= 1.0);
    assert!(count("titanic_http_request_duration_seconds_count{route=\"/predict\"}") >= 2.0);
    assert!(count("titanic_predictions_total") >= 1.0);
    let (_, ready) = s.get("/ready");
    let version = ready["version"].as_str().unwrap();
    assert_eq!(
        count(&format!(
            "titanic_model_info{{model=\"titanic\",version=\"{version}\"}}"
        )),
        1.0
    );
    let (status, schema) = s.get("/schema");
    assert_eq!(status, 200);
    let request = &schema["/predict"]["request"];
    assert_eq!(request["required"], json!(["Pclass", "Sex"]));
    assert!(request["properties"]["Age"].is_object(), "{request}");
    assert!(schema["/predict"]["response"]["properties"]["metadata"].is_object());
    assert_eq!(schema["/predict/batch"]["request"]["type"], "array");
    // The served model says which request fields it reads and how it fills in missing ones:
    // everything from the demo's body, no Cabin; Ticket optional.
    let needed = schema["model"]["needed"].as_array().unwrap();
    assert!(needed.contains(&json!("Name")) && needed.contains(&json!("Fare")));
    assert!(!needed.contains(&json!("Cabin")) && !needed.contains(&json!("Ticket")));
    let imputed = schema["model"]["imputed"].to_string();
    assert!(
        imputed.contains("Age") && imputed.contains("Ticket: optional"),
        "{imputed}"
    );
}
