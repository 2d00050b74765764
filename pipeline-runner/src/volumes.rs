//! Secret and ConfigMap volumes for the host executor, projected as the kubelet projects them:
//! every key a file of the volume (or, with `items`, each listed key at its `path`), read from
//! the sources the user names (`--secrets DIR`, `--secrets-from-env`, `--configmaps DIR`) and
//! mounted read-only at the container's `mountPath` (its `subPath` alone when one is given).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use super::pod_env::{key, KeySources};
use crate::argo::{Container, Volume};

/// One `items` entry: key `key` at `path` inside the volume, with its own `mode`.
#[derive(Debug, Clone, Deserialize)]
struct KeyToPath {
    key: String,
    path: String,
    mode: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SecretSource {
    secret_name: String,
    #[serde(default)]
    items: Vec<KeyToPath>,
    optional: Option<bool>,
    default_mode: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigMapSource {
    name: String,
    #[serde(default)]
    items: Vec<KeyToPath>,
    optional: Option<bool>,
    default_mode: Option<u32>,
}

/// Kubernetes' default file mode of Secret and ConfigMap volumes
/// (`SecretVolumeSourceDefaultMode`, `ConfigMapVolumeSourceDefaultMode`: 0644).
const DEFAULT_MODE: u32 = 0o644;

/// A Secret or ConfigMap volume.
#[derive(Debug, Clone)]
pub(crate) struct Projection {
    secret: bool,
    object: String,
    items: Vec<KeyToPath>,
    optional: bool,
    default_mode: u32,
}

impl Projection {
    /// The Secret or ConfigMap behind volume `v`, `Ok(None)` for any other kind of volume.
    pub(crate) fn of(v: &Volume) -> Result<Option<Projection>, String> {
        let bad = |e: serde_json::Error| format!("volume `{}`: {e}", v.name);
        if let Some(s) = v.other.get("secret") {
            let s: SecretSource = serde_json::from_value(s.clone()).map_err(bad)?;
            return Ok(Some(Projection {
                secret: true,
                object: s.secret_name,
                items: s.items,
                optional: s.optional == Some(true),
                default_mode: s.default_mode.unwrap_or(DEFAULT_MODE),
            }));
        }
        if let Some(c) = v.other.get("configMap") {
            let c: ConfigMapSource = serde_json::from_value(c.clone()).map_err(bad)?;
            return Ok(Some(Projection {
                secret: false,
                object: c.name,
                items: c.items,
                optional: c.optional == Some(true),
                default_mode: c.default_mode.unwrap_or(DEFAULT_MODE),
            }));
        }
        Ok(None)
    }

    /// `Secret` or `ConfigMap`.
    pub(crate) fn kind(&self) -> &'static str {
        if self.secret {
            "Secret"
        } else {
            "ConfigMap"
        }
    }

    /// The volume's files (path inside the volume, content, mode: the item's `mode`, else the
    /// volume's `defaultMode`, else 0644); an error naming the volume, the
    /// Secret or ConfigMap and the flag to pass when a required one or one of its listed keys
    /// is not available. A missing optional one projects no file (an empty volume).
    pub(crate) fn files(
        &self,
        volume: &str,
        sources: &KeySources,
    ) -> Result<Vec<(PathBuf, String, u32)>, String> {
        let named = |e: String| format!("volume `{volume}`: {e}");
        let (kind, object) = (self.kind(), &self.object);
        let (dir, flag) = if self.secret {
            (sources.secrets, "--secrets")
        } else {
            (sources.configmaps, "--configmaps")
        };
        if self.items.is_empty() {
            // Every key: only a directory can say which keys there are.
            let Some(found) = dir.map(|d| d.join(object)).filter(|d| d.is_dir()) else {
                if self.optional {
                    return Ok(Vec::new());
                }
                return Err(named(match dir {
                    Some(d) => format!(
                        "required {kind} `{object}` is missing: no directory {}",
                        d.join(object).display()
                    ),
                    None => format!(
                        "required {kind} `{object}` is not available: pass {flag} DIR holding {object}/ (one file per key)"
                    ),
                }));
            };
            let files = every_key(&found).map_err(named)?;
            let mode = self.default_mode;
            return Ok(files.into_iter().map(|(p, c)| (p, c, mode)).collect());
        }
        let mut files = Vec::new();
        for item in &self.items {
            let path = relative(&item.path).map_err(named)?;
            let value = if self.secret {
                sources.secret(object, &item.key, self.optional)
            } else {
                key(kind, flag, dir, object, &item.key, self.optional)
            };
            if let Some(value) = value.map_err(named)? {
                files.push((path, value, item.mode.unwrap_or(self.default_mode)));
            }
        }
        Ok(files)
    }
}

/// The regular files of `dir`, by name (a kubelet mount's `..data` entries are skipped).
fn every_key(dir: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("..") || !entry.path().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).map_err(io)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{} is not UTF-8", entry.path().display()))?;
        files.push((PathBuf::from(name), text));
    }
    files.sort();
    Ok(files)
}

