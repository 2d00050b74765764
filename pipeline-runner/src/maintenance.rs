//! `store verify` and `store gc`: checking every blob against its name, and removing old runs
//! with the cache entries and blobs nothing kept refers to. Both work on the local store and on
//! a remote copy (through [`ObjectStore::list`] and [`ObjectStore::delete`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::cache::Entry;
use super::remote::{ObjectInfo, ObjectStore, StoreError};
use super::store::hex;
use super::summary::{ArtifactKind, RunSummary};

/// What `store verify` found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Blobs checked.
    pub checked: usize,
    /// Blobs whose content does not hash to their name (removed when asked to fix).
    pub corrupt: Vec<String>,
    /// Whether the corrupt blobs were removed (a later run recomputes them).
    pub removed: bool,
}

/// What `store gc` removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GcReport {
    /// Runs kept (newest first).
    pub kept_runs: Vec<String>,
    /// Runs removed.
    pub removed_runs: Vec<String>,
    /// Cache entries removed.
    pub removed_entries: usize,
    /// Blobs removed.
    pub removed_blobs: usize,
    /// Bytes freed.
    pub freed_bytes: u64,
}

/// A store as keys (`sha256/<hex>`, `cache/<key>.json`, `runs/<name>/...`).
trait Keys {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, String>;
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, String>;
    fn delete(&self, key: &str) -> Result<(), String>;
}

/// The local store directory.
struct Local(PathBuf);

impl Keys for Local {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, String> {
        let mut out = Vec::new();
        walk(&self.0, &self.0.join(prefix), &mut out)?;
        Ok(out)
    }
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        match std::fs::read(self.0.join(key)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", self.0.join(key).display())),
        }
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        let path = self.0.join(key);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<ObjectInfo>) -> Result<(), String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", dir.display())),
    };
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let meta = entry
            .metadata()
            .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        if meta.is_dir() {
            walk(root, &entry.path(), out)?;
        } else if let Ok(rel) = entry.path().strip_prefix(root) {
            out.push(ObjectInfo {
                key: rel.to_string_lossy().replace('\\', "/"),
                size: meta.len(),
                modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            });
        }
    }
    Ok(())
}

struct Remote<'a>(&'a dyn ObjectStore);

impl Keys for Remote<'_> {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, String> {
        Ok(self.0.list(prefix)?)
    }
    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.get(key)?)
    }
    fn delete(&self, key: &str) -> Result<(), String> {
        Ok(self.0.delete(key)?)
    }
}

fn keys<'a>(root: &Path, remote: Option<&'a dyn ObjectStore>) -> Box<dyn Keys + 'a> {
    match remote {
        Some(r) => Box::new(Remote(r)),
        None => Box::new(Local(root.to_owned())),
    }
}

/// Checks every blob of the store at `root` (or of `remote`) against its name; with `fix`,
/// removes the corrupt ones so that the steps that made them run again.
pub fn verify(
    root: &Path,
    remote: Option<&dyn ObjectStore>,
    fix: bool,
) -> Result<VerifyReport, String> {
    let store = keys(root, remote);
    let mut report = VerifyReport::default();
    for blob in store.list("sha256/")? {
        let name = blob.key.trim_start_matches("sha256/");
        let Some(bytes) = store.read(&blob.key)? else {
            continue;
        };
        report.checked += 1;
        if hex(&Sha256::digest(&bytes)) != name {
            report.corrupt.push(blob.key.clone());
            if fix {
                store.delete(&blob.key)?;
            }
        }
    }
    report.removed = fix && !report.corrupt.is_empty();
    Ok(report)
}

