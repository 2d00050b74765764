//! The store as a run uses it: the local store (the working copy, `store.rs` and `cache.rs`)
//! and, behind it, an optional remote copy with the same layout (`sha256/<hex>`,
//! `cache/<key>.json`, `runs/<name>/`), such as an S3 prefix. Callers never ask whether there
//! is a remote: a lookup reads the local cache, else fetches the remote entry and the blobs it
//! names (each checked against its digest); recording a step's outputs writes the local entry,
//! then uploads what the remote lacks; the run's record is uploaded at the end. How blobs and
//! entries are copied each way is `mirror.rs`.

use std::path::Path;
use std::sync::Arc;

use super::cache::{self, Entry};
use super::mirror;
use super::remote::{ObjectStore, StoreError};
use super::store::Store;
use super::RunnerError;

/// The local store, with the remote copy behind it if there is one.
#[derive(Debug)]
pub(crate) struct LayeredStore {
    local: Store,
    remote: Option<Arc<dyn ObjectStore>>,
}

impl LayeredStore {
    /// Fails before any work when `remote` cannot be reached or its bucket is missing.
    pub(crate) fn probe(remote: Option<&dyn ObjectStore>) -> Result<(), RunnerError> {
        let Some(remote) = remote else {
            return Ok(());
        };
        remote
            .get("cache/.probe")
            .map(|_| ())
            .map_err(|message| RunnerError::Remote {
                url: remote.url(""),
                message: message.into(),
            })
    }

    /// Opens (creating) the local store at `root`, with `remote` behind it.
    pub(crate) fn open(
        root: &Path,
        remote: Option<Arc<dyn ObjectStore>>,
    ) -> std::io::Result<LayeredStore> {
        Ok(LayeredStore {
            local: Store::open(root)?,
            remote,
        })
    }

    /// The local store, where steps read their inputs and write their outputs.
    pub(crate) fn local(&self) -> &Store {
        &self.local
    }

    /// The cache entry for `key`: the local one ([`cache::lookup`]), else the remote copy's with
    /// every blob it names made local (a broken remote entry is logged and is a miss).
    pub(crate) fn lookup(&self, key: &str) -> Option<Entry> {
        cache::lookup(&self.local, key)
            .or_else(|| mirror::lookup(&self.local, self.remote.as_deref()?, key))
    }

    /// A cache hit is reused: the remote copy gets what it lacks of it (a local hit it may not
    /// have; blobs it has are not uploaded again).
    pub(crate) fn reuse(&self, hit: &Entry) -> Result<(), StoreError> {
        self.upload(hit, true)
    }

    /// Records a successful step's outputs: its cache entry when `cached` (a local entry that
    /// cannot be written is logged), then the blobs the remote lacks and (when `cached`) the
    /// entry, so a remote entry never names a blob the remote does not have. Fails only when
    /// the upload fails; the outputs stay in the local store.
    pub(crate) fn record(&self, entry: &Entry, cached: bool) -> Result<(), StoreError> {
        if cached {
            if let Err(e) = cache::save(&self.local, entry) {
                tracing::warn!(entry = %entry.produced_by, "cannot write the cache entry: {e}");
            }
        }
        self.upload(entry, cached)
    }

    /// Uploads the run's record under `runs/<name>/`: `run.json`, `report.html` and the step
    /// logs (not the work directories). Errors name where the record was going.
    pub(crate) fn record_run(&self, run_dir: &Path) -> Result<(), RunnerError> {
        let (Some(remote), Some(url)) = (&self.remote, self.remote_url(run_dir)) else {
            return Ok(());
        };
        mirror::push_run(remote.as_ref(), &self.local, run_dir)
            .map_err(|message| RunnerError::Remote { url, message })
    }

    /// Where `path` (under the local root) is in the remote copy, if there is one.
    pub(crate) fn remote_url(&self, path: &Path) -> Option<String> {
        let remote = self.remote.as_ref()?;
        let rel = path.strip_prefix(self.local.root()).ok()?;
        Some(remote.url(&rel.to_string_lossy().replace('\\', "/")))
    }