/// An `items[].path`: relative, without `..` (the API server refuses others).
fn relative(path: &str) -> Result<PathBuf, String> {
    let p = Path::new(path);
    if path.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(format!(
            "items path `{path}` must be relative, without `..`"
        ));
    }
    Ok(p.to_owned())
}

/// The Secret and ConfigMap volumes `containers` mount, by volume name, among `volumes`.
pub(crate) fn mounted<'a>(
    containers: impl IntoIterator<Item = &'a Container>,
    volumes: &[&Volume],
) -> Result<BTreeMap<String, Projection>, String> {
    let mut found = BTreeMap::new();
    for mount in containers.into_iter().flat_map(|c| &c.volume_mounts) {
        if let Some(v) = volumes.iter().find(|v| v.name == mount.name) {
            if let Some(p) = Projection::of(v)? {
                found.insert(v.name.clone(), p);
            }
        }
    }
    Ok(found)
}

/// Writes each projected volume's files under `dir/<volume>/` with their modes (the mount
/// itself is read-only, as the kubelet's is), returning where each volume's files are.
pub(crate) fn project(
    projections: &BTreeMap<String, Projection>,
    sources: &KeySources,
    dir: &Path,
) -> Result<BTreeMap<String, PathBuf>, String> {
    use std::os::unix::fs::PermissionsExt;
    let io = |p: &Path, e: std::io::Error| format!("cannot write {}: {e}", p.display());
    let mut out = BTreeMap::new();
    for (volume, projection) in projections {
        let root = dir.join(volume);
        std::fs::create_dir_all(&root).map_err(|e| io(&root, e))?;
        for (path, content, mode) in projection.files(volume, sources)? {
            let file = root.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::write(&file, content).map_err(|e| io(&file, e))?;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode & 0o777))
                .map_err(|e| io(&file, e))?;
        }
        out.insert(volume.clone(), root);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volume(yaml: &str) -> Volume {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn projects_every_key_or_the_listed_items() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("s/creds")).unwrap();
        std::fs::write(dir.path().join("s/creds/user"), "u").unwrap();
        std::fs::write(dir.path().join("s/creds/pass"), "p").unwrap();
        let secrets = dir.path().join("s");
        let sources = KeySources {
            secrets: Some(&secrets),
            secrets_from_env: false,
            configmaps: None,
        };
        let all = Projection::of(&volume("{name: v, secret: {secretName: creds}}"))
            .unwrap()
            .unwrap();
        assert_eq!(
            all.files("v", &sources).unwrap(),
            [
                (PathBuf::from("pass"), "p".to_owned(), 0o644),
                (PathBuf::from("user"), "u".to_owned(), 0o644)
            ]
        );
        // `defaultMode` for every file, an item's `mode` for its own (decimal, as the API
        // server's JSON has them: 288 = 0440, 256 = 0400).
        let items = "{name: v, secret: {secretName: creds, defaultMode: 288, items: [{key: pass, path: a/pw, mode: 256}, {key: user, path: u}]}}";
        let some = Projection::of(&volume(items)).unwrap().unwrap();
        assert_eq!(
            some.files("v", &sources).unwrap(),
            [
                (PathBuf::from("a/pw"), "p".to_owned(), 0o400),
                (PathBuf::from("u"), "u".to_owned(), 0o440)
            ]
        );
        let missing = Projection::of(&volume("{name: v, configMap: {name: cm}}"))
            .unwrap()
            .unwrap();
        let e = missing.files("v", &sources).unwrap_err();
        assert_eq!(
            e,
            "volume `v`: required ConfigMap `cm` is not available: pass --configmaps DIR holding cm/ (one file per key)"
        );
        let optional = "{name: v, configMap: {name: cm, optional: true}}";
        let optional = Projection::of(&volume(optional)).unwrap().unwrap();
        assert!(optional.files("v", &sources).unwrap().is_empty());
        assert!(Projection::of(&volume("{name: v, emptyDir: {}}"))
            .unwrap()
            .is_none());
        let escape = "{name: v, secret: {secretName: creds, items: [{key: pass, path: ../x}]}}";
        let escape = Projection::of(&volume(escape)).unwrap().unwrap();
        assert!(escape
            .files("v", &sources)
            .unwrap_err()
            .contains("without `..`"));
    }
}
