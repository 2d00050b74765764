//! Setting a run up: workflow parameters, the run's name and uid, its directory and the
//! digest of the components binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::store::{digest_file, Store};
use super::RunnerError;
use crate::argo::Workflow;

/// The SHA-256 of the components binary. Hashing a large debug binary takes a while, so the
/// digest is remembered (in memory and in `<artifacts>/binaries.json`) against the file's
/// path, size and modification time.
pub(crate) fn binary_digest(store: &Store, binary: &Path) -> std::io::Result<String> {
    static MEMO: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    let meta = std::fs::metadata(binary)?;
    let mtime = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let id = format!("{}|{}|{mtime}", binary.display(), meta.len());
    let mut memo = MEMO.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(digest) = memo.get(&id) {
        return Ok(digest.clone());
    }
    let file = store.root().join("binaries.json");
    let mut known: BTreeMap<String, String> = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let digest = match known.get(&id) {
        Some(d) => d.clone(),
        None => {
            let d = digest_file(binary)?;
            known.insert(id.clone(), d.clone());
            if let Ok(bytes) = serde_json::to_vec_pretty(&known) {
                let _ = store.write_atomic(&file, &bytes);
            }
            d
        }
    };
    memo.insert(id, digest.clone());
    Ok(digest)
}

/// `spec.arguments.parameters` with the overrides applied and checked.
pub(crate) fn parameters(
    wf: &Workflow,
    overrides: &BTreeMap<String, String>,
    configmaps: Option<&Path>,
) -> Result<BTreeMap<String, String>, RunnerError> {
    let declared = wf
        .spec
        .arguments
        .as_ref()
        .map(|a| a.parameters.as_slice())
        .unwrap_or_default();
    if let Some(name) = overrides
        .keys()
        .find(|k| !declared.iter().any(|p| &p.name == *k))
    {
        return Err(RunnerError::UnknownParameter {
            name: name.clone(),
            known: declared.iter().map(|p| p.name.clone()).collect(),
        });
    }
    let mut out = BTreeMap::new();
    for p in declared {
        // `valueFrom.configMapKeyRef`, read from `--configmaps DIR` as a kubelet mounts it.
        let from_map = match p
            .value_from
            .as_ref()
            .and_then(|f| f.config_map_key_ref.as_ref())
        {
            Some(r) if !overrides.contains_key(&p.name) => {
                let optional = r.optional == Some(true);
                super::pod_env::key(
                    "ConfigMap",
                    "--configmaps",
                    configmaps,
                    &r.name,
                    &r.key,
                    optional,
                )
                .map_err(|message| RunnerError::InvalidParameter {
                    name: p.name.clone(),
                    message,
                })?
            }
            _ => None,
        };
        let value = overrides
            .get(&p.name)
            .or(from_map.as_ref())
            .or(p.value.as_ref())
            .or(p.default.as_ref())
            .ok_or_else(|| RunnerError::InvalidParameter {
                name: p.name.clone(),
                message: "has no value: pass one".into(),
            })?;
        if !p.enum_.is_empty() && !p.enum_.contains(value) {
            return Err(RunnerError::InvalidParameter {
                name: p.name.clone(),
                message: format!("`{value}` is not one of {}", p.enum_.join(", ")),
            });
        }
        out.insert(p.name.clone(), value.clone());
    }
    Ok(out)
}

fn entropy(salt: &str) -> [u8; 32] {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let local = 0u8;
    let seed = format!("{salt}/{nanos}/{}/{:p}", std::process::id(), &local);
    Sha256::digest(seed.as_bytes()).into()
}

/// `<generateName><5 random [a-z0-9]>`, or `metadata.name`.
pub(crate) fn generate_name(wf: &Workflow) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    match (&wf.metadata.generate_name, &wf.metadata.name) {
        (None, Some(name)) => name.clone(),
        (prefix, _) => {
            let prefix = prefix.clone().unwrap_or_else(|| "workflow-".into());
            let suffix: String = entropy(&prefix)
                .iter()
                .take(5)
                .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
                .collect();
            format!("{prefix}{suffix}")
        }
    }
}

pub(crate) fn uid(name: &str) -> String {
    let h = super::store::hex(&entropy(name));
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `<parent>/<name>`, or `<name>-2`, `-3`, ... when it already exists.
pub(crate) fn fresh_dir(parent: &Path, name: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(parent)?;
    for n in 1..10_000 {
        let dir = if n == 1 {
            parent.join(name)
        } else {
            parent.join(format!("{name}-{n}"))
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!("too many runs named {name}")))
}
