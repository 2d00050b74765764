//! The passenger row and its domain check (from [`titanic_model::passenger`]), and the bundled
//! training data (`data/titanic/train.csv`).

use pipeline_dsl::prelude::{ArtifactError, Dataset};
use std::path::Path;
pub use titanic_model::passenger::*;

/// Kaggle's `train.csv` (891 passengers with outcomes), embedded from `data/titanic/`.
pub const TRAIN_CSV: &[u8] = include_bytes!("../../data/titanic/train.csv");

/// The 891 passengers of Kaggle's `train.csv`, read from [`TRAIN_CSV`] with the same CSV reader
/// as any other source ([`Dataset::from_csv`]).
pub fn bundled() -> Result<Vec<Passenger>, ArtifactError> {
    Dataset::from_csv(TRAIN_CSV, Path::new("data/titanic/train.csv")).map(Dataset::into_rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_csv(bytes: &[u8]) -> Result<Vec<Passenger>, ArtifactError> {
        Dataset::from_csv(bytes, Path::new("test.csv")).map(Dataset::into_rows)
    }

    const REFERENCE: &str = "/work/shared/data/titanic/train.csv";

    #[test]
    fn bundled_is_kaggles_train_csv() {
        let rows = bundled().unwrap();
        assert_eq!(rows.len(), 891);
        assert_eq!(rows.iter().filter(|p| p.survived == Some(1)).count(), 342);
        assert_eq!(rows.iter().filter(|p| p.age.is_none()).count(), 177);
        assert_eq!(rows.iter().filter(|p| p.embarked.is_none()).count(), 2);
        assert_eq!(rows.iter().filter(|p| p.cabin.is_some()).count(), 204);
        assert_eq!(validate(&rows), Ok(()));
        // Fractional ages and quoted nicknames come through as written.
        let baby = rows.iter().find(|p| p.passenger_id == 79).unwrap();
        assert_eq!(baby.age, Some(0.83));
        assert!(rows.iter().any(|p| p.name.contains("\"Dolly\"")));
        let Ok(file) = std::fs::read(REFERENCE) else {
            return; // shared reference copy absent: the facts above are the check
        };
        assert!(
            file == TRAIN_CSV,
            "data/titanic/train.csv differs from {REFERENCE}"
        );
    }

    #[test]
    fn csv_test_file_without_survived_column() {
        let csv = "PassengerId,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n\
                   892,3,\"Kelly, Mr. James\",male,34.5,0,0,330911,7.8292,,Q\n\
                   893,3,\"Wilkes, Mrs. James\",female,,1,0,363272,,,\n";
        let rows = read_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows[0].name, "Kelly, Mr. James");
        assert_eq!(
            (rows[0].age, rows[0].fare, rows[0].embarked.as_deref()),
            (Some(34.5), Some(7.8292), Some("Q"))
        );
        assert_eq!(rows[0].survived, None);
        assert_eq!(
            (rows[1].age, rows[1].fare, &rows[1].embarked),
            (None, None, &None)
        );
        assert!(read_csv("PassengerId,Pclass\nx,1\n".as_bytes()).is_err());
    }
}
