//! The Model Registry: registered models, versions, aliases, and `models:/` / `runs:/` URIs.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::tracking::join;
use super::{MlflowClient, MlflowError, ModelVersion};

/// A model named by MLflow's URI schemes.
///
/// ```
/// use pipeline_remote::mlflow::ModelUri;
/// assert_eq!(
///     "models:/titanic@champion".parse::<ModelUri>().unwrap(),
///     ModelUri::Alias { name: "titanic".into(), alias: "champion".into() }
/// );
/// assert_eq!(
///     "models:/titanic/3".parse::<ModelUri>().unwrap(),
///     ModelUri::Version { name: "titanic".into(), version: "3".into() }
/// );
/// assert_eq!(
///     "runs:/0a1b/model/model.json".parse::<ModelUri>().unwrap(),
///     ModelUri::Run { run_id: "0a1b".into(), path: "model/model.json".into() }
/// );
/// assert!("models:/titanic".parse::<ModelUri>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelUri {
    /// `models:/<name>@<alias>`: whatever version the alias points at now.
    Alias {
        /// Registered model.
        name: String,
        /// Alias, e.g. `champion`.
        alias: String,
    },
    /// `models:/<name>/<version>`.
    Version {
        /// Registered model.
        name: String,
        /// Version number.
        version: String,
    },
    /// `runs:/<run_id>/<path>`: an artifact of a run.
    Run {
        /// The run.
        run_id: String,
        /// Artifact path inside the run.
        path: String,
    },
}

impl ModelUri {
    /// True for the schemes this type parses (`models:/`, `runs:/`).
    pub fn is_model_uri(text: &str) -> bool {
        text.starts_with("models:/") || text.starts_with("runs:/")
    }
}

impl std::str::FromStr for ModelUri {
    type Err = MlflowError;

    fn from_str(text: &str) -> Result<ModelUri, MlflowError> {
        let bad = |message: &str| MlflowError::BadUri {
            uri: text.to_owned(),
            message: message.to_owned(),
        };
        let nonempty = |s: &str| !s.is_empty() && !s.contains('/');
        if let Some(rest) = text.strip_prefix("models:/") {
            if let Some((name, alias)) = rest.split_once('@') {
                if nonempty(name) && nonempty(alias) {
                    return Ok(ModelUri::Alias {
                        name: name.into(),
                        alias: alias.into(),
                    });
                }
            } else if let Some((name, version)) = rest.split_once('/') {
                if nonempty(name)
                    && !version.is_empty()
                    && version.bytes().all(|b| b.is_ascii_digit())
                {
                    return Ok(ModelUri::Version {
                        name: name.into(),
                        version: version.into(),
                    });
                }
            }
            return Err(bad(
                "expected models:/<name>@<alias> or models:/<name>/<version>",
            ));
        }
        if let Some(rest) = text.strip_prefix("runs:/") {
            if let Some((run_id, path)) = rest.split_once('/') {
                if nonempty(run_id) && !path.trim_matches('/').is_empty() {
                    return Ok(ModelUri::Run {
                        run_id: run_id.into(),
                        path: path.trim_matches('/').into(),
                    });
                }
            }
            return Err(bad("expected runs:/<run_id>/<artifact path>"));
        }
        Err(bad("not a models:/ or runs:/ URI"))
    }
}

impl std::fmt::Display for ModelUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelUri::Alias { name, alias } => write!(f, "models:/{name}@{alias}"),
            ModelUri::Version { name, version } => write!(f, "models:/{name}/{version}"),
            ModelUri::Run { run_id, path } => write!(f, "runs:/{run_id}/{path}"),
        }
    }
}

#[derive(Deserialize)]
struct VersionAnswer {
    model_version: ModelVersion,
}

#[derive(Deserialize)]
struct VersionsAnswer {
    #[serde(default)]
    model_versions: Vec<ModelVersion>,
}

