//! The Titanic steps called as plain functions: edge cases a user relies on.

use pipeline_dsl::prelude::*;
use titanic_components::components::*;
use titanic_components::passenger::Passenger;

fn repeats(n: u32) -> std::num::NonZeroU32 {
    std::num::NonZeroU32::new(n).expect("not zero")
}

fn fraction(share: f64) -> HoldoutFraction {
    HoldoutFraction::new(share).expect("in (0, 1)")
}

fn passenger(id: u32, survived: u8, sex: &str) -> Passenger {
    Passenger {
        passenger_id: id,
        survived: Some(survived),
        pclass: 1 + (id % 3) as u8,
        name: format!(
            "Doe, {} Someone",
            if sex == "male" { "Mr." } else { "Mrs." }
        ),
        sex: sex.into(),
        age: Some(20.0 + id as f64),
        sib_sp: id % 2,
        parch: 0,
        ticket: format!("T{}", id % 5),
        fare: Some(7.0 + id as f64),
        cabin: None,
        embarked: Some("S".into()),
    }
}

fn sample() -> Vec<Passenger> {
    (1..=40)
        .map(|i| passenger(i, (i % 2) as u8, if i % 2 == 0 { "male" } else { "female" }))
        .collect()
}

#[test]
fn ingest_bundled_gives_the_891_training_passengers() {
    let out = ingest(Source::Bundled).unwrap();
    assert_eq!(out.passengers.len(), 891);
    assert_eq!(
        out.passengers
            .iter()
            .filter(|p| p.survived == Some(1))
            .count(),
        342
    );
}

#[test]
fn ingest_rejects_an_empty_file_and_unlabelled_rows() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(
        &empty,
        "PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n",
    )
    .unwrap();
    let err = ingest(Source::File(empty))
        .err()
        .expect("an error")
        .to_string();
    assert!(err.contains("empty"), "{err}");

    let unlabelled = dir.path().join("test.csv");
    std::fs::write(
        &unlabelled,
        "PassengerId,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n892,3,\"Kelly, Mr. James\",male,34.5,0,0,330911,7.8292,,Q\n",
    )
    .unwrap();
    let err = ingest(Source::File(unlabelled))
        .err()
        .expect("an error")
        .to_string();
    assert!(err.contains("Survived"), "{err}");

    let missing = ingest(Source::File(dir.path().join("nope.csv")))
        .err()
        .expect("an error")
        .to_string();
    assert!(missing.contains("nope.csv"), "{missing}");
}

#[test]
fn sources_parse_from_parameter_text() {
    assert_eq!(Source::try_from("bundled".to_string()), Ok(Source::Bundled));
    assert!(matches!(
        Source::try_from("data/train.csv".to_string()),
        Ok(Source::File(_))
    ));
    assert!(Source::try_from(String::new()).is_err());
    for url in ["s3://bucket/train.csv", "https://example.org/train.csv"] {
        assert_eq!(
            Source::try_from(url.to_string()),
            Ok(Source::Remote(url.into()))
        );
        assert_eq!(String::from(Source::Remote(url.into())), url);
    }
    let bad = Source::try_from("s3://Bad_Bucket/train.csv".to_string()).unwrap_err();
    assert!(bad.contains("bucket name"), "{bad}");
}

#[test]
fn model_targets_parse_from_parameter_text() {
    assert_eq!(ModelTarget::try_from(String::new()), Ok(ModelTarget(None)));
    let target = ModelTarget::try_from("s3://models/titanic/model.json".to_string()).unwrap();
    assert_eq!(String::from(target), "s3://models/titanic/model.json");
    let bad = ModelTarget::try_from("/tmp/model.json".to_string()).unwrap_err();
    assert!(bad.contains("s3://"), "{bad}");
}

fn sample_with_gaps() -> Vec<Passenger> {
    let mut rows = sample();
    rows[0].age = None;
    rows[1].fare = None;
    rows[2].embarked = None;
    rows[3].embarked = Some("X".into());
    rows[4].name = "Nobody".into();
    rows
}