    fn upload(&self, entry: &Entry, with_entry: bool) -> Result<(), StoreError> {
        match &self.remote {
            Some(remote) => {
                mirror::push(&self.local, remote.as_ref(), entry, with_entry).map_err(StoreError)
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remote::memory::Memory;
    use std::collections::BTreeMap;

    /// A layered store at `dir/name` over `remote`, and an entry for a one-file output it holds.
    fn store_with_entry(
        dir: &Path,
        name: &str,
        remote: Option<Arc<Memory>>,
    ) -> (LayeredStore, Entry) {
        let remote = remote.map(|r| r as Arc<dyn ObjectStore>);
        let store = LayeredStore::open(&dir.join(name), remote).unwrap();
        let file = dir.join(format!("{name}.txt"));
        std::fs::write(&file, "output").unwrap();
        let entry = Entry {
            key: "k1".into(),
            produced_by: "wf/step".into(),
            parameters: BTreeMap::from([("n".into(), "1".into())]),
            artifacts: BTreeMap::from([("out".into(), store.local().put_path(&file).unwrap())]),
            keys: BTreeMap::new(),
        };
        (store, entry)
    }

    fn keys(remote: &Memory) -> Vec<String> {
        let mut keys: Vec<String> = remote.0.lock().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    }

    #[test]
    fn a_recorded_step_is_found_through_the_remote_by_another_store() {
        let tmp = tempfile::tempdir().unwrap();
        let remote = Arc::new(Memory::default());
        let (first, entry) = store_with_entry(tmp.path(), "first", Some(remote.clone()));
        first.record(&entry, true).unwrap();
        let blob = format!("sha256/{}", entry.artifacts["out"].digest);
        assert_eq!(keys(&remote), ["cache/k1.json".to_owned(), blob]);
        assert_eq!(first.lookup("k1"), Some(entry.clone()), "the local entry");

        let second = LayeredStore::open(&tmp.path().join("second"), Some(remote)).unwrap();
        assert_eq!(second.lookup("k1"), Some(entry.clone()));
        assert!(second.local().is_complete(&entry.artifacts["out"]));
        // Kept locally: found without the remote now.
        let local_only = LayeredStore::open(&tmp.path().join("second"), None).unwrap();
        assert_eq!(local_only.lookup("k1"), Some(entry));
        assert_eq!(second.lookup("other"), None);
    }

    #[test]
    fn a_never_cached_step_uploads_its_outputs_but_no_entry() {
        let tmp = tempfile::tempdir().unwrap();
        let remote = Arc::new(Memory::default());
        let (store, entry) = store_with_entry(tmp.path(), "s", Some(remote.clone()));
        store.record(&entry, false).unwrap();
        let blob = format!("sha256/{}", entry.artifacts["out"].digest);
        assert_eq!(keys(&remote), [blob]);
        assert_eq!(store.lookup("k1"), None, "no local entry either");
    }

    #[test]
    fn a_local_hit_is_uploaded_to_a_remote_that_lacks_it() {
        let tmp = tempfile::tempdir().unwrap();
        let (local, entry) = store_with_entry(tmp.path(), "s", None);
        local.record(&entry, true).unwrap();
        let remote = Arc::new(Memory::default());
        let store = LayeredStore::open(&tmp.path().join("s"), Some(remote.clone())).unwrap();
        let hit = store.lookup("k1").unwrap();
        assert!(
            keys(&remote).is_empty(),
            "a local hit needs nothing from the remote"
        );
        store.reuse(&hit).unwrap();
        assert_eq!(keys(&remote).len(), 2);
    }

    #[test]
    fn without_a_remote_nothing_is_uploaded_or_named() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, entry) = store_with_entry(tmp.path(), "s", None);
        store.record(&entry, true).unwrap();
        store.reuse(&entry).unwrap();
        let run_dir = store.local().root().join("runs/wf");
        assert_eq!(store.remote_url(&run_dir), None);
        store.record_run(&run_dir).unwrap();
        assert!(LayeredStore::probe(None).is_ok());
    }

    #[test]
    fn the_run_record_goes_under_runs_and_names_its_url() {
        let tmp = tempfile::tempdir().unwrap();
        let remote = Arc::new(Memory::default());
        let (store, _) = store_with_entry(tmp.path(), "s", Some(remote.clone()));
        let run_dir = store.local().root().join("runs/wf");
        std::fs::create_dir_all(run_dir.join("logs")).unwrap();
        for file in ["run.json", "report.html", "logs/a-attempt1.log"] {
            std::fs::write(run_dir.join(file), file).unwrap();
        }
        assert_eq!(store.remote_url(&run_dir).as_deref(), Some("mem://runs/wf"));
        store.record_run(&run_dir).unwrap();
        let expected = [
            "runs/wf/logs/a-attempt1.log",
            "runs/wf/report.html",
            "runs/wf/run.json",
        ];
        assert_eq!(keys(&remote), expected);
    }
}
