//! A source changed where it lives is read again: `ingest`'s cache key covers an HTTP
//! resource's validators (`ETag`/`Last-Modified`, else a digest of its content) and an S3
//! object's ETag, so a rerun after the data changed trains on the new rows, and a rerun after
//! nothing changed is answered from the cache without downloading the data.
//!
//! The HTTP server is a few lines of `std::net` on a loopback port, so the test decides which
//! validators it sends; S3 is `moto_server` (skipped with a NOTICE when it is not installed).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use pipeline_remote::S3Client;
use titanic_components::model::bundle::ModelBundle;

mod common;
use common::{repo_root, s3_config};

/// Small training settings; `threshold=0` so that every run publishes its model.
const FAST: [&str; 4] = [
    "--param",
    r#"train_params={"max_epochs":20,"n_seeds":1,"patience":5}"#,
    "--param",
    "threshold=0",
];

/// What the loopback server answers, and how many times it sent the body.
#[derive(Default)]
struct Served {
    body: Vec<u8>,
    etag: Option<String>,
    gets: usize,
}

/// Serves `state` on a loopback port (every path, `GET` and `HEAD`) from a background thread
/// that lives as long as the test binary.
fn serve(state: Arc<Mutex<Served>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = state.clone();
            std::thread::spawn(move || answer(stream, &state));
        }
    });
    port
}

fn answer(mut stream: TcpStream, state: &Mutex<Served>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    let _ = reader.read_line(&mut request);
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 2 {
        line.clear();
    }
    let mut served = state.lock().unwrap();
    let mut head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n",
        served.body.len()
    );
    if let Some(etag) = &served.etag {
        head.push_str(&format!("ETag: \"{etag}\"\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    if request.starts_with("GET ") {
        served.gets += 1;
        let _ = stream.write_all(&served.body);
    }
}

/// The first `n` passengers of Kaggle's train.csv (with its header).
fn train_csv(n: usize) -> Vec<u8> {
    let text = std::fs::read_to_string(repo_root().join("data/titanic/train.csv")).unwrap();
    let lines: Vec<&str> = text.lines().take(n + 1).collect();
    (lines.join("\n") + "\n").into_bytes()
}

fn run(art: &Path, source: &str, env: &[(&str, String)]) -> (serde_json::Value, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_titanic"))
        .current_dir(art.parent().unwrap())
        .args(["run", "--artifacts"])
        .arg(art)
        .args(FAST)
        .args(["--param", &format!("source={source}")])
        // Steps see S3 settings only through the Secret `mlops-titanic-s3`.
        .args(if env.is_empty() {
            None
        } else {
            Some("--secrets-from-env")
        })
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let log =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    let newest = std::fs::read_dir(art.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path().join("run.json"))
        .filter(|p| p.exists())
        .max_by_key(|p| p.metadata().unwrap().modified().unwrap())
        .unwrap();
    (
        serde_json::from_slice(&std::fs::read(newest).unwrap()).unwrap(),
        log,
    )
}

/// The status of the single step of `task`.
fn status(run: &serde_json::Value, task: &str) -> String {
    let step = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["task"] == task);
    step.unwrap()["status"].as_str().unwrap().to_owned()
}

/// How many passengers the run's published model was trained on.
/// The passengers the published model saw: its training (development) rows plus the held-out
/// rows its card reports, i.e. every row read from the source.
fn trained_on(run: &serde_json::Value) -> usize {
    let model = std::fs::read_to_string(testkit::published_model(run)).unwrap();
    let bundle = ModelBundle::from_json(&model).unwrap();
    let held_out = bundle
        .card
        .evaluation
        .as_ref()
        .map_or(0, |e| e.held_out_rows);
    bundle.provenance.training_rows + held_out
}

#[test]
fn an_http_source_is_keyed_on_its_validators_else_on_its_content() {
    let state = Arc::new(Mutex::new(Served {
        body: train_csv(891),
        etag: Some("v1".into()),
        gets: 0,
    }));
    let port = serve(state.clone());
    let source = format!("http://127.0.0.1:{port}/train.csv");
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");
    let gets = || state.lock().unwrap().gets;

    let (first, log) = run(&art, &source, &[]);
    assert_eq!(status(&first, "ingest"), "Succeeded", "{log}");
    assert_eq!(trained_on(&first), 891);

    // Same ETag: answered from the cache after a HEAD, without downloading the data.
    let before = gets();
    let (cached, log) = run(&art, &source, &[]);
    assert_eq!(status(&cached, "ingest"), "Cached", "{log}");
    assert_eq!(gets(), before, "a cached ingest downloads nothing");

    // New ETag and new rows: ingest runs again and the model is trained on the new rows.
    *state.lock().unwrap() = Served {
        body: train_csv(300),
        etag: Some("v2".into()),
        gets: gets(),
    };
    let (changed, log) = run(&art, &source, &[]);
    assert_eq!(status(&changed, "ingest"), "Succeeded", "{log}");
    assert_eq!(status(&changed, "featurize"), "Succeeded", "{log}");
    assert_eq!(trained_on(&changed), 300);

    // No validators: the content's digest decides. The same bytes are cached...
    state.lock().unwrap().etag = None;
    let (digested, log) = run(&art, &source, &[]);
    assert_eq!(
        status(&digested, "ingest"),
        "Succeeded",
        "new key kind: {log}"
    );
    let (same, log) = run(&art, &source, &[]);
    assert_eq!(status(&same, "ingest"), "Cached", "{log}");
    assert_eq!(trained_on(&same), 300);
    // ...and changed bytes are read again.
    state.lock().unwrap().body = train_csv(500);
    let (changed, log) = run(&art, &source, &[]);
    assert_eq!(status(&changed, "ingest"), "Succeeded", "{log}");
    assert_eq!(trained_on(&changed), 500);
}

#[test]
fn an_s3_source_changed_in_place_is_read_again() {
    let Some(moto) = testkit::Service::moto() else {
        return;
    };
    let s3 = S3Client::new(&s3_config(&moto.url())).unwrap();
    s3.create_bucket("data").unwrap();
    let object = "s3://data/titanic/train.csv";
    s3.put(&object.parse().unwrap(), &train_csv(300)).unwrap();
    let env = moto.s3_env().to_vec();
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");

    let (first, log) = run(&art, object, &env);
    assert_eq!(status(&first, "ingest"), "Succeeded", "{log}");
    let (cached, log) = run(&art, object, &env);
    assert_eq!(status(&cached, "ingest"), "Cached", "{log}");

    // Same key, new bytes.
    s3.put(&object.parse().unwrap(), &train_csv(891)).unwrap();
    let (changed, log) = run(&art, object, &env);
    assert_eq!(status(&changed, "ingest"), "Succeeded", "{log}");
    assert_eq!(trained_on(&changed), 891);
}
