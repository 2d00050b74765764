//! One Kaggle Titanic passenger row and its domain check.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One row of the Kaggle Titanic `train.csv` / `test.csv`, with the Kaggle column names.
///
/// `Survived` is `None` for rows of `test.csv` (and for passengers sent to the inference server).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
pub struct Passenger {
    /// Kaggle's row id (unique within a data set).
    #[serde(rename = "PassengerId")]
    pub passenger_id: u32,
    /// 1 if the passenger survived, 0 if not; absent in `test.csv`.
    #[serde(rename = "Survived", default)]
    pub survived: Option<u8>,
    /// Ticket class: 1, 2 or 3.
    #[serde(rename = "Pclass")]
    pub pclass: u8,
    /// Full name, `"Surname, Title. Given names"`.
    #[serde(rename = "Name", default)]
    pub name: String,
    /// `"male"` or `"female"`.
    #[serde(rename = "Sex")]
    pub sex: String,
    /// Age in years (fractional below 1); missing for about a fifth of the passengers.
    #[serde(rename = "Age", default)]
    pub age: Option<f64>,
    /// Number of siblings and spouses aboard.
    #[serde(rename = "SibSp", default)]
    pub sib_sp: u32,
    /// Number of parents and children aboard.
    #[serde(rename = "Parch", default)]
    pub parch: u32,
    /// Ticket number as printed (may contain letters).
    #[serde(rename = "Ticket", default)]
    pub ticket: String,
    /// Passenger fare; missing once in `test.csv`.
    #[serde(rename = "Fare", default)]
    pub fare: Option<f64>,
    /// Cabin number(s), e.g. `"C85"` or `"B57 B59"`; mostly missing.
    #[serde(rename = "Cabin", default)]
    pub cabin: Option<String>,
    /// Port of embarkation: `C`, `Q` or `S`; missing twice in `train.csv`.
    #[serde(rename = "Embarked", default)]
    pub embarked: Option<String>,
}

/// A bad value in a set of passengers, naming the row (0-based position) and column.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PassengerError {
    /// There are no rows at all.
    #[error("no passengers: the input is empty")]
    Empty,
    /// A value outside its allowed domain.
    #[error("row {row} (PassengerId {passenger_id}), column {column}: {message}")]
    InvalidValue {
        /// 0-based row position in the input.
        row: usize,
        /// The row's `PassengerId`.
        passenger_id: u32,
        /// Kaggle column name.
        column: &'static str,
        /// What is wrong with the value.
        message: String,
    },
    /// Two rows share a `PassengerId`.
    #[error("row {row}, column PassengerId: duplicate id {passenger_id} (first seen at row {first_row})")]
    DuplicateId {
        /// 0-based position of the second occurrence.
        row: usize,
        /// 0-based position of the first occurrence.
        first_row: usize,
        /// The duplicated id.
        passenger_id: u32,
    },
}

/// Checks every row's values with [`field_errors`]; the first problem found is returned, naming
/// its row and column. Also rejects empty input and duplicate `PassengerId`s.
pub fn validate(rows: &[Passenger]) -> Result<(), PassengerError> {
    if rows.is_empty() {
        return Err(PassengerError::Empty);
    }
    let mut seen = HashMap::new();
    for (row, p) in rows.iter().enumerate() {
        validate_one(p).map_err(|(column, message)| PassengerError::InvalidValue {
            row,
            passenger_id: p.passenger_id,
            column,
            message,
        })?;
        if let Some(&first_row) = seen.get(&p.passenger_id) {
            return Err(PassengerError::DuplicateId {
                row,
                first_row,
                passenger_id: p.passenger_id,
            });
        }
        seen.insert(p.passenger_id, row);
    }
    Ok(())
}

/// Largest plausible `Age` in years.
pub const MAX_AGE: f64 = 120.0;
/// Largest plausible `Fare` (the dearest 1912 ticket was 512.33).
pub const MAX_FARE: f64 = 10_000.0;
/// Largest plausible `SibSp` or `Parch` (the data's largest are 8 and 9).
pub const MAX_RELATIVES: u32 = 20;
/// Longest accepted text field (`Name`, `Ticket`, `Cabin`), in characters.
pub const MAX_TEXT: usize = 256;
/// The ports of embarkation: Cherbourg, Queenstown, Southampton.
pub const PORTS: [&str; 3] = ["C", "Q", "S"];

