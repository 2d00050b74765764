use super::{read_bytes, write_atomic, Artifact, ArtifactError};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;

/// A table whose rows are a serde struct, stored as CSV with a header line.
///
/// The row type is part of the artifact's type, so a `Dataset<Features>` output cannot be wired
/// into a `Dataset<Passenger>` input. Reading reports the line and column of a bad value.
/// Rows must be flat records (numbers, strings, booleans, `Option`s of these): writing a row
/// with a `Vec`, map or struct field fails with an error that says so; use `Json<Vec<Row>>`
/// for nested data.
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
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Nested { name: String, tags: Vec<String> }
/// let nested = Dataset::new(vec![Nested { name: "Ann".into(), tags: vec!["a".into()] }]);
/// let error = nested.write(&path).unwrap_err().to_string();
/// assert!(error.contains("rows must be flat records") && error.contains("Json<Vec<Row>>"), "{error}");
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
        let mut rows = Vec::new();
        for record in reader.deserialize::<R>() {
            rows.push(
                record.map_err(|e| {
                    ArtifactError::invalid(origin, describe_csv_error(&e, &headers))
                })?,
            );
        }
        Ok(Dataset { rows })
    }

    /// Serializes the rows as CSV bytes with a header line.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in &self.rows {
            writer.serialize(row)?;
        }
        writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// What to do about a row type CSV cannot hold (a `Vec`, map or struct inside the row).
fn nested_hint(error: &csv::Error) -> &'static str {
    if error.to_string().contains("inside struct") {
        "; `Dataset` rows must be flat records (numbers, strings, booleans, `Option`s of these): \
         a `Vec`, map or struct field has no CSV column. Use `Json<Vec<Row>>` for nested rows"
    } else {
        ""
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
        let bytes = self.to_csv().map_err(|e| {
            ArtifactError::invalid(path, format!("cannot write CSV: {e}{}", nested_hint(&e)))
        })?;
        write_atomic(path, &bytes)
    }
    fn read(path: &Path) -> Result<Self, ArtifactError> {
        Self::from_csv(&read_bytes(path)?, path)
    }
}
