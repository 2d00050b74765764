//! The content-addressed artifact store: `<root>/sha256/<hex>`.
//!
//! A file artifact is one blob. A directory artifact is one blob per file plus a *manifest* blob
//! (JSON: the relative path, digest and size of every regular file, sorted by path); the
//! directory's digest is the manifest's. Empty subdirectories are not kept. Blobs are written to
//! `<root>/tmp/` while they are hashed, fsynced and renamed into place, so a reader never sees a
//! partial blob and a crash leaves at most a stray temp file.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::summary::ArtifactKind;

const MANIFEST_FORMAT: &str = "pipeline-dsl/directory-manifest/v1";

/// A stored artifact: its digest and whether it is a file or a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stored {
    /// SHA-256 (hex) of the file, or of the directory's manifest.
    pub digest: String,
    /// File or directory.
    pub kind: ArtifactKind,
    /// Total size in bytes.
    pub size: u64,
}

/// The manifest of a directory artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    format: String,
    files: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ManifestEntry {
    path: String,
    digest: String,
    size: u64,
}

/// The store under an artifacts root directory.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    root: PathBuf,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Store {
    /// Opens (creating) the store at `root`.
    pub(crate) fn open(root: &Path) -> io::Result<Store> {
        for dir in ["sha256", "tmp", "cache"] {
            fs::create_dir_all(root.join(dir))?;
        }
        Ok(Store {
            root: fs::canonicalize(root)?,
        })
    }

    /// The artifacts root.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Where the blob `digest` lives.
    pub(crate) fn blob(&self, digest: &str) -> PathBuf {
        self.root.join("sha256").join(digest)
    }

    /// A fresh temp path in the store (same filesystem as the blobs, so rename is atomic).
    pub(crate) fn temp_path(&self) -> PathBuf {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        self.root
            .join("tmp")
            .join(format!("{}-{n}.tmp", std::process::id()))
    }

    /// Writes `bytes` to `path` (under the store root) atomically: a uniquely named temp file,
    /// renamed into place.
    ///
    /// No fsync: what is written this way (cache entries, `run.json`, `report.html`,
    /// `binaries.json`) is an index or a report that is safe to lose in a crash (an unreadable
    /// cache entry is a miss, a lost binary digest is recomputed), while the blobs it refers to
    /// are made durable in [`put_reader`](Self::put_reader) before it is written. Syncing here
    /// cost every step a few milliseconds on its critical path (the rename after it waits on
    /// the same journal commit).
    pub(crate) fn write_atomic(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let tmp = self.temp_path();
        let result = (|| {
            let mut file = File::create(&tmp)?;
            file.write_all(bytes)?;
            fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Stores the bytes read from `reader`, returning (digest, size).
    fn put_reader(&self, reader: &mut dyn Read) -> io::Result<(String, u64)> {
        let tmp = self.temp_path();
        let result = (|| {
            let mut file = File::create(&tmp)?;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 64 * 1024];
            let mut size = 0u64;
            loop {
                let n = reader.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                file.write_all(&buf[..n])?;
                size += n as u64;
            }
            let digest = hex(&hasher.finalize());
            let target = self.blob(&digest);
            if self.blob_is_sound(&digest) {
                // Already stored (an unchanged output): the copy was never needed, so it is
                // dropped without the cost of making it durable first.
                drop(file);
                fs::remove_file(&tmp)?;
            } else {
                // New, or a corrupt blob under this name: replaced, never trusted.
                file.sync_all()?;
                drop(file);
                make_read_only(&tmp);
                fs::rename(&tmp, &target)?;
                sync_dir(&self.root.join("sha256"));
            }
            Ok((digest, size))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Stores a file a finished step wrote, returning (digest, size): hashed where it is, then
    /// hard-linked into place (no copy) where the filesystem allows, else copied.
    fn put_file(&self, path: &Path) -> io::Result<(String, u64)> {
        let size = fs::metadata(path)?.len();
        let digest = digest_file(path)?;
        if self.blob_is_sound(&digest) {
            return Ok((digest, size));
        }
        let tmp = self.temp_path();
        if fs::hard_link(path, &tmp).is_err() {
            return self.put_reader(&mut File::open(path)?);
        }
        let result = (|| {
            if digest_file(&tmp)? != digest {
                return Err(io::Error::other(format!(
                    "{} changed while it was stored",
                    path.display()
                )));
            }
            File::open(&tmp)?.sync_all()?;
            make_read_only(&tmp);
            fs::rename(&tmp, self.blob(&digest))?;
            sync_dir(&self.root.join("sha256"));
            Ok((digest, size))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Stores `bytes` as a blob.
    pub(crate) fn put_bytes(&self, bytes: &[u8]) -> io::Result<String> {
        self.put_reader(&mut &bytes[..]).map(|(d, _)| d)
    }

    /// Stores a file or a directory.
    pub(crate) fn put_path(&self, path: &Path) -> io::Result<Stored> {
        let meta = fs::metadata(path)?;
        if meta.is_dir() {
            let mut files = Vec::new();
            walk(path, Path::new(""), &mut files)?;
            files.sort();
            let mut entries = Vec::new();
            for rel in files {
                let (digest, size) = self.put_file(&path.join(&rel))?;
                entries.push(ManifestEntry {
                    path: rel.to_string_lossy().replace('\\', "/"),
                    digest,
                    size,
                });
            }
            let size = entries.iter().map(|e| e.size).sum();
            let manifest = Manifest {
                format: MANIFEST_FORMAT.into(),
                files: entries,
            };
            let bytes = serde_json::to_vec(&manifest).map_err(io::Error::other)?;
            let digest = self.put_bytes(&bytes)?;
            Ok(Stored {
                digest,
                kind: ArtifactKind::Directory,
                size,
            })
        } else {
            let (digest, size) = self.put_file(path)?;
            Ok(Stored {
                digest,
                kind: ArtifactKind::File,
                size,
            })
        }
    }

    /// Reads a directory artifact's manifest (checked against its digest).
    fn manifest(&self, digest: &str) -> io::Result<Manifest> {
        let bytes = fs::read(self.check_blob(digest)?)?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| io::Error::other(format!("bad manifest {digest}: {e}")))?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(io::Error::other(format!(
                "bad manifest {digest}: unknown format"
            )));
        }
        Ok(manifest)
    }

    /// Every blob an artifact needs (a directory: its manifest and files).
    pub(crate) fn blobs_of(&self, stored: &Stored) -> io::Result<Vec<String>> {
        let mut out = vec![stored.digest.clone()];
        if stored.kind == ArtifactKind::Directory {
            out.extend(
                self.manifest(&stored.digest)?
                    .files
                    .into_iter()
                    .map(|f| f.digest),
            );
        }
        Ok(out)
    }

    /// True when every blob of the artifact is present and its content hashes to its name.
    pub(crate) fn is_complete(&self, stored: &Stored) -> bool {
        self.blob_is_sound(&stored.digest)
            && self
                .blobs_of(stored)
                .map(|blobs| blobs.iter().skip(1).all(|b| self.blob_is_sound(b)))
                .unwrap_or(false)
    }

    /// True when the blob `digest` exists and its content hashes to `digest`.
    pub(crate) fn blob_is_sound(&self, digest: &str) -> bool {
        digest_file(&self.blob(digest)).is_ok_and(|d| d == digest)
    }

    /// Fails naming the blob unless it exists and its content hashes to its name.
    fn check_blob(&self, digest: &str) -> io::Result<PathBuf> {
        let path = self.blob(digest);
        let got = digest_file(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if got != digest {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is corrupt: its content hashes to {got}", path.display()),
            ));
        }
        Ok(path)
    }

    /// Places an artifact at `dest` (a file, or a directory it creates) after checking every
    /// blob against its digest: hard links to the read-only blobs where the filesystem allows,
    /// copies elsewhere.
    pub(crate) fn materialize(&self, stored: &Stored, dest: &Path) -> io::Result<()> {
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)?;
        }
        match stored.kind {
            ArtifactKind::File => link_blob(&self.check_blob(&stored.digest)?, dest),
            ArtifactKind::Directory => {
                fs::create_dir_all(dest)?;
                for entry in self.manifest(&stored.digest)?.files {
                    let rel = Path::new(&entry.path);
                    if rel
                        .components()
                        .any(|c| !matches!(c, std::path::Component::Normal(_)))
                    {
                        return Err(io::Error::other(format!(
                            "unsafe path {} in manifest",
                            entry.path
                        )));
                    }
                    let target = dest.join(rel);
                    if let Some(parent) = target.parent() {
                        fs::create_dir_all(parent)?;
                    }
                    link_blob(&self.check_blob(&entry.digest)?, &target)?;
                }
                Ok(())
            }
        }
    }
}

/// Hard-links a blob to `dest` (no copy; the blob is read-only), or copies it where links are
/// not possible (another filesystem).
fn link_blob(blob: &Path, dest: &Path) -> io::Result<()> {
    make_read_only(blob);
    if fs::hard_link(blob, dest).is_ok() {
        return Ok(());
    }
    fs::copy(blob, dest)
        .map(|_| ())
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", blob.display())))
}

/// Blobs are immutable: read-only for everyone (best effort).
fn make_read_only(path: &Path) {
    if let Ok(meta) = fs::metadata(path) {
        let mut perms = meta.permissions();
        if !perms.readonly() {
            perms.set_readonly(true);
            let _ = fs::set_permissions(path, perms);
        }
    }
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let rel = rel.join(entry.file_name());
        let meta = fs::symlink_metadata(entry.path())?;
        if meta.is_dir() {
            walk(root, &rel, out)?;
        } else if meta.is_file() || fs::metadata(entry.path()).is_ok_and(|m| m.is_file()) {
            // Symlinks to files are stored as the file; symlinks to directories are skipped
            // (they could loop).
            out.push(rel);
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 (hex) of a file's content, streamed.
pub(crate) fn digest_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_files_and_directories_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("artifacts")).unwrap();
        let src = dir.path().join("src");
        fs::create_dir_all(src.join("sub")).unwrap();
        fs::write(src.join("a.txt"), "hello").unwrap();
        fs::write(src.join("sub/b.bin"), [0u8, 1, 2]).unwrap();
        let stored = store.put_path(&src).unwrap();
        assert_eq!(stored.kind, ArtifactKind::Directory);
        assert_eq!(stored.size, 8);
        assert_eq!(store.blobs_of(&stored).unwrap().len(), 3);
        assert_eq!(store.put_path(&src).unwrap(), stored, "deterministic");
        let out = dir.path().join("out");
        store.materialize(&stored, &out).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "hello");
        assert_eq!(fs::read(out.join("sub/b.bin")).unwrap(), [0, 1, 2]);
        let file = store.put_path(&src.join("a.txt")).unwrap();
        assert_eq!(
            file.digest,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        fs::remove_file(store.blob(&file.digest)).unwrap();
        assert!(!store.is_complete(&stored));
        assert_eq!(fs::read_dir(store.root().join("tmp")).unwrap().count(), 0);
    }
}