#[test]
fn featurize_handles_missing_values_and_unseen_categories() {
    let rows = sample_with_gaps();
    let out = featurize(Input::new(Dataset::new(rows)), 4, 1, repeats(2)).unwrap();
    let m = &out.features.0;
    assert_eq!((m.repeats.len(), out.featurizer.0.len()), (2, 4));
    assert_eq!((m.repeats[0].fold_seed, m.repeats[1].fold_seed), (1, 2));
    assert_ne!(
        m.repeats[0].folds[0].valid_idx,
        m.repeats[1].folds[0].valid_idx
    );
    for (f, fold) in m.repeats[0].folds.iter().enumerate() {
        assert_eq!(fold.rows.len(), 40);
        assert!(
            fold.rows.iter().flatten().all(|v| v.is_finite()),
            "no NaN from missing values"
        );
        assert_eq!(fold.rows[0].len(), m.names.len());
        // A validation row is transformed by the fold's featurizer as a new passenger would be;
        // its demo-fields twin is the same passenger without Ticket and Cabin.
        let i = fold.valid_idx[0];
        let p = &sample_with_gaps()[i];
        assert_eq!(fold.rows[i], out.featurizer.0[f].transform(p));
        let demo = Passenger {
            ticket: String::new(),
            cabin: None,
            ..p.clone()
        };
        assert_eq!(fold.demo_valid[0], out.featurizer.0[f].transform(&demo));
        assert_eq!(fold.demo_valid.len(), fold.valid_idx.len());
    }
    assert_ne!(out.featurizer.0[0], out.featurizer.0[1]);
    assert_eq!(m.labels.iter().filter(|&&l| l == 1).count(), 20);
}

#[test]
fn featurize_rejects_no_passengers() {
    // No repeats cannot be asked for: `repeats` is a `NonZeroU32` (`cv_repeats=0` is refused
    // before a run starts: tests/reliability.rs).
    assert!(featurize(Input::new(Dataset::new(Vec::new())), 5, 1, repeats(1)).is_err());
}

#[test]
fn train_fold_rejects_a_fold_out_of_range() {
    let features = featurize(Input::new(Dataset::new(sample())), 5, 1, repeats(1))
        .unwrap()
        .features;
    let err = train_fold(Input::new(features), 5, Default::default())
        .err()
        .expect("an error")
        .to_string();
    assert!(err.contains("out of range"), "{err}");
}

#[test]
fn split_holds_out_a_stratified_share_once_per_seed() {
    let rows = sample();
    let out = split(Input::new(Dataset::new(rows.clone())), fraction(0.25), 3).unwrap();
    let (dev, held) = (out.development.rows(), out.held_out.rows());
    assert_eq!((dev.len(), held.len()), (30, 10));
    assert_eq!(held.iter().filter(|p| p.survived == Some(1)).count(), 5);
    let mut ids: Vec<u32> = dev.iter().chain(held).map(|p| p.passenger_id).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (1..=40).collect::<Vec<_>>(),
        "a partition of the passengers"
    );
    let again = split(Input::new(Dataset::new(rows.clone())), fraction(0.25), 3).unwrap();
    assert_eq!(again.held_out.rows(), held);
    let other = split(Input::new(Dataset::new(rows.clone())), fraction(0.25), 4).unwrap();
    assert_ne!(other.held_out.rows(), held);
    // Outside (0, 1) is not a `HoldoutFraction`; inside, too few development rows is an error.
    for bad in [0.0, 1.0, f64::NAN] {
        assert!(HoldoutFraction::new(bad).is_err(), "{bad}");
    }
    let err = split(Input::new(Dataset::new(rows.clone())), fraction(0.99), 3)
        .err()
        .expect("an error")
        .to_string();
    assert!(err.contains("leaves 0 development"), "{err}");
}
