//! Copying between the local store and a remote copy with the same layout (`sha256/<hex>`,
//! `cache/<key>.json`, `runs/<name>/`), such as an S3 prefix: a remote cache entry is fetched
//! with its blobs (each checked against its digest), a step's outputs and entry are uploaded
//! (blobs first), and so is the run's record. `layered.rs` decides when.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use super::cache::Entry;
use super::remote::ObjectStore;
use super::store::{Store, Stored};

fn blob_key(digest: &str) -> String {
    format!("sha256/{digest}")
}

fn entry_key(key: &str) -> String {
    format!("cache/{key}.json")
}

/// Downloads one blob unless it is already local, and checks its digest.
fn pull_blob(store: &Store, remote: &dyn ObjectStore, digest: &str) -> Result<(), String> {
    if store.blob_is_sound(digest) {
        return Ok(());
    }
    let key = blob_key(digest);
    let bytes = remote
        .get(&key)?
        .ok_or_else(|| format!("{}: missing", remote.url(&key)))?;
    let got = store.put_bytes(&bytes).map_err(|e| e.to_string())?;
    if got != digest {
        let _ = std::fs::remove_file(store.blob(&got));
        corrupt().insert(key.clone());
        return Err(format!(
            "{}: corrupt (its content hashes to {got})",
            remote.url(&key)
        ));
    }
    Ok(())
}

/// Remote blobs found corrupt in this process: re-uploaded when a step produces them again.
fn corrupt() -> std::sync::MutexGuard<'static, BTreeSet<String>> {
    static CORRUPT: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    CORRUPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// Makes every blob of `stored` local (a directory: its manifest first, then its files).
fn pull(store: &Store, remote: &dyn ObjectStore, stored: &Stored) -> Result<(), String> {
    pull_blob(store, remote, &stored.digest)?;
    for digest in store.blobs_of(stored).map_err(|e| e.to_string())? {
        pull_blob(store, remote, &digest)?;
    }
    Ok(())
}

/// The remote cache entry for `key` with all its blobs made local, or `None` when the remote
/// has no usable entry (a broken one is logged and treated as a miss).
pub(crate) fn lookup(store: &Store, remote: &dyn ObjectStore, key: &str) -> Option<Entry> {
    let fetched = (|| {
        let Some(bytes) = remote.get(&entry_key(key))? else {
            return Ok(None);
        };
        let entry: Entry = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        if entry.key != key {
            return Err("the entry names another key".into());
        }
        for stored in entry.artifacts.values() {
            pull(store, remote, stored)?;
        }
        super::cache::save(store, &entry).map_err(|e| e.to_string())?;
        Ok::<_, String>(Some(entry))
    })();
    fetched.unwrap_or_else(|e| {
        tracing::warn!("{}: not reused: {e}", remote.url(&entry_key(key)));
        None
    })
}

/// Uploads the blobs of a step's outputs that the remote lacks, then (for a cached step) the
/// cache entry, so the entry never names a blob the remote does not have.
pub(crate) fn push(
    store: &Store,
    remote: &dyn ObjectStore,
    entry: &Entry,
    with_entry: bool,
) -> Result<(), String> {
    for stored in entry.artifacts.values() {
        for digest in store.blobs_of(stored).map_err(|e| e.to_string())? {
            let key = blob_key(&digest);
            let repair = corrupt().contains(&key);
            if repair || !remote.exists(&key)? {
                let path = store.blob(&digest);
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                remote.put(&key, &bytes)?;
                if repair {
                    corrupt().remove(&key);
                }
            }
        }
    }
    if with_entry {
        let bytes = serde_json::to_vec_pretty(entry).map_err(|e| e.to_string())?;
        remote.put(&entry_key(&entry.key), &bytes)?;
    }
    Ok(())
}

/// Uploads the run's record: `run.json`, `report.html` and the step logs (not the work
/// directories), under `runs/<name>/`.
pub(crate) fn push_run(
    remote: &dyn ObjectStore,
    store: &Store,
    run_dir: &Path,
) -> Result<(), String> {
    let mut files = vec![run_dir.join("run.json"), run_dir.join("report.html")];
    let logs = std::fs::read_dir(run_dir.join("logs")).map_err(|e| e.to_string())?;
    for log in logs {
        files.push(log.map_err(|e| e.to_string())?.path());
    }
    for file in files {
        let rel = file
            .strip_prefix(store.root())
            .map_err(|_| format!("{} is outside the store", file.display()))?;
        let key = rel.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        remote.put(&key, &bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::memory::Memory;
    use std::collections::BTreeMap;

    fn entry_for(store: &Store, dir: &Path) -> Entry {
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.txt"), "alpha").unwrap();
        std::fs::write(dir.join("sub/b.txt"), "beta").unwrap();
        Entry {
            key: "k1".into(),
            produced_by: "test".into(),
            parameters: BTreeMap::from([("n".into(), "1".into())]),
            artifacts: BTreeMap::from([("out".into(), store.put_path(dir).unwrap())]),
            keys: BTreeMap::new(),
        }
    }

    #[test]
    fn pushed_entries_are_reused_from_an_empty_local_store() {
        let tmp = tempfile::tempdir().unwrap();
        let first = Store::open(&tmp.path().join("first")).unwrap();
        let entry = entry_for(&first, &tmp.path().join("src"));
        let remote = Memory::default();
        push(&first, &remote, &entry, true).unwrap();
        // Manifest + two files + the entry.
        assert_eq!(remote.0.lock().unwrap().len(), 4);

        let second = Store::open(&tmp.path().join("second")).unwrap();
        assert_eq!(lookup(&second, &remote, "k1"), Some(entry.clone()));
        let out = tmp.path().join("out");
        second.materialize(&entry.artifacts["out"], &out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("sub/b.txt")).unwrap(),
            "beta"
        );
        assert_eq!(lookup(&second, &remote, "other"), None);
    }

    #[test]
    fn a_corrupt_remote_blob_is_a_miss_and_is_not_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let first = Store::open(&tmp.path().join("first")).unwrap();
        let entry = entry_for(&first, &tmp.path().join("src"));
        let remote = Memory::default();
        push(&first, &remote, &entry, true).unwrap();
        let blob = first.blobs_of(&entry.artifacts["out"]).unwrap()[1].clone();
        remote.put(&blob_key(&blob), b"tampered").unwrap();

        let second = Store::open(&tmp.path().join("second")).unwrap();
        assert_eq!(lookup(&second, &remote, "k1"), None);
        // Only the manifest (downloaded before the tampered file) is kept.
        let kept: Vec<_> = std::fs::read_dir(second.root().join("sha256"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(kept, [entry.artifacts["out"].digest.clone()]);
        assert!(!second.root().join("cache/k1.json").exists());

        // The step reruns and makes the same blob again: the corrupt copy is replaced.
        push(&first, &remote, &entry, true).unwrap();
        assert_eq!(lookup(&second, &remote, "k1"), Some(entry));
    }

    #[test]
    fn an_entry_is_uploaded_only_after_its_blobs() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("store")).unwrap();
        let entry = entry_for(&store, &tmp.path().join("src"));
        let blob = store.blobs_of(&entry.artifacts["out"]).unwrap()[2].clone();
        std::fs::remove_file(store.blob(&blob)).unwrap();
        let remote = Memory::default();
        let err = push(&store, &remote, &entry, true).unwrap_err();
        assert!(err.contains("No such file"), "{err}");
        assert!(!remote.exists(&entry_key("k1")).unwrap());
    }
}
