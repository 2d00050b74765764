//! Remote object stores: the [`ObjectStore`] trait a remote copy of the artifact store
//! implements (such as an S3 prefix), and the registry of URL schemes that open one
//! ([`RemoteScheme`], [`open_remote`]).

use std::fmt;
use std::sync::Arc;

/// What a store reports: one line naming the object or URL and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

impl From<String> for StoreError {
    fn from(message: String) -> Self {
        StoreError(message)
    }
}

impl From<StoreError> for String {
    fn from(e: StoreError) -> Self {
        e.0
    }
}

/// An object store the runner mirrors its artifact store to (see
/// [`RunOptions::remote`](super::RunOptions::remote)). Keys are `/`-separated paths relative
/// to the store's root.
pub trait ObjectStore: Send + Sync + fmt::Debug {
    /// The object's URL, for messages (`s3://bucket/prefix/<key>`).
    fn url(&self, key: &str) -> String;
    /// The object's bytes, or `None` when it does not exist.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// True when the object exists.
    fn exists(&self, key: &str) -> Result<bool, StoreError>;
    /// Writes the object.
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// Every object whose key starts with `prefix` (for `store verify` and `store gc`).
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        Err(StoreError(format!(
            "{}: this store cannot list its objects",
            self.url(prefix)
        )))
    }
    /// Removes the object (no error when it does not exist).
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        Err(StoreError(format!(
            "{}: this store cannot delete objects",
            self.url(key)
        )))
    }
}

/// An object of a store, as [`ObjectStore::list`] returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectInfo {
    /// Key relative to the store's root.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification.
    pub modified: std::time::SystemTime,
}

/// Opens remote stores for one URL scheme (`s3`), so `--artifacts <scheme>://...` works in
/// every binary that links a crate submitting one (`pipeline-remote` submits `s3`) with `inventory::submit!`.
///
/// ```
/// use pipeline_runner::{open_remote, ObjectStore, RemoteScheme, StoreError};
/// use std::sync::Arc;
///
/// fn open_mem(url: &str) -> Result<Arc<dyn ObjectStore>, StoreError> {
///     Err(StoreError(format!("{url}: this example has no memory store")))
/// }
/// inventory::submit! { RemoteScheme { scheme: "mem", open: open_mem } }
///
/// let err = open_remote("mem://x").unwrap_err();
/// assert_eq!(err.to_string(), "mem://x: this example has no memory store");
/// let err = open_remote("gs://bucket").unwrap_err();
/// let err = err.to_string();
/// assert!(err.contains("no store for `gs://`") && err.contains("known: mem"), "{err}");
/// ```
pub struct RemoteScheme {
    /// The scheme, without `://`.
    pub scheme: &'static str,
    /// Opens the store rooted at a URL of this scheme.
    pub open: fn(&str) -> Result<Arc<dyn ObjectStore>, StoreError>,
}

inventory::collect!(RemoteScheme);

/// Opens the remote store at `url` with the scheme registered for it.
pub fn open_remote(url: &str) -> Result<Arc<dyn ObjectStore>, StoreError> {
    let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
    let registered = || inventory::iter::<RemoteScheme>.into_iter();
    match registered().find(|r| r.scheme == scheme) {
        Some(r) => (r.open)(url),
        None => {
            let mut known: Vec<&str> = registered().map(|r| r.scheme).collect();
            known.sort_unstable();
            Err(StoreError(format!(
                "`{url}`: no store for `{scheme}://` is linked into this binary (known: {}); \
                 depend on the pipeline-remote crate for s3://",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            )))
        }
    }
}

/// An in-memory object store, for tests.
#[cfg(test)]
pub(crate) mod memory {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::{ObjectStore, StoreError};

    /// Objects by key.
    #[derive(Debug, Default)]
    pub(crate) struct Memory(pub Mutex<HashMap<String, Vec<u8>>>);

    impl ObjectStore for Memory {
        fn url(&self, key: &str) -> String {
            format!("mem://{key}")
        }
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(self.0.lock().unwrap().get(key).cloned())
        }
        fn exists(&self, key: &str) -> Result<bool, StoreError> {
            Ok(self.0.lock().unwrap().contains_key(key))
        }
        fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
            self.0.lock().unwrap().insert(key.into(), bytes.to_vec());
            Ok(())
        }
    }
}
