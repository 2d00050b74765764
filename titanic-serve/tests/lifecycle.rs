//! The server's life: refusal to start on a bad model, S3 loading through the Dockerfile's
//! ENTRYPOINT (moto), beacon completeness across a graceful shutdown, reload on SIGHUP and
//! `--watch` (good and bad bundles).

mod common;
use common::{model, raw, refused, repo_root, s3_put, serve_bin, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use testkit::Service;

const DEMO: &str = r#"{"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,"SibSp":0,"Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"}"#;

#[test]
fn refuses_to_start_on_a_missing_corrupt_or_incompatible_model() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(model()).unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["format_version"] = json!(99);
    let future = dir.path().join("future.json");
    std::fs::write(&future, v.to_string()).unwrap();
    v["format_version"] = json!(3);
    v["ensemble"]["folds"][0]["members"][0]["layers"][0]["bias"] = json!([1.0]);
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, v.to_string()).unwrap();
    for (path, needle) in [
        (
            "/nonexistent/model.json",
            "cannot read model /nonexistent/model.json",
        ),
        (truncated.to_str().unwrap(), "not a valid model bundle"),
        (future.to_str().unwrap(), "format_version 99"),
        (broken.to_str().unwrap(), "layer 0"),
    ] {
        let started = Instant::now();
        let (code, err) = refused(&["--model", path], &[]);
        assert_eq!(code, 1, "{err}");
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(needle),
            "{needle}: {err}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    let (code, err) = refused(&[], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("--bucket B --model-path KEY"), "{err}");
    let (code, err) = refused(
        &[
            "--model",
            model().to_str().unwrap(),
            "--beacon-dir",
            "/proc/nope",
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("beacon directory /proc/nope"), "{err}");
}

/// The `inference` stage's ENTRYPOINT, as an argv.
fn dockerfile_entrypoint() -> Vec<String> {
    let dockerfile = std::fs::read_to_string(repo_root().join("Dockerfile")).unwrap();
    let stage = dockerfile
        .split("FROM ")
        .find(|s| s.contains(" AS inference"))
        .expect("inference stage");
    assert!(
        stage.contains("\nUSER 8737:8737") && stage.contains("\nEXPOSE 8090"),
        "{stage}"
    );
    let line = stage
        .lines()
        .find_map(|l| l.strip_prefix("ENTRYPOINT "))
        .expect("ENTRYPOINT");
    serde_json::from_str(line).expect("ENTRYPOINT in exec (JSON) form")
}

#[test]
fn the_demos_docker_run_loads_the_model_from_s3() {
    let Some(moto) = Service::moto() else { return };
    let bytes = std::fs::read(model()).unwrap();
    s3_put(&moto, "mybucket", "model.json", &bytes);
    let argv = dockerfile_entrypoint();
    assert_eq!(argv, ["/usr/local/bin/titanic-serve"]);
    // The image's binary is this build's; everything after it is the demo's, verbatim.
    let mut args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    args.extend(["--bucket", "mybucket", "--model-path", "model.json"]);
    let s = Server::start_with(&serve_bin(), &args, &moto.s3_env());
    let (status, v) = s.post("/predict", DEMO.as_bytes());
    assert_eq!(status, 200, "{v}");
    let local = Server::start(&[]);
    assert_eq!(v["data"], local.post("/predict", DEMO.as_bytes()).1["data"]);
    assert_eq!(
        s.get("/ready").1["version"],
        local.get("/ready").1["version"]
    );
    // A key that is not there: one clear line, exit 1.
    let (code, err) = refused(
        &["--bucket", "mybucket", "--model-path", "nope.json"],
        &moto.s3_env(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("s3://mybucket/nope.json"), "{err}");
}

#[test]
fn every_request_is_in_the_beacon_across_a_graceful_shutdown() {
    let mut s = Server::start(&["--redact", "Name"]);
    let port = s.port;
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (sent, answered) = (sent.clone(), answered.clone());
            std::thread::spawn(move || {
                for i in 0..10_000 {
                    let body = if (t + i) % 3 == 0 { "{bad".to_string() } else { DEMO.to_string() };
                    let req = format!(
                        "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    match raw(port, req.as_bytes()) {
                        Some((status, _)) => {
                            assert!(status < 500, "{status}");
                            answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                        None => break, // the server stopped accepting
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let out = s.stop();
    for t in threads {
        t.join().unwrap();
    }
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = s.beacon_lines();
    let answered = answered.load(std::sync::atomic::Ordering::SeqCst);
    assert!(answered > 100, "{answered}");
    // Every answered request is logged; none logged twice (a request cut by the shutdown
    // before it was read is neither answered nor logged).
    assert!(
        lines.len() >= answered && lines.len() <= sent.load(std::sync::atomic::Ordering::SeqCst),
        "{} lines, {answered} answered",
        lines.len()
    );
    for l in &lines {
        for key in [
            "time",
            "route",
            "status",
            "inputs",
            "output",
            "latency_ms",
            "model_version",
        ] {
            assert!(l.get(key).is_some(), "{key} in {l}");
        }
        assert!(l["inputs"].get("Name").is_none(), "Name is redacted: {l}");
    }
    let ok = lines
        .iter()
        .find(|l| l["status"] == 200 && l["route"] == "/predict")
        .unwrap();
    assert_eq!(ok["inputs"]["Pclass"], 3);
    assert!(ok["output"]["SurvivalChance"].as_f64().is_some());
    let bad = lines.iter().find(|l| l["status"] == 400).unwrap();
    assert_eq!(bad["inputs"]["raw"], "{bad");
}

fn version(s: &Server) -> String {
    s.get("/ready").1["version"].as_str().unwrap().to_string()
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pipeline's model with another threshold: a different, valid bundle.
fn other_bundle() -> String {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(model()).unwrap()).unwrap();
    v["threshold"] = json!(0.75);
    v["metrics"]["threshold"] = json!(0.75);
    serde_json::to_string_pretty(&v).unwrap()
}

fn reloads(s: &Server, result: &str) -> f64 {
    let text = s.get_text("/metrics").1;
    let needle = format!("titanic_model_reloads_total{{result=\"{result}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&needle))
        .map_or(0.0, |n| n.parse().unwrap())
}

#[test]
fn sighup_swaps_a_good_bundle_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    std::fs::copy(model(), &path).unwrap();
    let s = Server::start_with(
        &serve_bin(),
        &["--host", "127.0.0.1", "--model", path.to_str().unwrap()],
        &[],
    );
    let first = version(&s);
    std::fs::write(&path, "{ corrupt").unwrap();
    s.signal("HUP");
    wait_for("a failed reload", || reloads(&s, "error") == 1.0);
    assert_eq!(version(&s), first, "the old model keeps serving");
    assert_eq!(s.post("/predict", DEMO.as_bytes()).0, 200);
    std::fs::write(&path, other_bundle()).unwrap();
    s.signal("HUP");
    wait_for("a reload", || version(&s) != first);
    assert_eq!(reloads(&s, "ok"), 1.0);
    let (_, v) = s.post("/predict", DEMO.as_bytes());
    assert_eq!(v["metadata"]["version"].as_str().unwrap(), version(&s));
}

#[test]
fn watch_reloads_when_the_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    std::fs::copy(model(), &path).unwrap();
    let s = Server::start_with(
        &serve_bin(),
        &[
            "--host",
            "127.0.0.1",
            "--watch",
            "1",
            "--model",
            path.to_str().unwrap(),
        ],
        &[],
    );
    let first = version(&s);
    // A writer replacing the file atomically, and a half-written file in between.
    std::fs::write(&path, "{\"format_version\": 2").unwrap();
    wait_for("the bad bundle to be refused", || {
        reloads(&s, "error") >= 1.0
    });
    assert_eq!(version(&s), first);
    let tmp = dir.path().join("model.json.tmp");
    std::fs::write(&tmp, other_bundle()).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    wait_for("the watcher to reload", || version(&s) != first);
    // Requests never failed meanwhile.
    assert_eq!(s.post("/predict", DEMO.as_bytes()).0, 200);
}

#[test]
fn a_client_cutting_its_request_is_not_logged_as_an_error() {
    use std::io::Write;
    let mut s = Server::start(&[]);
    // Headers cut mid-line (hyper: IncompleteMessage), and a body shorter than announced.
    for cut in [
        "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Le".to_string(),
        format!(
            "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{}",
            DEMO.len() + 50,
            DEMO
        ),
    ] {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.write_all(cut.as_bytes()).unwrap();
        c.shutdown(std::net::Shutdown::Both).unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(s.post("/predict", DEMO.as_bytes()).0, 200);
    let out = s.stop();
    assert!(out.status.success());
    // The server logs at warn and above here (RUST_LOG=warn): a client going away is debug.
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("ERROR") && !log.contains("WARN"), "{log}");
}
