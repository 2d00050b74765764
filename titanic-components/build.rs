//! Records the git commit the binary is built from, for the MLflow runs it creates
//! (`MLOPS_TITANIC_GIT_COMMIT` overrides it, e.g. as a Docker build argument).

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=MLOPS_TITANIC_GIT_COMMIT");
    let commit = std::env::var("MLOPS_TITANIC_GIT_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .or_else(|| git(&["rev-parse", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=MLOPS_TITANIC_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves (a new commit or another branch), not on every build; only paths
    // that exist (a missing one would rerun this script every time).
    let dirs = [
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ];
    for dir in dirs.iter().flatten() {
        for file in ["HEAD", "refs/heads", "packed-refs"] {
            let path = Path::new(dir).join(file);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
}
