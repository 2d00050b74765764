//! Where the model bundle comes from, and loading it (blocking: the S3 and MLflow clients run on
//! their own runtimes).

use pipeline_remote::mlflow::{MlflowClient, ModelUri};
use pipeline_remote::{S3Client, S3Url};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use titanic_model::ModelBundle;

/// A model bundle's location.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// A local `model.json`.
    File(PathBuf),
    /// An S3 object.
    S3(S3Url),
    /// A model in MLflow: `models:/<name>@<alias>` (followed by `--watch` as the alias moves),
    /// `models:/<name>/<version>` or `runs:/<run_id>/<path>`, from the tracking server that
    /// `MLFLOW_TRACKING_URI` names.
    Mlflow(ModelUri),
}

/// Why a bundle could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No model location was given.
    #[error(
        "no model: give --model PATH, --model s3://bucket/key, --model models:/NAME@ALIAS, or --bucket B --model-path KEY"
    )]
    Missing,
    /// The location cannot be used.
    #[error("model {0}")]
    Location(String),
    /// The bytes could not be fetched.
    #[error("cannot read model {source_name}: {message}")]
    Read {
        /// The location.
        source_name: String,
        /// Why.
        message: String,
    },
    /// The bytes are not a usable bundle.
    #[error("model {source_name} is unusable: {message}")]
    Bundle {
        /// The location.
        source_name: String,
        /// Why.
        message: String,
    },
}

/// A loaded bundle with its version (a digest of its bytes).
#[derive(Debug)]
pub struct Loaded {
    /// The checked bundle.
    pub bundle: ModelBundle,
    /// `sha256:` and the first 12 hex digits of the bundle's bytes.
    pub version: String,
    /// The body of `GET /schema` for this bundle, built once when it is loaded.
    pub schema: Vec<u8>,
}

impl ModelSource {
    /// From the CLI: `--model PATH|s3://...|models:/...|runs:/...` or `--bucket B --model-path KEY`.
    pub fn from_args(
        model: Option<&str>,
        bucket: Option<&str>,
        key: Option<&str>,
    ) -> Result<Self, LoadError> {
        let s3 = |url: &str| {
            url.parse::<S3Url>()
                .map(ModelSource::S3)
                .map_err(|e| LoadError::Location(e.to_string()))
        };
        match (model, bucket, key) {
            (Some(m), _, _) if m.starts_with("s3://") => s3(m),
            (Some(m), _, _) if ModelUri::is_model_uri(m) => m
                .parse()
                .map(ModelSource::Mlflow)
                .map_err(|e| LoadError::Location(e.to_string())),
            (Some(""), _, _) => Err(LoadError::Missing),
            (Some(m), _, _) => Ok(ModelSource::File(PathBuf::from(m))),
            (None, Some(b), Some(k)) => s3(&format!("s3://{b}/{}", k.trim_start_matches('/'))),
            _ => Err(LoadError::Missing),
        }
    }

    /// The bundle's bytes.
    pub fn fetch(&self) -> Result<Vec<u8>, LoadError> {
        let read = |message: String| LoadError::Read {
            source_name: self.to_string(),
            message,
        };
        match self {
            ModelSource::File(path) => std::fs::read(path).map_err(|e| read(e.to_string())),
            ModelSource::S3(url) => S3Client::from_env()
                .and_then(|c| c.get(url))
                .map_err(|e| read(e.to_string())),
            ModelSource::Mlflow(uri) => self
                .mlflow()?
                .fetch_model(uri, "model.json")
                .map(|(bytes, _)| bytes)
                .map_err(|e| read(e.to_string())),
        }
    }

