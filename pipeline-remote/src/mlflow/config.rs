//! Where the tracking server is and how to authenticate, from MLflow's own variables.

use super::MlflowError;

/// How to reach an MLflow tracking server.
///
/// ```
/// use pipeline_remote::mlflow::{Auth, MlflowConfig};
/// let config = MlflowConfig::new("http://127.0.0.1:5000/").unwrap();
/// assert_eq!(config.tracking_uri, "http://127.0.0.1:5000");
/// assert!(matches!(config.auth, Auth::None));
/// assert!(MlflowConfig::new("file:///tmp/mlruns").is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct MlflowConfig {
    /// `http(s)://host:port[/prefix]`, without a trailing `/`.
    pub tracking_uri: String,
    /// Credentials sent with every request.
    pub auth: Auth,
    /// Skip TLS certificate verification (`MLFLOW_TRACKING_INSECURE_TLS=true`).
    pub insecure_tls: bool,
}

/// Credentials for the tracking server.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header.
    None,
    /// `Authorization: Bearer <token>` (`MLFLOW_TRACKING_TOKEN`).
    Bearer(String),
    /// HTTP basic auth (`MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`).
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
}

impl std::fmt::Debug for MlflowConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.auth {
            Auth::None => "none",
            Auth::Bearer(_) => "bearer (hidden)",
            Auth::Basic { .. } => "basic (hidden)",
        };
        f.debug_struct("MlflowConfig")
            .field("tracking_uri", &self.tracking_uri)
            .field("auth", &auth)
            .field("insecure_tls", &self.insecure_tls)
            .finish()
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl MlflowConfig {
    /// A server at `tracking_uri` without credentials. Only `http://` and `https://` URIs name a
    /// server (MLflow's `file:` and database URIs are for its Python client alone).
    pub fn new(tracking_uri: &str) -> Result<MlflowConfig, MlflowError> {
        let uri = tracking_uri.trim().trim_end_matches('/');
        if !(uri.starts_with("http://") || uri.starts_with("https://")) || uri.contains(' ') {
            return Err(MlflowError::Config(format!(
                "MLFLOW_TRACKING_URI `{tracking_uri}` is not an http:// or https:// server URL"
            )));
        }
        Ok(MlflowConfig {
            tracking_uri: uri.to_owned(),
            auth: Auth::None,
            insecure_tls: false,
        })
    }

    /// From `MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN` or
    /// `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`, and
    /// `MLFLOW_TRACKING_INSECURE_TLS`; `Ok(None)` when `MLFLOW_TRACKING_URI` is unset (tracking
    /// off).
    pub fn from_env() -> Result<Option<MlflowConfig>, MlflowError> {
        let Some(uri) = env("MLFLOW_TRACKING_URI") else {
            return Ok(None);
        };
        let mut config = MlflowConfig::new(&uri)?;
        config.auth =
            match (
                env("MLFLOW_TRACKING_TOKEN"),
                env("MLFLOW_TRACKING_USERNAME"),
                env("MLFLOW_TRACKING_PASSWORD"),
            ) {
                (Some(token), _, _) => Auth::Bearer(token),
                (None, Some(username), Some(password)) => Auth::Basic { username, password },
                (None, Some(_), None) | (None, None, Some(_)) => return Err(MlflowError::Config(
                    "set both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or neither"
                        .into(),
                )),
                (None, None, None) => Auth::None,
            };
        config.insecure_tls = env("MLFLOW_TRACKING_INSECURE_TLS")
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        Ok(Some(config))
    }
}

/// The experiment to log to: `MLFLOW_EXPERIMENT_NAME`, else `default`.
pub fn experiment_name_from_env(default: &str) -> String {
    env("MLFLOW_EXPERIMENT_NAME").unwrap_or_else(|| default.to_owned())
}
