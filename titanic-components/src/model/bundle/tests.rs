use super::*;
use crate::passenger::bundled;

/// A quick 3-fold bundle trained on `rows`.
fn quick_bundle(rows: &[Passenger]) -> ModelBundle {
    let params = TrainParams::small(8, 30, 1);
    train_bundle(rows, 3, 1, &params, FeatureSet::Engineered).unwrap()
}

fn small_bundle() -> (Vec<Passenger>, ModelBundle) {
    let rows: Vec<Passenger> = bundled().unwrap().into_iter().take(150).collect();
    let b = quick_bundle(&rows);
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
    lady.embarked = Some(String::new());
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
    assert!(msg(ModelBundle::from_json("{\"format_version\":2}")).contains("missing field"));
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
    assert!(train_bundle(&[], 5, 0, &params, FeatureSet::Engineered).is_err());
    let mut rows: Vec<Passenger> = bundled().unwrap().into_iter().take(20).collect();
    rows[3].survived = None;
    let e = train_bundle(&rows, 5, 0, &params, FeatureSet::Engineered).unwrap_err();
    assert!(e.to_string().contains("row 3"), "{e}");
}

/// Survivors predicted among `rows` and the mean absolute change of probability against `base`.
fn survivors_and_shift(b: &ModelBundle, rows: &[Passenger], base: &[f64]) -> (usize, f64) {
    let probs: Vec<f64> = rows.iter().map(|p| b.predict_proba(p).unwrap()).collect();
    let shift = probs
        .iter()
        .zip(base)
        .map(|(p, q)| (p - q).abs())
        .sum::<f64>()
        / rows.len() as f64;
    (probs.iter().filter(|p| **p >= b.threshold).count(), shift)
}

#[test]
fn blank_and_unseen_categories_keep_predictions_sane() {
    let all = bundled().unwrap();
    // Trained without any passenger from Queenstown: Q is a real port the model never saw.
    let rows: Vec<Passenger> = all
        .iter()
        .filter(|p| p.embarked.as_deref() != Some("Q"))
        .take(300)
        .cloned()
        .collect();
    let b = quick_bundle(&rows);
    let probs: Vec<f64> = all.iter().map(|p| b.predict_proba(p).unwrap()).collect();
    let (survivors, _) = survivors_and_shift(&b, &all, &probs);
    let with = |f: &dyn Fn(&mut Passenger)| -> Vec<Passenger> {
        all.iter()
            .cloned()
            .map(|mut p| {
                f(&mut p);
                p
            })
            .collect()
    };
    // Blank Embarked is imputed as in training (the most common port, S), bit for bit.
    let blank = with(&|p| p.embarked = Some(" ".into()));
    let as_s = with(&|p| p.embarked = Some("S".into()));
    for (x, y) in blank.iter().zip(&as_s) {
        assert_eq!(b.predict_proba(x).unwrap(), b.predict_proba(y).unwrap());
        assert!(x.embarked.is_some() && crate::passenger::field_errors(x).is_empty());
    }
    // ... and moves the survivor count and the probabilities little (the reported bug turned
    // 417 of 418 test passengers into survivors).
    let (n, shift) = survivors_and_shift(&b, &blank, &probs);
    assert!(n.abs_diff(survivors) * 10 < all.len(), "{n} vs {survivors}");
    assert!(shift < 0.1, "mean shift {shift}");
    // Unseen Q is neutral: predictions stay close to the same passengers' with their port.
    let queens: Vec<Passenger> = all
        .iter()
        .filter(|p| p.embarked.as_deref() == Some("Q"))
        .cloned()
        .collect();
    assert!(queens.len() > 50);
    for port in ["S", "C"] {
        let moved: Vec<Passenger> = queens
            .iter()
            .cloned()
            .map(|p| Passenger {
                embarked: Some(port.into()),
                ..p
            })
            .collect();
        let base: Vec<f64> = moved.iter().map(|p| b.predict_proba(p).unwrap()).collect();
        let (_, shift) = survivors_and_shift(&b, &queens, &base);
        assert!(shift < 0.1, "Q against {port}: mean shift {shift}");
    }
    // Missing Age and Fare are imputed: the survivor count stays sane.
    let (n, shift) = survivors_and_shift(&b, &with(&|p| p.age = None), &probs);
    assert!(
        n.abs_diff(survivors) * 5 < all.len() && shift < 0.15,
        "{n} {shift}"
    );
    let (n, shift) = survivors_and_shift(&b, &with(&|p| p.fare = None), &probs);
    assert!(
        n.abs_diff(survivors) * 5 < all.len() && shift < 0.15,
        "{n} {shift}"
    );
}

#[test]
fn predict_applies_the_ingest_domain_check() {
    let (rows, b) = small_bundle();
    let mut test: Vec<Passenger> = rows[..5].to_vec();
    test[1].embarked = Some(String::new());
    test[2].age = None;
    assert_eq!(crate::predict::predict_all(&b, &test).unwrap().len(), 5);
    for (f, column) in [
        (
            (|p: &mut Passenger| p.sex = "robot".into()) as fn(&mut Passenger),
            "Sex",
        ),
        (|p| p.pclass = 7, "Pclass"),
        (|p| p.embarked = Some("X".into()), "Embarked"),
        (|p| p.age = Some(1e308), "Age"),
    ] {
        let mut bad = test.clone();
        f(&mut bad[3]);
        let e = crate::predict::predict_all(&b, &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 3") && e.contains(column), "{column}: {e}");
    }
}
