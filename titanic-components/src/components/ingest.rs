use crate::passenger::{self, Passenger};
use pipeline_dsl::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where the passengers come from: `bundled` (the Kaggle training set shipped in the binary), a
/// local CSV path, or an `http(s)://` URL of a CSV in Kaggle's format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub enum Source {
    /// The 891 training passengers bundled with the binary.
    Bundled,
    /// A CSV file on disk.
    File(PathBuf),
}

impl TryFrom<String> for Source {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "" => Err("empty data source: use `bundled` or a path to a CSV file".into()),
            "bundled" => Ok(Source::Bundled),
            t if t.starts_with("s3://") || t.starts_with("http://") || t.starts_with("https://") => Err(format!(
                "data source `{t}`: remote sources are not supported by this build yet; download the CSV and pass its path"
            )),
            t => Ok(Source::File(PathBuf::from(t))),
        }
    }
}

impl From<Source> for String {
    fn from(source: Source) -> String {
        match source {
            Source::Bundled => "bundled".into(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// What `ingest` produces.
#[derive(Outputs)]
pub struct IngestOutputs {
    /// The validated passengers.
    pub passengers: Dataset<Passenger>,
}

/// Loads the passengers and checks every column: a bad file is rejected with the row and column
/// of the first bad value.
///
/// # Parameters
/// - `source`: `bundled`, or the path of a CSV in Kaggle's `train.csv` format.
#[component(cpu = "250m", memory = "256Mi")]
pub fn ingest(source: Source) -> Result<IngestOutputs> {
    let rows = match &source {
        Source::Bundled => passenger::bundled(),
        Source::File(path) => read_file(path)?,
    };
    passenger::validate(&rows)?;
    if rows.iter().any(|p| p.survived.is_none()) {
        let first = rows.iter().position(|p| p.survived.is_none()).unwrap_or(0);
        return Err(
            format!("row {first}: column Survived is missing; training data needs labels").into(),
        );
    }
    tracing::info!(rows = rows.len(), source = %String::from(source), "ingested passengers");
    Ok(IngestOutputs {
        passengers: Dataset::new(rows),
    })
}

fn read_file(path: &Path) -> Result<Vec<Passenger>> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Dataset::<Passenger>::from_csv(&bytes, path)?.into_rows())
}
