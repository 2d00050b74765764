//! A passenger from JSON values, one column at a time, naming every bad field: used by the
//! demo routes (an object per passenger) and the v2 routes (a tensor per column).

use serde_json::Value;
use titanic_model::passenger::{field_errors, Passenger};

/// The columns a passenger may carry (Kaggle's `train.csv`/`test.csv` header).
pub const COLUMNS: [&str; 12] = [
    "PassengerId",
    "Survived",
    "Pclass",
    "Name",
    "Sex",
    "Age",
    "SibSp",
    "Parch",
    "Ticket",
    "Fare",
    "Cabin",
    "Embarked",
];

/// Text columns (BYTES in the v2 protocol); the others are numbers.
pub const TEXT_COLUMNS: [&str; 5] = ["Name", "Sex", "Ticket", "Cabin", "Embarked"];

/// One bad field: its name and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// Column name (prefixed by the row in batches).
    pub field: String,
    /// What is wrong with the value.
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Joins field errors into one message, `A: ...; B: ...`.
pub fn describe(errors: &[FieldError]) -> String {
    let shown: Vec<String> = errors.iter().take(50).map(ToString::to_string).collect();
    let more = errors.len().saturating_sub(shown.len());
    let mut text = shown.join("; ");
    if more > 0 {
        text.push_str(&format!("; and {more} more"));
    }
    text
}

/// Collects the errors of one passenger while reading its columns.
struct Reader<'a, F: Fn(&str) -> Option<&'a Value>> {
    get: F,
    errors: Vec<FieldError>,
}

impl<'a, F: Fn(&str) -> Option<&'a Value>> Reader<'a, F> {
    fn fail(&mut self, field: &str, message: String) {
        self.errors.push(FieldError {
            field: field.into(),
            message,
        });
    }

    /// The value of `col`; `None` when missing, null or a blank string (blank means missing).
    fn present(&self, col: &str) -> Option<&'a Value> {
        (self.get)(col).filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        })
    }

    fn number(&mut self, col: &str) -> Option<f64> {
        let v = self.present(col)?;
        match v.as_f64() {
            Some(x) => Some(x),
            None => {
                self.fail(col, format!("{} is not a number", short(v)));
                None
            }
        }
    }

    fn whole(&mut self, col: &str, max: u64) -> Option<u64> {
        let v = self.present(col)?;
        let n = v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|x| x.fract() == 0.0 && *x >= 0.0)
                .map(|x| x as u64)
        });
        match n {
            Some(n) if n <= max => Some(n),
            Some(n) => {
                self.fail(col, format!("{n} is too large"));
                None
            }
            None => {
                self.fail(col, format!("{} is not a whole number >= 0", short(v)));
                None
            }
        }
    }

    fn text(&mut self, col: &str) -> Option<String> {
        let v = self.present(col)?;
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.fail(col, format!("{} is not a string", short(v)));
                None
            }
        }
    }
}

