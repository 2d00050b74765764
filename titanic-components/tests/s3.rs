//! S3 and HTTP for real: each test starts `moto_server` (PyPI `moto[server]`, from the project's
//! `.venv`, or `$MOTO_SERVER`) on a free loopback port and stops it by its process id.
//!
//! Without moto the tests print a NOTICE and pass, unless `REQUIRE_SERVICES=1` (set by
//! `scripts/test.sh`), which makes a missing moto a failure.

use pipeline_remote::{RemoteError, S3Client, S3Url};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use testkit::Service;
use titanic_components::model::bundle::ModelBundle;

mod common;
use common::{only_run, repo_root, s3_config};

/// A running `moto_server`.
type Moto = Service;

/// A client of `moto`.
fn client(moto: &Moto) -> S3Client {
    S3Client::new(&s3_config(&moto.url())).unwrap()
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

/// `titanic run` on the store `s3://runs/titanic`, reading `s3://data/titanic/train.csv`, then
/// `extra`. The steps read the S3 settings from the Secret `mlops-titanic-s3`, one key per
/// variable: `--secrets-from-env` resolves its keys from the variables moto set.
fn run_on_s3(moto: &Moto, cwd: &Path, extra: &[&str]) -> (bool, String) {
    let args = [
        "run",
        "--secrets-from-env",
        "--artifacts",
        "s3://runs/titanic",
        "--param",
        "source=s3://data/titanic/train.csv",
    ];
    titanic(moto, cwd, &[&args[..], extra].concat())
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
    let unreachable = S3Client::new(&s3_config(&closed))
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
    let args = ["--param", "model_target=s3://models/titanic/model.json"];
    let first = tempfile::tempdir().unwrap();
    let (ok, log) = run_on_s3(&moto, first.path(), &args);
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
    // ingest, split, featurize, 5 x train-fold, evaluate (track-run and publish are never
    // cached).
    assert_eq!(entries.len(), 9, "{entries:?}");
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
    let (ok, log) = run_on_s3(&moto, second.path(), &args);
    assert!(ok, "{log}");
    let (_, summary) = only_run(&second.path().join("artifacts/s3/runs/titanic"));
    let statuses: Vec<(&str, &str)> = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["task"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    for (task, status) in &statuses {
        // The exit handler always runs; track-run and publish are `cache = false` (side
        // effects: every workflow is logged and its model uploaded).
        match *task {
            "report-status" => {}
            "track-run" | "publish" => assert_eq!(*status, "Succeeded", "{statuses:?}\n{log}"),
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

/// Small training settings: the store tests are about the store, not the model.
const FAST: &str = r#"train_params={"max_epochs":20,"n_seeds":1,"patience":5}"#;

/// The run records under `s3://runs/titanic/runs/`: (name, parsed run.json).
fn s3_runs(s3: &S3Client) -> Vec<(String, serde_json::Value)> {
    let mut names: Vec<String> = s3
        .list(&url("s3://runs/titanic/runs/"))
        .unwrap()
        .into_iter()
        .filter_map(|(key, _, _)| {
            key.strip_prefix("titanic/runs/")?
                .split('/')
                .next()
                .map(String::from)
        })
        .collect();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let bytes = s3
                .get(&url(&format!("s3://runs/titanic/runs/{name}/run.json")))
                .unwrap();
            (name, serde_json::from_slice(&bytes).unwrap())
        })
        .collect()
}

/// The digests of every output a run record names, by `task.output`.
fn digests(run: &serde_json::Value) -> Vec<(String, String)> {
    run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            let task = s["task"].as_str().unwrap().to_owned();
            s["artifacts"].as_array().unwrap().iter().map(move |a| {
                (
                    format!("{task}.{}", a["name"].as_str().unwrap()),
                    a["digest"].as_str().unwrap().to_owned(),
                )
            })
        })
        .collect()
}

fn blob(digest: &str) -> S3Url {
    url(&format!("s3://runs/titanic/sha256/{digest}"))
}

#[test]
fn store_verify_and_gc_work_on_an_s3_store_and_lose_nothing_a_kept_run_uses() {
    let Some(moto) = Moto::moto() else { return };
    let s3 = client(&moto);
    for bucket in ["data", "runs"] {
        s3.create_bucket(bucket).unwrap();
    }
    s3.put(&url("s3://data/titanic/train.csv"), &train_csv())
        .unwrap();
    let run = |cwd: &Path, threshold: &str| {
        let threshold = format!("threshold={threshold}");
        run_on_s3(&moto, cwd, &["--param", FAST, "--param", &threshold])
    };
    let store = |args: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        let all = [&["store"], args, &["--artifacts", "s3://runs/titanic"]].concat();
        titanic(&moto, dir.path(), &all)
    };
    let work = tempfile::tempdir().unwrap();
    for threshold in ["0.5", "0.99"] {
        let (ok, log) = run(work.path(), threshold);
        assert!(ok, "{log}");
        // gc orders runs by their newest object, and S3's LastModified has one-second
        // resolution: the second run (nearly all cached) must not finish in the same second.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let runs = s3_runs(&s3);
    assert_eq!(runs.len(), 2, "{runs:?}");
    let published = runs
        .iter()
        .find(|r| r.1["parameters"]["threshold"] == "0.5");
    let (_, old) = published.expect("the threshold 0.5 run");
    let (newest, kept) = runs
        .iter()
        .find(|r| r.1["parameters"]["threshold"] == "0.99")
        .unwrap();
    let model = digests(old)
        .into_iter()
        .find(|(name, _)| name == "publish.model")
        .expect("the 0.5 run published")
        .1;
    let (ok, log) = store(&["verify"]);
    assert!(ok && log.contains(" 0 corrupt"), "{log}");

    // gc --keep 1: the older run, its publish output and a stray blob go; what the kept run
    // names stays.
    let stray = blob(&"0".repeat(64));
    s3.put(&stray, b"written by nothing").unwrap();
    let (ok, log) = store(&["gc", "--keep", "1"]);
    assert!(ok, "{log}");
    let left: Vec<String> = s3_runs(&s3).into_iter().map(|r| r.0).collect();
    assert_eq!(left, std::slice::from_ref(newest), "{log}");
    assert!(!s3.exists(&stray).unwrap(), "{log}");
    assert!(!s3.exists(&blob(&model)).unwrap(), "unreferenced: {log}");
    for (name, digest) in digests(kept) {
        assert!(s3.exists(&blob(&digest)).unwrap(), "{name} lost: {log}");
    }

    // A corrupt S3 blob: verify names it and fails; --fix removes it; a run on another machine
    // recomputes it (and only it), uploads it again, and the store verifies clean.
    let features = digests(kept)
        .into_iter()
        .find(|(name, _)| name == "featurize.features")
        .unwrap()
        .1;
    let mut bytes = s3.get(&blob(&features)).unwrap();
    bytes[0] ^= 0x20;
    s3.put(&blob(&features), &bytes).unwrap();
    let (ok, log) = store(&["verify"]);
    assert!(!ok, "{log}");
    assert!(
        log.contains(&format!("corrupt: sha256/{features}")),
        "{log}"
    );
    assert!(log.contains("rerun with --fix"), "{log}");
    let (ok, log) = store(&["verify", "--fix"]);
    assert!(ok, "{log}");
    assert!(
        log.contains(&format!("removed: sha256/{features}")),
        "{log}"
    );
    assert!(!s3.exists(&blob(&features)).unwrap());

    let elsewhere = tempfile::tempdir().unwrap();
    let (ok, log) = run(elsewhere.path(), "0.99");
    assert!(ok, "{log}");
    let (_, summary) = only_run(&elsewhere.path().join("artifacts/s3/runs/titanic"));
    for step in summary["steps"].as_array().unwrap() {
        let (task, status) = (step["task"].as_str().unwrap(), &step["status"]);
        match task {
            "featurize" | "track-run" => assert_eq!(status, "Succeeded", "{task}: {log}"),
            "ingest" | "train-fold" | "evaluate" => assert_eq!(status, "Cached", "{task}: {log}"),
            _ => {}
        }
    }
    assert_eq!(
        s3.get(&blob(&features)).unwrap()[0],
        bytes[0] ^ 0x20,
        "re-uploaded"
    );
    let (ok, log) = store(&["verify"]);
    assert!(ok && log.contains(" 0 corrupt"), "{log}");
}
