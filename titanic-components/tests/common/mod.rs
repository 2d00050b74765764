//! Helpers shared by the integration tests.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The only run under `<artifacts>/runs/`: its directory and its parsed `run.json`.
pub fn only_run(artifacts: &Path) -> (PathBuf, serde_json::Value) {
    let mut runs = std::fs::read_dir(artifacts.join("runs")).unwrap();
    let run_dir = runs.next().unwrap().unwrap().path();
    assert!(
        runs.next().is_none(),
        "more than one run in {}",
        artifacts.display()
    );
    let summary =
        serde_json::from_slice(&std::fs::read(run_dir.join("run.json")).unwrap()).unwrap();
    (run_dir, summary)
}

/// The settings of an S3 client of `moto_server` at `endpoint` (moto accepts any credentials).
pub fn s3_config(endpoint: &str) -> pipeline_remote::S3Config {
    pipeline_remote::S3Config {
        endpoint: Some(endpoint.into()),
        region: "us-east-1".into(),
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
        session_token: None,
    }
}