/// The one domain check of a passenger, shared by `ingest`, `titanic predict` and the inference
/// server. Returns every bad column with a message (empty if valid), so an API can name each
/// bad field at once.
///
/// - Missing or blank `Age`, `Fare`, `Embarked` and `Cabin` are fine: the featurizer imputes
///   them exactly as in training.
/// - Refused: `Pclass` outside 1..=3; `Sex` other than male/female (case and surrounding blanks
///   ignored); `Embarked` other than C, Q or S; `Age` or `Fare` negative, not finite or above
///   [`MAX_AGE`] / [`MAX_FARE`]; `SibSp`/`Parch` above [`MAX_RELATIVES`]; text longer than
///   [`MAX_TEXT`]; `Survived` other than 0/1.
pub fn field_errors(p: &Passenger) -> Vec<(&'static str, String)> {
    let mut errs = Vec::new();
    if !(1..=3).contains(&p.pclass) {
        errs.push(("Pclass", format!("{} is not 1, 2 or 3", p.pclass)));
    }
    if sex_of(&p.sex).is_none() {
        let what = if p.sex.trim().is_empty() {
            "is missing".to_string()
        } else {
            format!("{:?} is not", p.sex)
        };
        errs.push(("Sex", format!("{what} \"male\" or \"female\"")));
    }
    for (col, v, max) in [("Age", p.age, MAX_AGE), ("Fare", p.fare, MAX_FARE)] {
        match v {
            Some(v) if !v.is_finite() => errs.push((col, format!("{v} is not a finite number"))),
            Some(v) if v < 0.0 => errs.push((col, format!("{v} is negative"))),
            Some(v) if v > max => errs.push((col, format!("{v} is above {max}"))),
            _ => {}
        }
    }
    for (col, v) in [("SibSp", p.sib_sp), ("Parch", p.parch)] {
        if v > MAX_RELATIVES {
            errs.push((col, format!("{v} is above {MAX_RELATIVES}")));
        }
    }
    if let Some(e) = p.embarked.as_deref().filter(|e| port_of(e).is_none()) {
        errs.push(("Embarked", format!("{e:?} is not C, Q or S")));
    }
    let texts = [
        ("Name", Some(p.name.as_str())),
        ("Ticket", Some(p.ticket.as_str())),
        ("Cabin", p.cabin.as_deref()),
    ];
    for (col, text) in texts {
        let len = text.map_or(0, |t| t.chars().count());
        if len > MAX_TEXT {
            errs.push((col, format!("{len} characters, at most {MAX_TEXT} allowed")));
        }
    }
    if let Some(s) = p.survived.filter(|s| *s > 1) {
        errs.push(("Survived", format!("{s} is not 0 or 1")));
    }
    errs
}

/// `"male"` or `"female"` for a `Sex` value (case and surrounding blanks ignored), else `None`.
pub fn sex_of(text: &str) -> Option<&'static str> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("male") => Some("male"),
        t if t.eq_ignore_ascii_case("female") => Some("female"),
        _ => None,
    }
}

/// The port (`"C"`, `"Q"` or `"S"`) of an `Embarked` value, case and blanks ignored; `Some("")`
/// for a blank value (missing, imputed like a missing one); `None` for anything else.
pub fn port_of(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Some("");
    }
    PORTS.into_iter().find(|p| t.eq_ignore_ascii_case(p))
}

fn validate_one(p: &Passenger) -> Result<(), (&'static str, String)> {
    field_errors(p).into_iter().next().map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Passenger {
        Passenger {
            passenger_id: 892,
            survived: None,
            pclass: 3,
            name: "Kelly, Mr. James".into(),
            sex: "male".into(),
            age: Some(34.5),
            sib_sp: 0,
            parch: 0,
            ticket: "330911".into(),
            fare: Some(7.8292),
            cabin: None,
            embarked: Some("Q".into()),
        }
    }

    #[test]
    fn demo_body_deserializes_without_optional_columns() {
        let body = r#"{"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,
            "SibSp":0,"Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"}"#;
        let p: Passenger = serde_json::from_str(body).unwrap();
        assert_eq!(
            p,
            Passenger {
                ticket: String::new(),
                ..sample()
            }
        );
        let back: Passenger = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn validate_names_row_and_column() {
        assert_eq!(validate(&[]), Err(PassengerError::Empty));
        let bad = |f: fn(&mut Passenger), col: &str| {
            let mut p = sample();
            f(&mut p);
            match validate(&[sample_with_id(1), p]) {
                Err(PassengerError::InvalidValue { row, column, .. }) => {
                    assert_eq!((row, column), (1, col))
                }
                other => panic!("expected error in {col}, got {other:?}"),
            }
        };
        bad(|p| p.pclass = 4, "Pclass");
        bad(|p| p.pclass = 0, "Pclass");
        bad(|p| p.sex = "M".into(), "Sex");
        bad(|p| p.age = Some(-1.0), "Age");
        bad(|p| p.fare = Some(f64::NAN), "Fare");
        bad(|p| p.survived = Some(2), "Survived");
        bad(|p| p.age = Some(1e308), "Age");
        bad(|p| p.fare = Some(f64::INFINITY), "Fare");
        bad(|p| p.sib_sp = 21, "SibSp");
        bad(|p| p.parch = 1000, "Parch");
        bad(|p| p.embarked = Some("X".into()), "Embarked");
        bad(|p| p.sex = " ".into(), "Sex");
        bad(|p| p.name = "x".repeat(MAX_TEXT + 1), "Name");
        bad(|p| p.cabin = Some("C".repeat(MAX_TEXT + 1)), "Cabin");
        let dup = validate(&[sample(), sample()]).unwrap_err();
        assert!(matches!(
            dup,
            PassengerError::DuplicateId {
                row: 1,
                first_row: 0,
                ..
            }
        ));
        assert!(dup.to_string().contains("row 1"));
        let mut p = sample();
        p.pclass = 9;
        p.sex = String::new();
        p.embarked = Some("Southampton".into());
        let cols: Vec<&str> = field_errors(&p).iter().map(|(c, _)| *c).collect();
        assert_eq!(cols, ["Pclass", "Sex", "Embarked"]);
    }

    #[test]
    fn blank_and_differently_written_values_are_in_the_domain() {
        let mut p = sample();
        p.sex = " Female ".into();
        p.embarked = Some("".into());
        p.age = None;
        p.fare = None;
        assert_eq!(field_errors(&p), vec![]);
        p.embarked = Some(" q".into());
        assert_eq!(field_errors(&p), vec![]);
        assert_eq!(
            (port_of(" q"), port_of(""), port_of("X")),
            (Some("Q"), Some(""), None)
        );
        assert_eq!((sex_of("MALE"), sex_of("robot")), (Some("male"), None));
    }

    fn sample_with_id(id: u32) -> Passenger {
        Passenger {
            passenger_id: id,
            ..sample()
        }
    }
}
