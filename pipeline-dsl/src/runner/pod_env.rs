//! A step's environment as a pod gets it: what its template declares, Secret and ConfigMap
//! keys read from local directories laid out as Kubernetes mounts them (`DIR/<name>/<key>`, one
//! file per key), plus the few variables every container has (`PATH`, `HOSTNAME`).

use std::path::Path;

use crate::argo::EnvVarSource;

/// Where Secret and ConfigMap references resolve (`--secrets DIR`, `--configmaps DIR`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeySources<'a> {
    /// `DIR/<secret>/<key>`.
    pub secrets: Option<&'a Path>,
    /// `DIR/<configmap>/<key>`.
    pub configmaps: Option<&'a Path>,
}

impl KeySources<'_> {
    /// Pod-like isolation is on when either source is named.
    pub(crate) fn isolated(&self) -> bool {
        self.secrets.is_some() || self.configmaps.is_some()
    }

    /// The value of env `name` from a `secretKeyRef`/`configMapKeyRef`: `Ok(None)` for an optional
    /// key that is absent (the variable stays unset, as in a pod), an error naming the Secret or
    /// ConfigMap, the key and where it was looked for when a required one is absent.
    pub(crate) fn resolve(
        &self,
        name: &str,
        from: &EnvVarSource,
    ) -> Result<Option<String>, String> {
        let found = match (&from.secret_key_ref, &from.config_map_key_ref) {
            (Some(r), _) => {
                let optional = r.optional == Some(true);
                key("Secret", "--secrets", self.secrets, &r.name, &r.key, optional)
            }
            (None, Some(r)) => {
                let optional = r.optional == Some(true);
                key("ConfigMap", "--configmaps", self.configmaps, &r.name, &r.key, optional)
            }
            (None, None) => Err("valueFrom names no Secret or ConfigMap key (only secretKeyRef and configMapKeyRef run locally)".into()),
        };
        found.map_err(|e| format!("env `{name}`: {e}"))
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

/// What every container has besides its declared variables: the image's `PATH` (here the
/// host's) and `HOSTNAME` (the pod's name).
pub(crate) fn pod_basics(hostname: &str) -> Vec<(String, String)> {
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
    vec![("PATH".into(), path), ("HOSTNAME".into(), hostname.into())]
}
