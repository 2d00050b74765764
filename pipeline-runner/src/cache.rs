//! The step cache: `<artifacts>/cache/<key>.json`, one entry per successful execution.
//!
//! The key is the SHA-256 of a JSON document holding the template (with its name), the resolved
//! input parameter values, the fingerprints of the outside data they name (a file's digest, an
//! object's ETag: see [`ExternalParam`](crate::external::ExternalParam)), the digests of the
//! input artifacts and the digest of the components binary, or the version the component declares
//! (`#[component(version = "...")]`) instead. An entry records the output parameters and output
//! artifacts; it is only used when every blob it references is still in the store. Templates
//! marked never cached (`#[component(cache = false)]`) are neither looked up nor recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::store::{hex, Store, Stored};
use crate::argo::contract::VERSION_ANNOTATION;
use crate::argo::Template;
use crate::argo::DESCRIPTION_ANNOTATION;

/// A cached result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The cache key.
    pub key: String,
    /// Task (and item) that produced it, for people reading the cache.
    pub produced_by: String,
    /// Output parameters.
    pub parameters: BTreeMap<String, String>,
    /// Output artifacts by name.
    pub artifacts: BTreeMap<String, Stored>,
    /// Repository keys the artifacts were recorded under (informational: a hit re-resolves
    /// them for the current run).
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
}

/// The cache key of one execution. `command` is the substituted args and env (before the
/// work-dir remapping), so workflow variables used directly in the template count too.
pub(crate) fn key(
    template: &Template,
    parameters: &BTreeMap<String, String>,
    fingerprints: &BTreeMap<String, String>,
    artifacts: &BTreeMap<String, String>,
    command: &serde_json::Value,
    binary_digest: &str,
) -> String {
    // The description is documentation: editing it changes no result. A declared version
    // stands for the component's code instead of the whole binary.
    let mut template = template.clone();
    let mut code = binary_digest.to_owned();
    if let Some(metadata) = &mut template.metadata {
        metadata.annotations.remove(DESCRIPTION_ANNOTATION);
        if let Some(version) = metadata.annotations.get(VERSION_ANNOTATION) {
            code = format!("version {version}");
        }
    }
    let doc = serde_json::json!({
        "version": 2,
        "template": template,
        "parameters": parameters,
        "fingerprints": fingerprints,
        "artifacts": artifacts,
        "command": command,
        "binary": code,
    });
    hex(&Sha256::digest(doc.to_string().as_bytes()))
}

/// The digest of a gathered directory: its member names and digests.
pub(crate) fn gathered_digest(members: &[(String, Stored)]) -> String {
    let mut hasher = Sha256::new();
    for (name, stored) in members {
        hasher.update(format!("{name}\t{}\n", stored.digest).as_bytes());
    }
    hex(&hasher.finalize())
}

fn path(store: &Store, key: &str) -> PathBuf {
    store.root().join("cache").join(format!("{key}.json"))
}

/// The entry for `key`, if it exists, parses, and every blob it references is present and
/// sound (a corrupt blob makes the entry a miss: the step runs again and replaces it).
pub(crate) fn lookup(store: &Store, key: &str) -> Option<Entry> {
    let bytes = std::fs::read(path(store, key)).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    (entry.key == key && entry.artifacts.values().all(|a| store.is_complete(a))).then_some(entry)
}

/// Writes an entry atomically.
pub(crate) fn save(store: &Store, entry: &Entry) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(entry).map_err(std::io::Error::other)?;
    store.write_atomic(&path(store, &entry.key), &bytes)
}