    /// What a `--watch` tick reads: the bundle's bytes, except for `models:/NAME@ALIAS` when the
    /// alias still points at registry version `seen` (then `None`, and nothing is downloaded);
    /// with the registry version the alias points at (`None` for other sources).
    pub fn fetch_unless(
        &self,
        seen: Option<&str>,
    ) -> Result<(Option<Vec<u8>>, Option<String>), LoadError> {
        let ModelSource::Mlflow(ModelUri::Alias { name, alias }) = self else {
            return Ok((Some(self.fetch()?), None));
        };
        let read = |message: String| LoadError::Read {
            source_name: self.to_string(),
            message,
        };
        let client = self.mlflow()?;
        let version = client
            .get_version_by_alias(name, alias)
            .map_err(|e| read(e.to_string()))?
            .version;
        if seen == Some(version.as_str()) {
            return Ok((None, Some(version)));
        }
        // By version, not by alias: the bytes are those of the version just resolved even if
        // the alias moves again meanwhile.
        let uri = ModelUri::Version {
            name: name.clone(),
            version: version.clone(),
        };
        let (bytes, _) = client
            .fetch_model(&uri, "model.json")
            .map_err(|e| read(e.to_string()))?;
        Ok((Some(bytes), Some(version)))
    }

    /// The MLflow client of `MLFLOW_TRACKING_URI`.
    fn mlflow(&self) -> Result<MlflowClient, LoadError> {
        let read = |message: String| LoadError::Read {
            source_name: self.to_string(),
            message,
        };
        match MlflowClient::from_env() {
            Ok(Some(client)) => Ok(client),
            Ok(None) => Err(read(
                "MLFLOW_TRACKING_URI is not set (it names the tracking server)".into(),
            )),
            Err(e) => Err(read(e.to_string())),
        }
    }

    /// Fetches, parses and checks the bundle.
    pub fn load(&self) -> Result<Loaded, LoadError> {
        parse(self, &self.fetch()?)
    }
}

/// Parses and checks bundle bytes fetched from `source`.
pub fn parse(source: &ModelSource, bytes: &[u8]) -> Result<Loaded, LoadError> {
    let bad = |message: String| LoadError::Bundle {
        source_name: source.to_string(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| bad(format!("not UTF-8 text: {e}")))?;
    let bundle = ModelBundle::from_json(text).map_err(|e| bad(e.to_string()))?;
    let schema = serde_json::to_vec(&crate::schema::schema_for_model(&bundle))
        .map_err(|e| bad(format!("cannot describe its schema: {e}")))?;
    Ok(Loaded {
        bundle,
        version: version_of(bytes),
        schema,
    })
}

/// `sha256:` and the first 12 hex digits of the bytes' SHA-256.
pub fn version_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl std::fmt::Display for ModelSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelSource::File(p) => write!(f, "{}", p.display()),
            ModelSource::S3(u) => write!(f, "{u}"),
            ModelSource::Mlflow(u) => write!(f, "{u}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_from_the_cli() {
        let file = ModelSource::from_args(Some("m.json"), None, None).unwrap();
        assert_eq!(file, ModelSource::File("m.json".into()));
        let s3 = ModelSource::from_args(None, Some("mybucket"), Some("model.json")).unwrap();
        assert_eq!(s3.to_string(), "s3://mybucket/model.json");
        let s3 = ModelSource::from_args(Some("s3://bkt/k/model.json"), None, None).unwrap();
        assert_eq!(s3.to_string(), "s3://bkt/k/model.json");
        assert!(matches!(
            ModelSource::from_args(None, None, None),
            Err(LoadError::Missing)
        ));
        assert!(ModelSource::from_args(Some("s3://"), None, None).is_err());
        let alias = ModelSource::from_args(Some("models:/titanic@champion"), None, None).unwrap();
        assert_eq!(alias.to_string(), "models:/titanic@champion");
        let e = ModelSource::from_args(Some("models:/titanic"), None, None).unwrap_err();
        assert!(e.to_string().contains("models:/<name>@<alias>"), "{e}");
    }

    #[test]
    fn bad_bytes_are_one_clear_error() {
        let src = ModelSource::File("model.json".into());
        let e = parse(&src, b"{\"format_version\":")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("model model.json is unusable:"), "{e}");
        let e = parse(&src, &[0xff, 0xfe]).unwrap_err().to_string();
        assert!(e.contains("not UTF-8"), "{e}");
        let e = ModelSource::File("/nonexistent/m.json".into())
            .load()
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read model /nonexistent/m.json"), "{e}");
    }
}
