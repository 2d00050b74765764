//! The title in a passenger's name, an engineered feature.

use crate::passenger::Passenger;

/// The title groups used as features, in feature order.
pub const TITLES: [&str; 5] = ["Mr", "Mrs", "Miss", "Master", "Rare"];

/// The title group of a passenger: Mr, Mrs, Miss, Master or Rare.
///
/// The title is the word between the first `,` and the following `.` of `"Surname, Title.
/// Given"`; Mlle/Ms map to Miss, Mme to Mrs, any other title (Dr, Rev, Col, Countess, ...) to
/// Rare. A name without a recognisable title falls back on Sex and Age: a boy under 15 is Master,
/// another male Mr, a girl under 18 Miss, another female Mrs; unknown sex gives Rare.
pub fn title(p: &Passenger) -> &'static str {
    let parsed = p
        .name
        .split_once(',')
        .and_then(|(_, rest)| rest.split_once('.'))
        .map(|(t, _)| t.trim().to_ascii_lowercase());
    match parsed.as_deref() {
        Some("mr") => "Mr",
        Some("mrs" | "mme") => "Mrs",
        Some("miss" | "mlle" | "ms") => "Miss",
        Some("master") => "Master",
        Some(t) if (!t.is_empty() && !t.contains(' ')) || t.starts_with("the ") => "Rare",
        _ => {
            let young = |limit: f64| p.age.is_some_and(|a| a < limit);
            match p.sex.trim().to_ascii_lowercase().as_str() {
                "male" if young(15.0) => "Master",
                "male" => "Mr",
                "female" if young(18.0) => "Miss",
                "female" => "Mrs",
                _ => "Rare",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, sex: &str, age: Option<f64>) -> Passenger {
        Passenger {
            passenger_id: 1,
            survived: None,
            pclass: 3,
            name: name.into(),
            sex: sex.into(),
            age,
            sib_sp: 0,
            parch: 0,
            ticket: String::new(),
            fare: None,
            cabin: None,
            embarked: None,
        }
    }

    #[test]
    fn titles_and_fallbacks() {
        let t = |n: &str| title(&named(n, "male", None));
        assert_eq!(t("Braund, Mr. Owen Harris"), "Mr");
        assert_eq!(
            t("Cumings, Mrs. John Bradley (Florence Briggs Thayer)"),
            "Mrs"
        );
        assert_eq!(t("Aubart, Mme. Leontine Pauline"), "Mrs");
        assert_eq!(t("Heikkinen, Miss. Laina"), "Miss");
        assert_eq!(t("Reynaldo, Ms. Encarnacion"), "Miss");
        assert_eq!(t("Palsson, Master. Gosta Leonard"), "Master");
        assert_eq!(t("Byles, Rev. Thomas Roussel Davids"), "Rare");
        assert_eq!(
            t("Rothes, the Countess. of (Lucy Noel Martha Dyer-Edwards)"),
            "Rare"
        );
        assert_eq!(t("Smith, Prof. John"), "Rare");
        assert_eq!(t(""), "Mr");
        assert_eq!(t("No title here"), "Mr");
        assert_eq!(title(&named("", "male", Some(4.0))), "Master");
        assert_eq!(title(&named("X, Y", "female", Some(4.0))), "Miss");
        assert_eq!(title(&named("", "female", None)), "Mrs");
        assert_eq!(title(&named("", "", None)), "Rare");
    }
}
