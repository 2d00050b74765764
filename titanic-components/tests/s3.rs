//! S3 and HTTP for real: each test starts `moto_server` (PyPI `moto[server]`, from the project's
//! `.venv`, or `$MOTO_SERVER`) on a free loopback port and stops it by its process id.
//!
//! Without moto the tests print a NOTICE and pass, unless `REQUIRE_SERVICES=1` (set by
//! `scripts/test.sh`), which makes a missing moto a failure.

use pipeline_remote::{RemoteError, S3Client, S3Config, S3Url};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use testkit::Service;
use titanic_components::model::bundle::ModelBundle;

mod common;
use common::{only_run, repo_root};

/// A running `moto_server`.
type Moto = Service;

/// A client of `moto`.
fn client(moto: &Moto) -> S3Client {
    S3Client::new(&config(&moto.url())).unwrap()
}

fn config(endpoint: &str) -> S3Config {
    S3Config {
        endpoint: Some(endpoint.into()),
        region: "us-east-1".into(),
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
        session_token: None,
    }
}

fn url(text: &str) -> S3Url {
    text.parse().unwrap()
}

/// Kaggle's train.csv, as kept in the repository.
fn train_csv() -> Vec<u8> {
    std::fs::read(repo_root().join("data/titanic/train.csv")).unwrap()
}

