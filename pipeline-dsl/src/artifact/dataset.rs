use super::{cells, read_bytes, write_atomic, Artifact, ArtifactError};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;

/// A table whose rows are a serde struct, stored as CSV with a header line.
///
/// The row type is part of the artifact's type, so a `Dataset<Features>` output cannot be wired
/// into a `Dataset<Passenger>` input. Reading reports the line and column of a bad value.
/// Fields are numbers, strings, booleans, unit enums and `Option`s of these, one column each;
/// a `Vec`, map or struct field is one column too, each cell holding its JSON (`["a","b"]`).
///
/// ```
/// use pipeline_dsl::prelude::*;
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Clone)]
/// struct Row { name: String, age: Option<f64> }
///
/// let path = std::env::temp_dir().join(format!("rows-doc-{}.csv", std::process::id()));
/// let rows = Dataset::new(vec![Row { name: "Ann".into(), age: None }]);
/// rows.write(&path).unwrap();
/// assert_eq!(Dataset::<Row>::read(&path).unwrap(), rows);
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Tagged { name: String, tags: Vec<String> }
/// let tagged = Dataset::new(vec![Tagged { name: "Ann".into(), tags: vec!["a".into()] }]);
/// tagged.write(&path).unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "name,tags\nAnn,\"[\"\"a\"\"]\"\n");
/// assert_eq!(Dataset::<Tagged>::read(&path).unwrap(), tagged);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset<R> {
    rows: Vec<R>,
}

impl<R> Dataset<R> {
    /// A dataset holding `rows`.
    pub fn new(rows: Vec<R>) -> Self {
        Dataset { rows }
    }
    /// The rows.
    pub fn rows(&self) -> &[R] {
        &self.rows
    }
    /// The rows, by value.
    pub fn into_rows(self) -> Vec<R> {
        self.rows
    }
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// `true` when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl<R> Default for Dataset<R> {
    fn default() -> Self {
        Dataset { rows: Vec::new() }
    }
}

impl<R> From<Vec<R>> for Dataset<R> {
    fn from(rows: Vec<R>) -> Self {
        Dataset { rows }
    }
}

impl<R> std::ops::Deref for Dataset<R> {
    type Target = [R];
    fn deref(&self) -> &[R] {
        &self.rows
    }
}

impl<R> IntoIterator for Dataset<R> {
    type Item = R;
    type IntoIter = std::vec::IntoIter<R>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

impl<R: Serialize + DeserializeOwned + 'static> Dataset<R> {
    /// Parses CSV bytes (with a header line); `origin` names the source in errors.
    pub fn from_csv(bytes: &[u8], origin: &Path) -> Result<Self, ArtifactError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| {
                ArtifactError::invalid(origin, format!("cannot read the header line: {e}"))
            })?
            .clone();
        let flat: Result<Vec<R>, csv::Error> = reader.deserialize::<R>().collect();
        match flat {
            // A row type with a nested field reads its JSON cells (the csv crate would take a
            // JSON cell apart, or the rest of the record, as a sequence).
            Ok(rows) if !rows.first().is_some_and(cells::is_nested) => Ok(Dataset { rows }),
            Ok(_) => cells::read_rows(bytes)
                .map(Dataset::new)
                .map_err(|e| ArtifactError::invalid(origin, e)),
            Err(e) => match cells::read_rows::<R>(bytes) {
                Ok(rows) if rows.iter().any(cells::is_nested) => Ok(Dataset { rows }),
                _ => Err(ArtifactError::invalid(
                    origin,
                    describe_csv_error(&e, &headers),
                )),
            },
        }
    }

    /// Serializes the rows as CSV bytes with a header line (nested fields as JSON cells).
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in &self.rows {
            if let Err(e) = writer.serialize(row) {
                if !cells::is_nested(row) {
                    return Err(e);
                }
                return cells::write_rows(&self.rows)
                    .map_err(|e| csv::Error::from(std::io::Error::other(e)));
            }
        }
        writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// Turns a csv error into "line N, column `Name`: what is wrong".
fn describe_csv_error(error: &csv::Error, headers: &csv::StringRecord) -> String {
    let line = error.position().map(|p| p.line());
    match error.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let column = err
                .field()
                .and_then(|i| headers.get(i as usize))
                .map(|name| format!(", column `{name}`"))
                .unwrap_or_default();
            let line = line
                .map(|l| format!("line {l}"))
                .unwrap_or_else(|| "a row".into());
            format!("{line}{column}: {}", err.kind())
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "line {}: {len} fields where the header has {expected_len}",
            line.unwrap_or(0)
        ),
        _ => error.to_string(),
    }
}

impl<R: Serialize + DeserializeOwned + 'static> Artifact for Dataset<R> {
    const KIND: &'static str = "Dataset";
    fn write(&self, path: &Path) -> Result<(), ArtifactError> {
        ArtifactError::check_finite(path, &self.rows)?;
        let bytes = self
            .to_csv()
            .map_err(|e| ArtifactError::invalid(path, format!("cannot write CSV: {e}")))?;
        write_atomic(path, &bytes)
    }
    fn read(path: &Path) -> Result<Self, ArtifactError> {
        Self::from_csv(&read_bytes(path)?, path)
    }
}