impl MlflowClient {
    /// Creates registered model `name`; one that exists already is fine.
    pub fn create_registered_model(&self, name: &str) -> Result<(), MlflowError> {
        let created = self.api::<serde_json::Value>(
            Method::POST,
            "registered-models/create",
            &[],
            Some(json!({ "name": name })),
        );
        match created {
            Ok(_) => Ok(()),
            Err(e) if e.is_already_exists() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Registers the files at `source` (an artifact URI of `run_id`) as a new version of `name`.
    pub fn create_model_version(
        &self,
        name: &str,
        source: &str,
        run_id: &str,
    ) -> Result<ModelVersion, MlflowError> {
        let answer: VersionAnswer = self.api(
            Method::POST,
            "model-versions/create",
            &[],
            Some(json!({ "name": name, "source": source, "run_id": run_id })),
        )?;
        Ok(answer.model_version)
    }

    /// The versions registered from run `run_id`, of any registered model (the first 1,000;
    /// a run registers one or two). A retried step uses it to find what an earlier attempt
    /// registered instead of registering the same files again.
    pub fn model_versions_of_run(&self, run_id: &str) -> Result<Vec<ModelVersion>, MlflowError> {
        if !run_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(MlflowError::BadUri {
                uri: run_id.to_owned(),
                message: "not a run id".into(),
            });
        }
        let filter = format!("run_id='{run_id}'");
        let answer: VersionsAnswer = self.api(
            Method::GET,
            "model-versions/search",
            &[("filter", &filter), ("max_results", "1000")],
            None,
        )?;
        Ok(answer.model_versions)
    }

    /// Version `version` of `name`.
    pub fn get_model_version(
        &self,
        name: &str,
        version: &str,
    ) -> Result<ModelVersion, MlflowError> {
        let answer: VersionAnswer = self.api(
            Method::GET,
            "model-versions/get",
            &[("name", name), ("version", version)],
            None,
        )?;
        Ok(answer.model_version)
    }

    /// Points `alias` of `name` at `version` (moving it if it pointed elsewhere).
    pub fn set_alias(&self, name: &str, alias: &str, version: &str) -> Result<(), MlflowError> {
        let _: serde_json::Value = self.api(
            Method::POST,
            "registered-models/alias",
            &[],
            Some(json!({ "name": name, "alias": alias, "version": version })),
        )?;
        Ok(())
    }

    /// The version `alias` of `name` points at.
    pub fn get_version_by_alias(
        &self,
        name: &str,
        alias: &str,
    ) -> Result<ModelVersion, MlflowError> {
        let answer: VersionAnswer = self.api(
            Method::GET,
            "registered-models/alias",
            &[("name", name), ("alias", alias)],
            None,
        )?;
        Ok(answer.model_version)
    }

    /// Where the files of `uri` are now (an `mlflow-artifacts:` URI), and the model version it
    /// resolved to (`None` for `runs:/`).
    pub fn resolve(&self, uri: &ModelUri) -> Result<(String, Option<ModelVersion>), MlflowError> {
        match uri {
            ModelUri::Alias { name, alias } => {
                let v = self.get_version_by_alias(name, alias)?;
                Ok((v.source.clone(), Some(v)))
            }
            ModelUri::Version { name, version } => {
                let v = self.get_model_version(name, version)?;
                Ok((v.source.clone(), Some(v)))
            }
            ModelUri::Run { run_id, path } => {
                let run = self.get_run(run_id)?;
                Ok((join(&run.info.artifact_uri, path), None))
            }
        }
    }

    /// The bytes of the file `uri` names. A registered version whose source is a directory
    /// (not ending in `.json`) is read as `<source>/<file_in_dir>`.
    pub fn fetch_model(
        &self,
        uri: &ModelUri,
        file_in_dir: &str,
    ) -> Result<(Vec<u8>, Option<ModelVersion>), MlflowError> {
        let (location, version) = self.resolve(uri)?;
        let location = if location.ends_with(".json") {
            location
        } else {
            join(&location, file_in_dir)
        };
        Ok((self.download_artifact(&location)?, version))
    }
}
