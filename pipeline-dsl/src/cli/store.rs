//! `store verify` and `store gc`: the artifact store's maintenance from the command line.

use super::output::print_quietly;
use crate::runner::{gc, open_remote, verify};
use std::path::PathBuf;

/// `store verify [--fix]` and `store gc --keep N`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum StoreCommand {
    /// Check every blob against its digest; `--fix` removes the corrupt ones (the steps that
    /// made them run again on the next run). Exits 1 when a corrupt blob is left.
    Verify {
        /// The store: a directory, or `s3://bucket/prefix`.
        #[arg(
            long,
            value_name = "DIR|s3://BUCKET/PREFIX",
            default_value = "artifacts"
        )]
        artifacts: String,
        /// Remove the corrupt blobs.
        #[arg(long)]
        fix: bool,
    },
    /// Keep the N newest runs; remove older runs, the cache entries the kept runs do not use
    /// and every blob nothing kept refers to.
    Gc {
        /// The store: a directory, or `s3://bucket/prefix`.
        #[arg(
            long,
            value_name = "DIR|s3://BUCKET/PREFIX",
            default_value = "artifacts"
        )]
        artifacts: String,
        /// How many runs to keep (newest first).
        #[arg(long, value_name = "N")]
        keep: usize,
    },
}

impl StoreCommand {
    /// Runs the command, printing what it found or removed.
    pub(crate) fn execute(&self) -> Result<(), String> {
        match self {
            StoreCommand::Verify { artifacts, fix } => {
                let (root, remote) = open(artifacts)?;
                let report = verify(&root, remote.as_deref(), *fix)?;
                let mut text = format!(
                    "{artifacts}: {} blob(s) checked, {} corrupt\n",
                    report.checked,
                    report.corrupt.len()
                );
                for key in &report.corrupt {
                    let action = if report.removed { "removed" } else { "corrupt" };
                    text.push_str(&format!("  {action}: {key}\n"));
                }
                print_quietly(&text).map_err(|e| e.to_string())?;
                if report.corrupt.is_empty() || report.removed {
                    Ok(())
                } else {
                    Err(format!(
                        "{} corrupt blob(s) in {artifacts}: rerun with --fix to remove them",
                        report.corrupt.len()
                    ))
                }
            }
            StoreCommand::Gc { artifacts, keep } => {
                let (root, remote) = open(artifacts)?;
                let report = gc(&root, remote.as_deref(), *keep)?;
                print_quietly(&format!(
                    "{artifacts}: kept {} run(s), removed {} run(s), {} cache entr(ies), {} blob(s); freed {} bytes\n",
                    report.kept_runs.len(),
                    report.removed_runs.len(),
                    report.removed_entries,
                    report.removed_blobs,
                    report.freed_bytes
                ))
                .map_err(|e| e.to_string())
            }
        }
    }
}

type Remote = Option<std::sync::Arc<dyn crate::runner::ObjectStore>>;

fn open(artifacts: &str) -> Result<(PathBuf, Remote), String> {
    if artifacts.contains("://") {
        let remote = open_remote(artifacts).map_err(|e| format!("--artifacts {e}"))?;
        return Ok((PathBuf::new(), Some(remote)));
    }
    let root = PathBuf::from(artifacts);
    if !root.join("sha256").is_dir() {
        return Err(format!(
            "{artifacts}: not an artifact store (no sha256/ in it)"
        ));
    }
    Ok((root, None))
}
