//! A step's environment as a pod gets it: what its template declares, Secret and ConfigMap
//! keys from the sources the user named (`--secrets DIR`, `--configmaps DIR`, laid out as
//! Kubernetes mounts them, one file per key; `--secrets-from-env`), plus what every container
//! of an Argo pod has. Nothing else of the runner's environment reaches a step.

use std::path::Path;

use crate::argo::EnvVarSource;

/// Where Secret and ConfigMap references resolve.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeySources<'a> {
    /// `DIR/<secret>/<key>`.
    pub secrets: Option<&'a Path>,
    /// Key `K` of any Secret from the runner's variable `K` (after `secrets`).
    pub secrets_from_env: bool,
    /// `DIR/<configmap>/<key>`.
    pub configmaps: Option<&'a Path>,
}

impl KeySources<'_> {
    /// The value of env `name` from a `secretKeyRef`/`configMapKeyRef`: `Ok(None)` for an optional
    /// key that is absent (the variable stays unset, as in a pod), an error naming the variable,
    /// the Secret or ConfigMap, the key and the flag to pass when a required one is absent.
    pub(crate) fn resolve(
        &self,
        name: &str,
        from: &EnvVarSource,
    ) -> Result<Option<String>, String> {
        let found = match (&from.secret_key_ref, &from.config_map_key_ref) {
            (Some(r), _) => self.secret(&r.name, &r.key, r.optional == Some(true)),
            (None, Some(r)) => {
                let optional = r.optional == Some(true);
                key("ConfigMap", "--configmaps", self.configmaps, &r.name, &r.key, optional)
            }
            (None, None) => Err("valueFrom names no Secret or ConfigMap key (only secretKeyRef and configMapKeyRef run locally)".into()),
        };
        found.map_err(|e| format!("env `{name}`: {e}"))
    }

    /// Key `key` of Secret `secret`: from `--secrets DIR`, else (with `--secrets-from-env`) the
    /// runner's variable named like the key.
    pub(crate) fn secret(
        &self,
        secret: &str,
        name: &str,
        optional: bool,
    ) -> Result<Option<String>, String> {
        if let Some(v) = key("Secret", "--secrets", self.secrets, secret, name, true)? {
            return Ok(Some(v));
        }
        if self.secrets_from_env {
            if let Some(v) = std::env::var_os(name) {
                return v.into_string().map(Some).map_err(|_| {
                    format!("Secret `{secret}` key `{name}`: variable `{name}` is not UTF-8")
                });
            }
        }
        if optional {
            return Ok(None);
        }
        let from_env = if self.secrets_from_env {
            format!("`{name}` is not set in the environment (--secrets-from-env)")
        } else {
            format!("or pass --secrets-from-env with `{name}` set")
        };
        Err(match self.secrets {
            Some(dir) => format!(
                "required Secret `{secret}` key `{name}` is missing: no file {}; {from_env}",
                dir.join(secret).join(name).display()
            ),
            None if self.secrets_from_env => {
                format!("required Secret `{secret}` key `{name}` is missing: {from_env}")
            }
            None => format!(
                "required Secret `{secret}` key `{name}` is not available: pass --secrets DIR holding {secret}/{name}, {from_env}"
            ),
        })
    }
}

/// Reads `dir/<object>/<key>`.
pub(crate) fn key(
    kind: &str,
    flag: &str,
    dir: Option<&Path>,
    object: &str,
    key: &str,
    optional: bool,
) -> Result<Option<String>, String> {
    let path = dir.map(|d| d.join(object).join(key));
    match path.as_ref().map(std::fs::read) {
        Some(Ok(bytes)) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("{kind} `{object}` key `{key}` ({}) is not UTF-8", path.as_ref().map_or(String::new(), |p| p.display().to_string()))),
        Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => Err(format!(
            "{kind} `{object}` key `{key}`: {}: {e}",
            path.as_ref().map_or(String::new(), |p| p.display().to_string())
        )),
        _ if optional => Ok(None),
        None => Err(format!(
            "required {kind} `{object}` key `{key}` is not available: pass {flag} DIR holding {object}/{key}"
        )),
        Some(_) => Err(format!(
            "required {kind} `{object}` key `{key}` is missing: no file {}",
            path.as_ref().map_or(String::new(), |p| p.display().to_string())
        )),
    }
}

/// What a pod's main container has besides its declared variables.
pub(crate) struct PodBasics<'a> {
    /// `PATH` (the image's; here the host's or the sandbox's).
    pub path: String,
    /// `HOSTNAME`: the pod's name.
    pub hostname: &'a str,
    /// `HOME` (the image user's; here the runner's own home, or `/root` in the sandbox).
    pub home: String,
    /// `ARGO_WORKFLOW_NAME`.
    pub workflow: &'a str,
    /// `ARGO_NODE_ID`.
    pub node_id: &'a str,
    /// `ARGO_DEADLINE`: the workflow's deadline, if any.
    pub deadline: Option<std::time::SystemTime>,
}

impl PodBasics<'_> {
    /// The variables, in order. The `ARGO_*` ones are those the controller adds to the main
    /// container (`workflow/controller/workflowpod.go` lines 644-648 and 682-683):
    /// `ARGO_CONTAINER_NAME=main`, `ARGO_NODE_ID`, `ARGO_DEADLINE` (`time.Time{}` as RFC 3339,
    /// `0001-01-01T00:00:00Z`, without a deadline) and `ARGO_WORKFLOW_NAME`.
    pub(crate) fn vars(&self) -> Vec<(String, String)> {
        let deadline = self.deadline.map_or_else(
            || "0001-01-01T00:00:00Z".to_owned(),
            |t| humantime::format_rfc3339_seconds(t).to_string(),
        );
        [
            ("PATH", self.path.clone()),
            ("HOSTNAME", self.hostname.to_owned()),
            ("HOME", self.home.clone()),
            ("ARGO_CONTAINER_NAME", "main".to_owned()),
            ("ARGO_NODE_ID", self.node_id.to_owned()),
            ("ARGO_DEADLINE", deadline),
            ("ARGO_WORKFLOW_NAME", self.workflow.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

/// The variables of the runner that reach a component step although no template declares
/// them: `RUST_LOG`, the runner's own logging switch, so `RUST_LOG=debug titanic run` shows
/// the steps' debug logs too (it changes what is logged, never what a step computes).
pub(crate) fn passed_through() -> Vec<(String, String)> {
    ["RUST_LOG"]
        .into_iter()
        .filter_map(|k| Some((k.to_owned(), std::env::var(k).ok()?)))
        .collect()
}
