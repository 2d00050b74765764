//! The per-attempt work directory standing in for the container's `/scratch` volume: path
//! remapping, input materialization and output collection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::store::Store;
use super::subst::{substitute, Scope};
use super::values::{Collected, Source};
use crate::argo::contract::SCRATCH;
use crate::argo::Template;

/// Replaces the container path `/scratch` (as a whole path component) by `work`.
pub(crate) fn remap(text: &str, work: &Path) -> String {
    let work = work.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in text.match_indices(SCRATCH) {
        let end = i + SCRATCH.len();
        let before = text[..i].chars().last();
        let after = text[end..].chars().next();
        if i < last || !boundary(before) || !(after == Some('/') || boundary(after)) {
            continue;
        }
        out.push_str(&text[last..i]);
        out.push_str(&work);
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

fn boundary(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => !(c.is_alphanumeric() || "_-./".contains(c)),
    }
}

/// A container path under `/scratch`, mapped into `work`; other paths are an error.
pub(crate) fn local_path(container: &str, work: &Path) -> Result<PathBuf, String> {
    let rest = container
        .strip_prefix(SCRATCH)
        .filter(|r| r.starts_with('/'))
        .ok_or_else(|| {
            format!("path `{container}` is outside {SCRATCH}; the local runner only maps {SCRATCH}")
        })?;
    let rel = Path::new(rest.trim_start_matches('/'));
    if rel
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(format!(
            "path `{container}` is not a plain path under {SCRATCH}"
        ));
    }
    Ok(work.join(rel))
}

/// Creates a fresh work dir with `in/`, `out/`, `home/` and `tmp/`.
pub(crate) fn create(work: &Path) -> std::io::Result<()> {
    if work.exists() {
        std::fs::remove_dir_all(work)?;
    }
    for sub in ["in", "out", "home", "tmp"] {
        std::fs::create_dir_all(work.join(sub))?;
    }
    Ok(())
}

/// Copies an input artifact to `dest`.
pub(crate) fn materialize(store: &Store, source: &Source, dest: &Path) -> std::io::Result<()> {
    match source {
        Source::Stored(stored) => store.materialize(stored, dest),
        Source::Gathered(members) => {
            std::fs::create_dir_all(dest)?;
            for (name, stored) in members {
                store.materialize(stored, &dest.join(name))?;
            }
            Ok(())
        }
        Source::Sub(inner, sub) => {
            let rel = Path::new(sub.trim_start_matches('/'));
            if rel
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
            {
                return Err(std::io::Error::other(format!(
                    "subPath `{sub}` is not a plain relative path"
                )));
            }
            let whole = dest.with_extension("subpath-whole");
            materialize(store, inner, &whole)?;
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let picked = std::fs::rename(whole.join(rel), dest).map_err(|e| {
                std::io::Error::other(format!("subPath `{sub}` is not in the artifact: {e}"))
            });
            let _ = std::fs::remove_dir_all(&whole);
            picked
        }
        Source::Raw(data) => {
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(dest, data)
        }
    }
}

/// Reads the template's outputs from `work` (a container path maps to a local one with
/// `local_path`) and stores the artifacts.
pub(crate) fn collect(
    template: &Template,
    work: &Path,
    local_path: &dyn Fn(&str, &Path) -> Result<PathBuf, String>,
    scope: &Scope,
    store: &Store,
) -> Result<Collected, String> {
    let mut out = Collected::default();
    let Some(outputs) = &template.outputs else {
        return Ok(out);
    };
    for p in &outputs.parameters {
        let from = p.value_from.as_ref();
        let value = match (from.and_then(|f| f.path.as_ref()), &p.value) {
            (Some(path), _) => match std::fs::read(local_path(path, work)?) {
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    text.strip_suffix('\n').map(str::to_owned).unwrap_or(text)
                }
                Err(e) => from.and_then(|f| f.default.clone()).ok_or_else(|| {
                    format!("output parameter `{}`: cannot read {path}: {e}", p.name)
                })?,
            },
            (None, Some(value)) => substitute(value, scope)?,
            (None, None) => match from.and_then(|f| f.default.clone()) {
                Some(default) => default,
                None => {
                    return Err(format!(
                    "output parameter `{}`: only valueFrom.path is supported by the local runner",
                    p.name
                ))
                }
            },
        };
        out.parameters.insert(p.name.clone(), value);
    }
    for a in &outputs.artifacts {
        let path = a
            .path
            .as_ref()
            .ok_or_else(|| format!("output artifact `{}` has no path", a.name))?;
        let local = local_path(path, work)?;
        if !local.exists() {
            if a.optional == Some(true) {
                continue;
            }
            return Err(format!(
                "output artifact `{}`: {path} was not written",
                a.name
            ));
        }
        let stored = store
            .put_path(&local)
            .map_err(|e| format!("output artifact `{}`: cannot store {path}: {e}", a.name))?;
        if let Some(key) = a.s3.as_ref().and_then(|s| s.key.as_ref()) {
            out.keys.insert(a.name.clone(), substitute(key, scope)?);
        }
        out.artifacts.insert(a.name.clone(), stored);
    }
    Ok(out)
}

/// Resolved repository keys of the template's outputs (re-derived on a cache hit).
pub(crate) fn output_keys(
    template: &Template,
    scope: &Scope,
) -> Result<BTreeMap<String, String>, String> {
    let mut keys = BTreeMap::new();
    for a in template.outputs.iter().flat_map(|o| &o.artifacts) {
        if let Some(key) = a.s3.as_ref().and_then(|s| s.key.as_ref()) {
            keys.insert(a.name.clone(), substitute(key, scope)?);
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaps_scratch_paths_only() {
        let w = Path::new("/runs/x/work/a");
        assert_eq!(
            remap("rows=/scratch/in/rows", w),
            "rows=/runs/x/work/a/in/rows"
        );
        assert_eq!(remap("/scratch/home", w), "/runs/x/work/a/home");
        assert_eq!(remap("/scratch", w), "/runs/x/work/a");
        assert_eq!(remap("/data/scratch/x", w), "/data/scratch/x");
        assert_eq!(remap("/scratchy/x", w), "/scratchy/x");
        assert_eq!(remap("a:/scratch/b", w), "a:/runs/x/work/a/b");
        assert_eq!(local_path("/scratch/out/m", w).unwrap(), w.join("out/m"));
        assert!(local_path("/tmp/m", w).is_err());
        assert!(local_path("/scratch/../etc", w).is_err());
    }
}