fn titanic(moto: &Moto, cwd: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_titanic"))
        .args(args)
        .envs(moto.s3_env())
        .current_dir(cwd)
        .output()
        .expect("spawn titanic");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn client_puts_gets_and_names_what_is_wrong() {
    let Some(moto) = Moto::moto() else { return };
    let s3 = client(&moto);
    s3.create_bucket("data").unwrap();
    s3.create_bucket("data").unwrap(); // already ours: fine
    let object = url("s3://data/some/key.bin");
    assert!(!s3.exists(&object).unwrap());
    assert!(s3.get_if_exists(&object).unwrap().is_none());
    let missing = s3.get(&object).unwrap_err();
    assert!(matches!(missing, RemoteError::NotFound { .. }), "{missing}");
    assert_eq!(
        missing.to_string(),
        "s3://data/some/key.bin: no such object"
    );

    let bytes: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    s3.put(&object, &bytes).unwrap();
    assert!(s3.exists(&object).unwrap());
    assert_eq!(s3.get(&object).unwrap(), bytes);

    let no_bucket = s3.get(&url("s3://no-such-bucket/x")).unwrap_err();
    assert!(
        no_bucket.to_string().contains("NoSuchBucket"),
        "{no_bucket}"
    );

    let closed = format!("http://127.0.0.1:{}", testkit::free_port());
    let started = Instant::now();
    let unreachable = S3Client::new(&config(&closed))
        .unwrap()
        .get(&object)
        .unwrap_err()
        .to_string();
    assert!(
        unreachable.contains(&format!("cannot reach S3 at {closed}")),
        "{unreachable}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn pipeline_reads_s3_stores_artifacts_in_s3_and_publishes_the_model() {
    let Some(moto) = Moto::moto() else { return };
    let s3 = client(&moto);
    for bucket in ["data", "runs", "models"] {
        s3.create_bucket(bucket).unwrap();
    }
    s3.put(&url("s3://data/titanic/train.csv"), &train_csv())
        .unwrap();
    let args = [
        "run",
        "--artifacts",
        "s3://runs/titanic",
        "--param",
        "source=s3://data/titanic/train.csv",
        "--param",
        "model_target=s3://models/titanic/model.json",
    ];
    let first = tempfile::tempdir().unwrap();
    let (ok, log) = titanic(&moto, first.path(), &args);
    assert!(ok, "{log}");

    let model = s3.get(&url("s3://models/titanic/model.json")).unwrap();
    let bundle = ModelBundle::from_json(std::str::from_utf8(&model).unwrap()).unwrap();
    // The 891 passengers read from S3: the model trains on the development part, the rest is
    // the held-out part its card reports.
    let held_out = bundle.card.evaluation.as_ref().map(|e| e.held_out_rows);
    assert_eq!(
        (bundle.provenance.training_rows, held_out),
        (607, Some(284))
    );

    // Same layout as a local store: every cache entry, blob and the run record are in S3.
    let local = first.path().join("artifacts/s3/runs/titanic");
    let entries: Vec<_> = std::fs::read_dir(local.join("cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(entries.len() >= 9, "{entries:?}");
    for entry in &entries {
        assert!(s3
            .exists(&url(&format!("s3://runs/titanic/cache/{entry}")))
            .unwrap());
    }
    for blob in std::fs::read_dir(local.join("sha256")).unwrap() {
        let name = blob.unwrap().file_name().into_string().unwrap();
        assert!(s3
            .exists(&url(&format!("s3://runs/titanic/sha256/{name}")))
            .unwrap());
    }
    let (run_dir, summary) = only_run(&local);
    assert_eq!(summary["status"], "Succeeded");
    let run = run_dir.file_name().unwrap().to_str().unwrap();
    let run_json = s3
        .get(&url(&format!("s3://runs/titanic/runs/{run}/run.json")))
        .unwrap();
    let uploaded: serde_json::Value = serde_json::from_slice(&run_json).unwrap();
    assert_eq!(uploaded, summary);
    assert!(s3
        .exists(&url(&format!("s3://runs/titanic/runs/{run}/report.html")))
        .unwrap());

    // A second machine (an empty local copy) reuses every step from S3 alone.
    let second = tempfile::tempdir().unwrap();
    let (ok, log) = titanic(&moto, second.path(), &args);
    assert!(ok, "{log}");
    let (_, summary) = only_run(&second.path().join("artifacts/s3/runs/titanic"));
    let statuses: Vec<(&str, &str)> = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["task"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    for (task, status) in &statuses {
        // The exit handler always runs; track-run is `cache = false` (it logs every workflow).
        match *task {
            "report-status" => {}
            "track-run" => assert_eq!(*status, "Succeeded", "{statuses:?}\n{log}"),
            _ => assert_eq!(*status, "Cached", "{task}: {statuses:?}\n{log}"),
        }
    }
}

#[test]
fn ingest_reads_http_and_names_a_bad_url() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("train.csv"), train_csv()).unwrap();
    let Some(server) = Service::http(data.path()) else {
        return;
    };
    let base = format!("http://127.0.0.1:{}", server.port);
    let ingest = |source: &str, out: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_titanic"))
            .args(["component", "ingest", "--param"])
            .arg(format!("source={source}"))
            .arg("--output")
            .arg(format!("passengers={}", out.display()))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).to_string();
        (out.status.success(), text)
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("passengers.csv");
    let (ok, log) = ingest(&format!("{base}/train.csv"), &out);
    assert!(ok, "{log}");
    let rows = std::fs::read_to_string(&out).unwrap().lines().count();
    assert_eq!(rows, 892, "header + 891 passengers");

    let (ok, log) = ingest(&format!("{base}/nope.csv"), &out);
    assert!(!ok);
    assert!(log.contains("nope.csv: HTTP 404"), "{log}");
}

#[test]
fn unreachable_s3_is_one_clear_error_before_any_work() {
    let Some(moto) = Moto::moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let closed = format!("http://127.0.0.1:{}", testkit::free_port());
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_titanic"))
        .args(["run", "--artifacts", "s3://runs/titanic"])
        .envs(moto.s3_env())
        .env("AWS_ENDPOINT_URL", &closed)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("cannot reach S3 at {closed}")),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(
        !dir.path().join("artifacts/s3/runs/titanic/runs").exists(),
        "no run was started"
    );

    // A bucket that does not exist: named, before any step runs.
    let (ok, log) = titanic(&moto, dir.path(), &["run", "--artifacts", "s3://absent/x"]);
    assert!(!ok);
    assert!(log.contains("NoSuchBucket"), "{log}");
}