/// Keeps the `keep` newest runs; removes the older runs, the cache entries the kept runs do
/// not use, the blobs no kept run or cache entry refers to, and temp files older than an hour.
/// A run without `run.json` younger than an hour is kept (it may still be running).
pub fn gc(
    root: &Path,
    remote: Option<&dyn ObjectStore>,
    keep: usize,
) -> Result<GcReport, StoreError> {
    let store = keys(root, remote);
    let now = SystemTime::now();
    let young =
        |t: SystemTime| now.duration_since(t).unwrap_or_default() < Duration::from_secs(3600);
    let mut report = GcReport::default();
    // Runs, newest first (by their newest file).
    let mut runs: Vec<(String, SystemTime, Vec<ObjectInfo>, bool)> = Vec::new();
    for object in store.list("runs/")? {
        let Some(name) = object
            .key
            .strip_prefix("runs/")
            .and_then(|r| r.split('/').next())
        else {
            continue;
        };
        let is_record = object.key == format!("runs/{name}/run.json");
        match runs.iter_mut().find(|r| r.0 == name) {
            Some(run) => {
                run.1 = run.1.max(object.modified);
                run.3 |= is_record;
                run.2.push(object);
            }
            None => runs.push((name.to_owned(), object.modified, vec![object], is_record)),
        }
    }
    runs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut referenced: BTreeMap<String, ArtifactKind> = BTreeMap::new();
    let mut kept = BTreeSet::new();
    for (i, (name, modified, objects, recorded)) in runs.iter().enumerate() {
        if i < keep || (!recorded && young(*modified)) {
            kept.insert(name.clone());
            report.kept_runs.push(name.clone());
            if let Some(bytes) = store.read(&format!("runs/{name}/run.json"))? {
                if let Ok(summary) = serde_json::from_slice::<RunSummary>(&bytes) {
                    for a in summary.steps.iter().flat_map(|s| &s.artifacts) {
                        referenced.insert(a.digest.clone(), a.kind);
                    }
                }
            }
        } else {
            for object in objects {
                store.delete(&object.key)?;
                report.freed_bytes += object.size;
            }
            if remote.is_none() {
                let _ = std::fs::remove_dir_all(root.join("runs").join(name));
            }
            report.removed_runs.push(name.clone());
        }
    }
    let digests: BTreeSet<String> = referenced.keys().cloned().collect();
    for object in store.list("cache/")? {
        let entry = store
            .read(&object.key)?
            .and_then(|b| serde_json::from_slice::<Entry>(&b).ok());
        let keep_entry = entry.as_ref().is_some_and(|e| {
            let run = e.produced_by.split('/').next().unwrap_or_default();
            kept.contains(run)
                || (!e.artifacts.is_empty()
                    && e.artifacts.values().all(|a| digests.contains(&a.digest)))
        });
        match entry.filter(|_| keep_entry) {
            Some(e) => {
                for a in e.artifacts.values() {
                    referenced.insert(a.digest.clone(), a.kind);
                }
            }
            None => {
                store.delete(&object.key)?;
                report.removed_entries += 1;
                report.freed_bytes += object.size;
            }
        }
    }
    // A directory artifact refers to its files through its manifest.
    let mut live: BTreeSet<String> = BTreeSet::new();
    for (digest, kind) in &referenced {
        live.insert(digest.clone());
        if *kind == ArtifactKind::Directory {
            if let Some(bytes) = store.read(&format!("sha256/{digest}"))? {
                let manifest: serde_json::Value =
                    serde_json::from_slice(&bytes).unwrap_or_default();
                for file in manifest["files"].as_array().into_iter().flatten() {
                    if let Some(d) = file["digest"].as_str() {
                        live.insert(d.to_owned());
                    }
                }
            }
        }
    }
    for blob in store.list("sha256/")? {
        if !live.contains(blob.key.trim_start_matches("sha256/")) {
            store.delete(&blob.key)?;
            report.removed_blobs += 1;
            report.freed_bytes += blob.size;
        }
    }
    for temp in store.list("tmp/")? {
        if !young(temp.modified) {
            store.delete(&temp.key)?;
            report.freed_bytes += temp.size;
        }
    }
    Ok(report)
}
