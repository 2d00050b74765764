use super::*;

fn p(id: u32, sex: &str, age: Option<f64>, ticket: &str, emb: Option<&str>) -> Passenger {
    Passenger {
        passenger_id: id,
        survived: Some(0),
        pclass: 3,
        name: format!("Doe, {}. X", if sex == "male" { "Mr" } else { "Miss" }),
        sex: sex.into(),
        age,
        sib_sp: 0,
        parch: 0,
        ticket: ticket.into(),
        fare: Some(8.0 * f64::from(id)),
        cabin: None,
        embarked: emb.map(Into::into),
    }
}

fn train() -> Vec<Passenger> {
    vec![
        p(1, "male", Some(30.0), "A1", Some("S")),
        p(2, "female", Some(20.0), "A1", Some("C")),
        p(3, "male", None, "B2", None),
        p(4, "female", Some(10.0), "C3", Some("S")),
    ]
}

fn value(f: &Featurizer, x: &[f32], name: &str) -> f64 {
    let j = f.feature_names().iter().position(|n| n == name).unwrap();
    f64::from(x[j]) * f.std[j] + f.mean[j]
}

#[test]
fn fit_learns_from_train_and_standardizes() {
    let rows = train();
    let (f, xs) = Featurizer::fit_transform_with(&rows, FeatureSet::Engineered).unwrap();
    assert_eq!(f.embarked_levels, ["C", "S"]);
    assert_eq!(f.embarked_mode, "S");
    for j in 0..f.feature_names().len() {
        let m: f32 = xs.iter().map(|x| x[j]).sum::<f32>() / 4.0;
        assert!(m.abs() < 1e-5, "{} not centred", f.feature_names()[j]);
    }
    // Age of row 3 (Mr, missing) is imputed with the Mr median (30), not the mean (20).
    assert!((value(&f, &xs[2], "Age") - 30.0).abs() < 1e-4);
    // Fare 8 shared by a family of one.
    assert!((value(&f, &xs[0], "FarePerPerson") - 8.0).abs() < 1e-4);
    // Rows 2 and 4 (the two women) are in no group with another woman or child: the prior
    // (both died: 0), computed without their own label.
    assert_eq!(value(&f, &xs[1], "GroupKnown").round(), 0.0);
    // Row 3's missing port is imputed with the most common one.
    assert_eq!(value(&f, &xs[2], "Embarked_S").round(), 1.0);
    assert_eq!(
        f.transform(&rows[2]),
        f.transform(&p(3, "male", None, "B2", Some(" s ")))
    );
    assert_eq!(Featurizer::fit(&rows).unwrap(), f);
    // A training row sent again is a new passenger: it sees its own (past) outcome.
    assert_eq!(value(&f, &f.transform(&rows[1]), "GroupKnown").round(), 1.0);
    let base = Featurizer::fit_with(&rows, FeatureSet::Baseline).unwrap();
    let x = base.transform(&rows[2]);
    assert_eq!(x.len(), base.feature_names().len());
    assert!((value(&base, &x, "Age") - 20.0).abs() < 1e-4);
}

#[test]
fn unseen_and_missing_values_are_safe() {
    let f = Featurizer::fit(&train()).unwrap();
    let mut odd = p(99, "robot", None, "ZZZ", Some("X"));
    odd.name = String::new();
    odd.fare = Some(f64::NAN);
    odd.pclass = 7;
    odd.sib_sp = u32::MAX;
    odd.cabin = Some("?".into());
    let x = f.transform(&odd);
    assert_eq!(x.len(), f.feature_names().len());
    assert!(x.iter().all(|v| v.is_finite()));
    // Unknown port and sex: neutral (standardized 0) in every one of their columns.
    for (j, name) in f.feature_names().iter().enumerate() {
        if name.starts_with("Embarked_") || name.starts_with("Sex_") {
            assert_eq!(x[j], 0.0, "{name}");
        }
    }
    // A real port that training never saw (Q) is neutral too, never a rare level.
    let q = f.transform(&p(5, "male", Some(30.0), "A1", Some("Q")));
    let c = f.transform(&p(5, "male", Some(30.0), "A1", Some("C")));
    let s = f.transform(&p(5, "male", Some(30.0), "A1", Some("S")));
    for (j, name) in f.feature_names().iter().enumerate() {
        if name.starts_with("Embarked_") {
            assert_eq!(q[j], 0.0);
            let (lo, hi) = (c[j].min(s[j]), c[j].max(s[j]));
            assert!(
                lo < 0.0 && hi > 0.0,
                "{name}: neutral lies between the levels"
            );
        } else {
            assert_eq!(q[j], c[j], "{name}");
        }
    }
    assert_eq!(value(&f, &x, "Title_Rare").round(), 1.0);
    assert_eq!(value(&f, &x, "GroupKnown").round(), 0.0);
    assert_eq!(Featurizer::fit(&[]), Err(FeatureError::Empty));
}

#[test]
fn serde_round_trip_keeps_transform() {
    let rows = train();
    let f = Featurizer::fit(&rows).unwrap();
    let g: Featurizer = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
    assert_eq!(f.transform(&rows[1]), g.transform(&rows[1]));
}

#[test]
fn group_signal_is_leave_one_out_for_training_rows_only() {
    let mut rows = train();
    // Two women of one family (same surname, class, fare, port) and ticket: one lived.
    for (id, lived) in [(2, 1), (4, 0)] {
        let r = &mut rows[id as usize - 1];
        r.name = "Sage, Mrs. X".into();
        r.ticket = "CA 2343".into();
        r.fare = Some(69.55);
        r.embarked = Some("S".into());
        r.survived = Some(lived);
    }
    let (f, xs) = Featurizer::fit_transform_with(&rows, FeatureSet::Engineered).unwrap();
    // Each sees only the other: the survivor sees a death, and the other way round.
    assert!(value(&f, &xs[1], "GroupSurvival") < value(&f, &xs[3], "GroupSurvival"));
    assert_eq!(value(&f, &xs[1], "GroupKnown").round(), 1.0);
    // A new member of the family, sent without ticket (the demo's body), sees both.
    let mut new = rows[1].clone();
    new.survived = None;
    new.ticket.clear();
    let x = f.transform(&new);
    assert_eq!(value(&f, &x, "GroupKnown").round(), 2.0);
    assert!((value(&f, &x, "GroupSurvival") - (1.0 + 0.5) / 3.0).abs() < 1e-4);
}
