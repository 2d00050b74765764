//! What can go wrong talking to an MLflow tracking server.

/// An MLflow call that failed, as one line naming the call and the cause.
#[derive(Debug, thiserror::Error)]
pub enum MlflowError {
    /// The settings (environment variables or arguments) cannot be used.
    #[error("MLflow configuration: {0}")]
    Config(String),
    /// The server could not be reached (or did not answer in time) after every retry.
    #[error("cannot reach MLflow at {server} ({call}): {cause}")]
    Unreachable {
        /// The tracking URI.
        server: String,
        /// The REST call, e.g. `POST runs/create`.
        call: String,
        /// The transport error chain.
        cause: String,
    },
    /// The server answered with an error (`{"error_code", "message"}` or a bare HTTP status).
    #[error("MLflow {call}: HTTP {status}{}: {message}", code_suffix(error_code))]
    Api {
        /// The REST call, e.g. `POST runs/create`.
        call: String,
        /// The HTTP status code.
        status: u16,
        /// MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`, ...), when the body had one.
        error_code: Option<String>,
        /// MLflow's message, or the start of the body.
        message: String,
    },
    /// The server answered 2xx with a body this client cannot read.
    #[error("MLflow {call}: unexpected answer: {message}")]
    Decode {
        /// The REST call.
        call: String,
        /// What could not be read.
        message: String,
    },
    /// A `models:/` or `runs:/` URI that cannot be resolved.
    #[error("`{uri}`: {message}")]
    BadUri {
        /// The URI as given.
        uri: String,
        /// What is wrong with it.
        message: String,
    },
}

fn code_suffix(code: &Option<String>) -> String {
    code.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
}

impl MlflowError {
    /// MLflow's `error_code`, when the server sent one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            MlflowError::Api { error_code, .. } => error_code.as_deref(),
            _ => None,
        }
    }

    /// True for `RESOURCE_DOES_NOT_EXIST` (and a bare 404).
    pub fn is_not_found(&self) -> bool {
        matches!(self, MlflowError::Api { status: 404, .. })
            || self.error_code() == Some("RESOURCE_DOES_NOT_EXIST")
    }

    /// True for `RESOURCE_ALREADY_EXISTS`.
    pub fn is_already_exists(&self) -> bool {
        self.error_code() == Some("RESOURCE_ALREADY_EXISTS")
    }
}
