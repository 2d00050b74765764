//! Where the Argo Server is and how to authenticate: flags first, then the argo CLI's own
//! environment variables with the meanings `cmd/argo/commands/client/conn.go` gives them.

use std::time::Duration;

/// Connection settings of the Argo Server.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerSettings {
    /// `host:port` (`ARGO_SERVER`), no scheme.
    pub server: String,
    /// TLS (`ARGO_SECURE`, true unless exactly `false`).
    pub secure: bool,
    /// Accept any certificate (`ARGO_INSECURE_SKIP_VERIFY=true`), e.g. the quick-start's
    /// self-signed one.
    pub insecure_skip_verify: bool,
    /// `Authorization` header value (`ARGO_TOKEN`, `Bearer ` added when missing).
    pub authorization: Option<String>,
    /// Namespace (`ARGO_NAMESPACE`, default `argo`).
    pub namespace: String,
    /// Path prefix of the server (`ARGO_BASE_HREF`), always starting and ending with `/`.
    pub base_href: String,
    /// Bound of one request's connection set-up.
    pub connect_timeout: Duration,
    /// Bound of one non-streaming request.
    pub request_timeout: Duration,
    /// A stream with no byte for this long is dropped and reopened.
    pub read_timeout: Duration,
}

/// Settings given on the command line; `None` falls back to the environment.
#[derive(Debug, Clone, Default)]
pub struct SettingsFlags {
    /// `--argo-server`.
    pub server: Option<String>,
    /// `--secure`.
    pub secure: Option<bool>,
    /// `--insecure-skip-verify`.
    pub insecure_skip_verify: bool,
    /// `--token`.
    pub token: Option<String>,
    /// `--namespace`.
    pub namespace: Option<String>,
    /// `--argo-base-href`.
    pub base_href: Option<String>,
}

/// An `ARGO_SERVER` / `--argo-server` that is not `host:port`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "ARGO_SERVER / --argo-server is `host:port` without a scheme or path, got `{server}` \
     (use ARGO_SECURE=false for plain HTTP and ARGO_BASE_HREF for a path)"
)]
pub struct BadServerAddress {
    /// What was given.
    pub server: String,
}

impl ServerSettings {
    /// Resolves `flags` over the environment `env` (a lookup such as `std::env::var`).
    pub fn resolve(
        flags: &SettingsFlags,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, BadServerAddress> {
        let server = flags
            .server
            .clone()
            .or_else(|| env("ARGO_SERVER"))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "localhost:2746".into());
        if server.contains("://") || server.contains('/') {
            return Err(BadServerAddress { server });
        }
        let secure = flags
            .secure
            .unwrap_or_else(|| env("ARGO_SECURE").as_deref() != Some("false"));
        let insecure_skip_verify = flags.insecure_skip_verify
            || env("ARGO_INSECURE_SKIP_VERIFY").as_deref() == Some("true");
        let authorization = flags
            .token
            .clone()
            .or_else(|| env("ARGO_TOKEN"))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .map(|t| {
                if t.starts_with("Bearer ") {
                    t
                } else {
                    format!("Bearer {t}")
                }
            });
        let namespace = flags
            .namespace
            .clone()
            .or_else(|| env("ARGO_NAMESPACE"))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "argo".into());
        let href = flags
            .base_href
            .clone()
            .or_else(|| env("ARGO_BASE_HREF"))
            .unwrap_or_default();
        let trimmed = href.trim_matches('/');
        let base_href = if trimmed.is_empty() {
            "/".to_owned()
        } else {
            format!("/{trimmed}/")
        };
        Ok(ServerSettings {
            server,
            secure,
            insecure_skip_verify,
            authorization,
            namespace,
            base_href,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(90),
        })
    }

    /// `https://host:port/base/` (or `http://`).
    pub fn base_url(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}{}", self.server, self.base_href)
    }

    /// The UI page of workflow `name`.
    pub fn ui_link(&self, name: &str) -> String {
        format!("{}workflows/{}/{name}", self.base_url(), self.namespace)
    }
}
