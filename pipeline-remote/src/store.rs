//! The local runner's `s3://bucket/prefix` artifact store.

use std::sync::Arc;

use pipeline_runner::{ObjectInfo, ObjectStore, RemoteScheme, StoreError};

use super::{S3Client, S3Url};

/// A key prefix in a bucket used as a store with the local layout (`sha256/`, `cache/`,
/// `runs/`): the local runner's `--artifacts s3://bucket/prefix`.
#[derive(Debug, Clone)]
pub struct S3Prefix {
    client: S3Client,
    root: S3Url,
}

impl S3Prefix {
    /// The prefix `root`, reached with `client`.
    pub fn new(client: S3Client, root: S3Url) -> S3Prefix {
        S3Prefix { client, root }
    }
}

impl ObjectStore for S3Prefix {
    fn url(&self, key: &str) -> String {
        self.root.join(key).to_string()
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.client
            .get_if_exists(&self.root.join(key))
            .map_err(|e| StoreError(e.to_string()))
    }

    fn exists(&self, key: &str) -> Result<bool, StoreError> {
        self.client
            .exists(&self.root.join(key))
            .map_err(|e| StoreError(e.to_string()))
    }

    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.client
            .put(&self.root.join(key), bytes)
            .map_err(|e| StoreError(e.to_string()))
    }

    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, StoreError> {
        let root = self.root.join("");
        let listed = self
            .client
            .list(&self.root.join(prefix))
            .map_err(|e| StoreError(e.to_string()))?;
        Ok(listed
            .into_iter()
            .filter_map(|(key, size, modified)| {
                Some(ObjectInfo {
                    key: key.strip_prefix(&root.key)?.to_owned(),
                    size,
                    modified,
                })
            })
            .collect())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.client
            .delete(&self.root.join(key))
            .map_err(|e| StoreError(e.to_string()))
    }
}

fn open(url: &str) -> Result<Arc<dyn ObjectStore>, StoreError> {
    let root: S3Url = url
        .parse()
        .map_err(|e: super::RemoteError| StoreError(e.to_string()))?;
    let client = S3Client::from_env().map_err(|e| StoreError(format!("`{url}`: {e}")))?;
    Ok(Arc::new(S3Prefix::new(client, root)))
}

inventory::submit! {
    RemoteScheme { scheme: "s3", open }
}
