use super::*;
use crate::passenger::bundled;

fn small_bundle() -> (Vec<Passenger>, ModelBundle) {
    let rows: Vec<Passenger> = bundled().unwrap().into_iter().take(150).collect();
    let params = TrainParams {
        hidden: vec![8],
        max_epochs: 30,
        n_seeds: 1,
        ..Default::default()
    };
    let b = ModelBundle::train(&rows, 3, 1, &params, FeatureSet::Engineered).unwrap();
    (rows, b)
}

#[test]
fn round_trip_is_exact_and_reproducible() {
    let (rows, b) = small_bundle();
    assert_eq!(b.check(), Ok(()));
    let json = b.to_json().unwrap();
    let back = ModelBundle::from_json(&json).unwrap();
    assert!(back == b, "JSON round trip changed the bundle");
    for p in &rows[..20] {
        let q = back.predict_proba(p).unwrap();
        assert!((0.0..=1.0).contains(&q));
        assert_eq!(q, b.predict_proba(p).unwrap());
    }
    // Same inputs, same bytes (no timestamps, deterministic training).
    assert!(
        small_bundle().1.to_json().unwrap() == json,
        "retraining changed the bytes"
    );
    assert_eq!(b.provenance.training_digest, rows_digest(&rows));
    assert_eq!(b.provenance.training_digest.len(), 64);
    assert!(b.metrics.roc_auc > 0.6, "auc {}", b.metrics.roc_auc);
}

#[test]
fn serving_a_demo_passenger_with_missing_fields() {
    let (_, b) = small_bundle();
    let body = r#"{"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,
        "SibSp":0,"Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"}"#;
    let p: Passenger = serde_json::from_str(body).unwrap();
    let q = b.predict_proba(&p).unwrap();
    assert!(q < 0.5, "a third-class man: {q}");
    let mut lady = p.clone();
    lady.name = "Smith, Mrs. Jane".into();
    lady.sex = "female".into();
    lady.pclass = 1;
    lady.fare = None;
    lady.age = None;
    lady.embarked = Some("Z".into());
    assert!(b.predict_proba(&lady).unwrap() > q);
}

#[test]
fn corrupt_or_incompatible_files_are_clear_errors() {
    let (_, b) = small_bundle();
    let json = b.to_json().unwrap();
    let msg = |r: Result<ModelBundle, ModelError>| r.unwrap_err().to_string();
    assert!(
        msg(ModelBundle::from_json(&json[..json.len() / 2])).contains("not a valid model bundle")
    );
    assert!(msg(ModelBundle::from_json("")).contains("not a valid model bundle"));
    assert!(msg(ModelBundle::from_json("{\"format_version\":1}")).contains("missing field"));
    let mut v = b.clone();
    v.format_version = 99;
    assert!(msg(ModelBundle::from_json(&v.to_json().unwrap())).contains("format_version 99"));
    let mut v = b.clone();
    v.ensemble.folds[0].members[0].layers[0].bias.pop();
    assert!(ModelBundle::from_json(&v.to_json().unwrap()).is_err());
    let mut v = b.clone();
    v.feature_names.pop();
    assert!(ModelBundle::from_json(&v.to_json().unwrap()).is_err());
}

#[test]
fn training_rejects_bad_rows() {
    let params = TrainParams::default();
    assert!(ModelBundle::train(&[], 5, 0, &params, FeatureSet::Engineered).is_err());
    let mut rows: Vec<Passenger> = bundled().unwrap().into_iter().take(20).collect();
    rows[3].survived = None;
    let e = ModelBundle::train(&rows, 5, 0, &params, FeatureSet::Engineered).unwrap_err();
    assert!(e.to_string().contains("row 3"), "{e}");
}
