use crate::passenger::{self, Passenger};
use pipeline_dsl::external::{file_digest, ExternalData};
use pipeline_dsl::prelude::*;
use pipeline_remote::{self as remote, S3Url};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where the passengers come from: `bundled` (the Kaggle training set shipped in the binary), a
/// local CSV path, `s3://bucket/key` or an `http(s)://` URL of a CSV in Kaggle's format.
///
/// It names outside data ([`ExternalData`]): the local runner resolves a relative path against
/// the directory the run started in, and keys `ingest`'s cache on the file's digest, the HTTP
/// resource's `ETag`/`Last-Modified` (else its content's digest) or the S3 object's ETag and
/// version, so changed data is never answered from the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String", extend("minLength" = 1))]
pub enum Source {
    /// The 891 training passengers bundled with the binary.
    Bundled,
    /// A CSV file on disk.
    File(PathBuf),
    /// An `s3://` object (endpoint and credentials from the `AWS_*` variables) or an
    /// `http(s)://` URL.
    Remote(String),
}

impl TryFrom<String> for Source {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "" => Err("empty data source: use `bundled`, a CSV path, s3://bucket/key or an http(s):// URL".into()),
            "bundled" => Ok(Source::Bundled),
            t if t.starts_with("s3://") => {
                t.parse::<S3Url>().map_err(|e| e.to_string())?;
                Ok(Source::Remote(text))
            }
            t if remote::is_remote(t) => {
                let rest = t.split_once("://").map_or("", |(_, rest)| rest);
                if rest.split('/').next().unwrap_or_default().is_empty() {
                    return Err(format!("`{t}` has no host"));
                }
                Ok(Source::Remote(text))
            }
            t => Ok(Source::File(PathBuf::from(t))),
        }
    }
}

impl From<Source> for String {
    fn from(source: Source) -> String {
        match source {
            Source::Bundled => "bundled".into(),
            Source::File(path) => path.display().to_string(),
            Source::Remote(url) => url,
        }
    }
}

impl ExternalData for Source {
    fn resolve(self, base: &Path) -> Self {
        match self {
            Source::File(path) if path.is_relative() => Source::File(base.join(path)),
            other => other,
        }
    }

    fn fingerprint(&self) -> std::result::Result<Option<String>, BoxError> {
        Ok(match self {
            // Built into the binary, whose digest is already part of every cache key.
            Source::Bundled => None,
            Source::File(path) => Some(file_digest(path)?),
            Source::Remote(url) => Some(remote::content_version(url)?),
        })
    }
}

pipeline_dsl::external_data!(Source);

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
/// - `source`: `bundled`, or a CSV in Kaggle's `train.csv` format: a path, `s3://bucket/key` or
///   an `http(s)://` URL.
#[component(cpu = "250m", memory = "256Mi")]
pub fn ingest(source: Source) -> Result<IngestOutputs> {
    let rows = match &source {
        Source::Bundled => passenger::bundled()?,
        Source::File(path) => {
            // A missing or unreadable file, like malformed data, is not fixed by a retry.
            let bytes = std::fs::read(path)
                .map_err(|e| InvalidInput::new(format!("cannot read {}: {e}", path.display())))?;
            parse(&bytes, path)?
        }
        Source::Remote(url) => parse(&remote::fetch(url)?, Path::new(url))?,
    };
    passenger::validate(&rows).map_err(|e| InvalidInput::new(e.to_string()))?;
    if rows.iter().any(|p| p.survived.is_none()) {
        let first = rows.iter().position(|p| p.survived.is_none()).unwrap_or(0);
        return Err(InvalidInput::new(format!(
            "row {first}: column Survived is missing; training data needs labels"
        ))
        .into());
    }
    tracing::info!(rows = rows.len(), source = %String::from(source), "ingested passengers");
    Ok(IngestOutputs {
        passengers: Dataset::new(rows),
    })
}

fn parse(bytes: &[u8], origin: &Path) -> Result<Vec<Passenger>> {
    Ok(Dataset::<Passenger>::from_csv(bytes, origin)?.into_rows())
}