/// A short rendering of a bad value for error messages.
fn short(v: &Value) -> String {
    let text = match v {
        Value::Object(_) => return "an object".into(),
        Value::Array(_) => return "an array".into(),
        v => v.to_string(),
    };
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// Builds a passenger from its column values (`get(column)`), checking types and then the
/// domain ([`field_errors`]): missing, null or blank values are missing (imputed as in
/// training; `SibSp`/`Parch` default to 0, `PassengerId` to 0); every bad field is reported.
pub fn passenger<'a>(
    get: impl Fn(&str) -> Option<&'a Value>,
) -> Result<Passenger, Vec<FieldError>> {
    let mut r = Reader {
        get,
        errors: Vec::new(),
    };
    let pclass = r.whole("Pclass", u64::from(u8::MAX));
    if pclass.is_none() && r.present("Pclass").is_none() {
        r.fail("Pclass", "is missing (1, 2 or 3)".into());
    }
    let p = Passenger {
        passenger_id: r.whole("PassengerId", u64::from(u32::MAX)).unwrap_or(0) as u32,
        survived: r.whole("Survived", u64::from(u8::MAX)).map(|s| s as u8),
        pclass: pclass.unwrap_or(1) as u8,
        name: r.text("Name").unwrap_or_default(),
        sex: r.text("Sex").unwrap_or_default(),
        age: r.number("Age"),
        sib_sp: r.whole("SibSp", u64::from(u32::MAX)).unwrap_or(0) as u32,
        parch: r.whole("Parch", u64::from(u32::MAX)).unwrap_or(0) as u32,
        ticket: r.text("Ticket").unwrap_or_default(),
        fare: r.number("Fare"),
        cabin: r.text("Cabin"),
        embarked: r.text("Embarked"),
    };
    let mut errors = r.errors;
    for (col, message) in field_errors(&p) {
        if !errors.iter().any(|e| e.field == col) {
            errors.push(FieldError {
                field: col.into(),
                message,
            });
        }
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        errors.sort_by_key(|e| COLUMNS.iter().position(|c| *c == e.field));
        Err(errors)
    }
}

/// A passenger from a JSON object (the demo's body); unknown fields are errors too.
pub fn passenger_from_object(v: &Value) -> Result<Passenger, Vec<FieldError>> {
    let Some(obj) = v.as_object() else {
        return Err(vec![FieldError {
            field: "body".into(),
            message: format!("{} is not a JSON object of passenger fields", short(v)),
        }]);
    };
    let unknown: Vec<FieldError> = obj
        .keys()
        .filter(|k| !COLUMNS.contains(&k.as_str()))
        .map(|k| FieldError {
            field: short(&Value::String(k.clone())).trim_matches('"').to_string(),
            message: "unknown field (expected Kaggle's columns: PassengerId, Pclass, Name, Sex, Age, SibSp, Parch, Ticket, Fare, Cabin, Embarked)".into(),
        })
        .collect();
    match passenger(|col| obj.get(col)) {
        Ok(p) if unknown.is_empty() => Ok(p),
        Ok(_) => Err(unknown),
        Err(mut errors) => {
            errors.extend(unknown);
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn demo() -> Value {
        json!({"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,"SibSp":0,
               "Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"})
    }

    fn fields(v: Value) -> Vec<String> {
        passenger_from_object(&v)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn the_demo_body_reads() {
        let p = passenger_from_object(&demo()).unwrap();
        assert_eq!((p.passenger_id, p.pclass, p.age), (892, 3, Some(34.5)));
        assert_eq!(p.embarked.as_deref(), Some("Q"));
    }

    #[test]
    fn missing_null_and_blank_are_missing() {
        let mut v = demo();
        v["Age"] = Value::Null;
        v["Fare"] = json!("  ");
        v.as_object_mut().unwrap().remove("Embarked");
        let p = passenger_from_object(&v).unwrap();
        assert_eq!((p.age, p.fare, p.embarked), (None, None, None));
    }

    #[test]
    fn every_bad_field_is_named() {
        let v = json!({"Pclass": 7, "Sex": "robot", "Age": -3, "Fare": "cheap", "SibSp": 1.5,
                       "Parch": 1e300, "Embarked": "X", "Name": ["a"], "Colour": "red"});
        assert_eq!(
            fields(v),
            ["Pclass", "Name", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked", "Colour"]
        );
        assert_eq!(fields(json!({"Sex": "male"})), ["Pclass"]);
        assert_eq!(fields(json!([1, 2])), ["body"]);
        assert_eq!(
            fields(json!({"Pclass": 1, "Sex": "female", "Age": 1e308})),
            ["Age"]
        );
        let e = passenger_from_object(&json!({"Pclass": "3", "Sex": "male"})).unwrap_err();
        assert_eq!(describe(&e), "Pclass: \"3\" is not a whole number >= 0");
    }
}
