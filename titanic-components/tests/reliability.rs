//! Never a wrong result: the findings of issue 7, one test each, against the real `titanic`
//! binary (changed source, corrupt blobs, checks before work, relative paths, signals, broken
//! pipes, overwrite guard, run outcome) and a crash-and-resume test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use pipeline_dsl::prelude::*;

/// Small training settings: the tests are about the runner, not the model.
const FAST: &str = r#"train_params={"max_epochs":20,"n_seeds":1,"patience":5}"#;

fn titanic() -> Command {
    Command::new(env!("CARGO_BIN_EXE_titanic"))
}

/// `titanic run --artifacts <art> <extra>` in `cwd`.
fn run_in(cwd: &Path, art: &Path, extra: &[&str]) -> Output {
    titanic()
        .current_dir(cwd)
        .args(["run", "--artifacts"])
        .arg(art)
        .args(["--param", FAST])
        .args(extra)
        .output()
        .expect("spawn titanic")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
}

/// The newest run's `run.json`.
fn last_run(art: &Path) -> serde_json::Value {
    let newest = std::fs::read_dir(art.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("run.json").exists())
        .max_by_key(|p| p.join("run.json").metadata().unwrap().modified().unwrap())
        .expect("a finished run");
    serde_json::from_slice(&std::fs::read(newest.join("run.json")).unwrap()).unwrap()
}

/// Status of every step of `task` in a run record.
fn statuses(run: &serde_json::Value, task: &str) -> Vec<String> {
    run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["task"] == task)
        .map(|s| s["status"].as_str().unwrap().to_owned())
        .collect()
}

/// The digest of output `name` of the first step of `task`.
fn output_digest(run: &serde_json::Value, task: &str, name: &str) -> String {
    run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["task"] == task)
        .flat_map(|s| s["artifacts"].as_array().unwrap())
        .find(|a| a["name"] == name)
        .and_then(|a| a["digest"].as_str())
        .unwrap_or_else(|| panic!("no output {task}.{name}"))
        .to_owned()
}

/// Kaggle's training set (the bundled rows) as a CSV file; the first `n` rows when given.
fn write_train_csv(path: &Path, n: Option<usize>) {
    let mut rows = titanic_components::passenger::bundled().unwrap();
    if let Some(n) = n {
        rows.truncate(n);
    }
    Dataset::new(rows).write(path).unwrap();
}

#[test]
fn a_changed_source_file_is_read_again_and_relative_paths_resolve_where_the_run_started() {
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");
    write_train_csv(&dir.path().join("data.csv"), None);
    let out = run_in(dir.path(), &art, &["--param", "source=data.csv"]);
    assert!(out.status.success(), "{}", text(&out));
    let first = last_run(&art);
    let source = first["parameters"]["source"].as_str().unwrap().to_owned();
    assert_eq!(
        Path::new(&source),
        dir.path().join("data.csv"),
        "the record shows the resolved path"
    );
    let rows_before = output_digest(&first, "ingest", "passengers");

    write_train_csv(&dir.path().join("data.csv"), Some(300));
    let out = run_in(dir.path(), &art, &["--param", "source=data.csv"]);
    assert!(out.status.success(), "{}", text(&out));
    let second = last_run(&art);
    assert_eq!(statuses(&second, "ingest"), ["Succeeded"], "{}", text(&out));
    assert_ne!(output_digest(&second, "ingest", "passengers"), rows_before);

    // Unchanged content: cached again.
    let out = run_in(dir.path(), &art, &["--param", "source=data.csv"]);
    assert_eq!(
        statuses(&last_run(&art), "ingest"),
        ["Cached"],
        "{}",
        text(&out)
    );
}

/// Flips the first byte of a blob (blobs are read-only: this is what a disk error or a stray
/// writer does).
fn corrupt(art: &Path, digest: &str) {
    let path = art.join("sha256").join(digest);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[0] ^= 0x20;
    std::fs::write(&path, bytes).unwrap();
}

fn store(args: &[&str], art: &Path) -> Output {
    titanic()
        .arg("store")
        .args(args)
        .arg("--artifacts")
        .arg(art)
        .output()
        .unwrap()
}

#[test]
fn a_corrupt_blob_at_any_stage_is_a_miss_that_is_recomputed_and_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");
    let out = run_in(dir.path(), &art, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let good = last_run(&art);
    let model = output_digest(&good, "publish", "model");
    for (task, output) in [
        ("ingest", "passengers"),
        ("featurize", "features"),
        ("evaluate", "evaluation"),
        ("publish", "model"),
    ] {
        let digest = output_digest(&good, task, output);
        corrupt(&art, &digest);
        let verify = store(&["verify"], &art);
        assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
        assert!(text(&verify).contains(&digest), "{}", text(&verify));

        let out = run_in(dir.path(), &art, &[]);
        assert!(out.status.success(), "{task}: {}", text(&out));
        let rerun = last_run(&art);
        assert_eq!(
            statuses(&rerun, task),
            ["Succeeded"],
            "{task}: {}",
            text(&out)
        );
        assert_eq!(output_digest(&rerun, "publish", "model"), model, "{task}");
        let verify = store(&["verify"], &art);
        assert!(
            verify.status.success(),
            "{task} repaired: {}",
            text(&verify)
        );
    }
}

#[test]
fn store_gc_keeps_the_newest_runs_and_what_they_use() {
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");
    for threshold in ["0.5", "0.99"] {
        let out = run_in(
            dir.path(),
            &art,
            &["--param", &format!("threshold={threshold}")],
        );
        assert!(out.status.success(), "{}", text(&out));
    }
    let runs = || std::fs::read_dir(art.join("runs")).unwrap().count();
    assert_eq!(runs(), 2);
    let out = store(&["gc", "--keep", "1"], &art);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(runs(), 1);
    // The kept run (threshold 0.99, publish skipped) still resumes fully from the cache.
    let out = run_in(dir.path(), &art, &["--param", "threshold=0.99"]);
    assert!(out.status.success(), "{}", text(&out));
    let run = last_run(&art);
    for task in ["ingest", "featurize", "train-fold", "evaluate"] {
        assert!(
            statuses(&run, task).iter().all(|s| s == "Cached"),
            "{task}: {}",
            text(&out)
        );
    }
    assert!(store(&["verify"], &art).status.success());
}

#[test]
fn out_of_domain_parameters_exit_2_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");
    for (param, named) in [
        (r#"train_params={"hidden":[0]}"#, "hidden[0]"),
        (r#"train_params={"n_seeds":0}"#, "n_seeds"),
        (r#"train_params={"dropout":1.5}"#, "dropout"),
        (r#"train_params={"max_epochs":1000000000}"#, "max_epochs"),
        (r#"train_params={"learning_rate":1e30}"#, "learning_rate"),
        ("model_target=s3://Bad_Bucket/model.json", "model_target"),
        ("model_target=s3://bucket/", "model_target"),
        ("source=missing.csv", "missing.csv"),
        ("threshold=1.5", "threshold is 1.5, outside [0, 1]"),
        ("threshold=-0.1", "`threshold`"),
        (
            "holdout_fraction=0",
            "holdout fraction is 0, outside (0, 1)",
        ),
        ("holdout_fraction=1", "`holdout_fraction`"),
        ("cv_repeats=0", "`cv_repeats`"),
    ] {
        let started = Instant::now();
        let out = run_in(dir.path(), &art, &["--param", param]);
        assert_eq!(out.status.code(), Some(2), "{param}: {}", text(&out));
        assert!(text(&out).contains(named), "{param}: {}", text(&out));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{param}: checked late"
        );
        assert!(!art.join("runs").exists(), "{param}: nothing ran");
    }
    // `describe` shows the threshold's domain in its JSON Schema.
    let out = titanic().arg("describe").output().unwrap();
    let described: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let params = described["parameters"].as_array().unwrap();
    let threshold = params.iter().find(|p| p["name"] == "threshold").unwrap();
    assert_eq!(threshold["schema"]["minimum"], 0.0, "{threshold}");
    assert_eq!(threshold["schema"]["maximum"], 1.0, "{threshold}");
    let holdout = params
        .iter()
        .find(|p| p["name"] == "holdout_fraction")
        .unwrap();
    assert_eq!(holdout["schema"]["exclusiveMinimum"], 0.0, "{holdout}");

    // A component refuses the same values when it starts, with the same code.
    let out = titanic()
        .args(["component", "publish", "--param", "target=s3://bucket/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn the_outcome_names_metrics_the_model_the_report_and_why_publish_did_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");
    let out = run_in(dir.path(), &art, &["--param", "threshold=0.5"]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("accuracy"), "{stdout}");
    let model_line = stdout
        .lines()
        .find(|l| l.starts_with("model: "))
        .expect(&stdout);
    let model = PathBuf::from(model_line.trim_start_matches("model: "));
    assert!(
        titanic_components::predict::load_model(&model).is_ok(),
        "{stdout}"
    );
    let report = stdout
        .lines()
        .find(|l| l.starts_with("report: "))
        .expect(&stdout);
    let html = std::fs::read_to_string(report.trim_start_matches("report: ")).unwrap();
    let metrics_at = html
        .find("<h2>Metrics</h2>")
        .expect("metrics in the report");
    assert!(
        metrics_at < html.find("<h2>Graph</h2>").unwrap(),
        "metrics at the top"
    );

    let out = run_in(dir.path(), &art, &["--param", "threshold=0.99", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(json["status"], "Succeeded");
    assert!(json["published"].as_array().unwrap().is_empty());
    let skipped = &json["not_run"][0];
    assert_eq!(skipped["task"], "publish");
    assert!(
        skipped["reason"].as_str().unwrap().contains("when"),
        "{json}"
    );
    assert!(json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "accuracy"));
}

#[test]
fn list_into_a_closed_pipe_ends_quietly() {
    let mut child = titanic()
        .arg("list")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(out.stderr.is_empty(), "{}", text(&out));
}

#[test]
fn predict_refuses_to_overwrite_its_input_or_model_and_writes_to_stdout_with_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");
    let out = run_in(dir.path(), &art, &["--param", "threshold=0.5"]);
    assert!(out.status.success(), "{}", text(&out));
    let model = last_run(&art)["run_dir"]
        .as_str()
        .map(PathBuf::from)
        .unwrap()
        .join("model.json");
    let input = dir.path().join("passengers.csv");
    write_train_csv(&input, Some(50));
    let before = (
        std::fs::read(&input).unwrap(),
        std::fs::read(&model).unwrap(),
    );
    for target in [&input, &model] {
        let out = titanic()
            .args(["predict", "--model"])
            .arg(&model)
            .arg("--input")
            .arg(&input)
            .arg("--output")
            .arg(target)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(
            text(&out).contains("refusing to overwrite"),
            "{}",
            text(&out)
        );
    }
    assert_eq!(
        (
            std::fs::read(&input).unwrap(),
            std::fs::read(&model).unwrap()
        ),
        before
    );
    let out = titanic()
        .args(["predict", "--model"])
        .arg(&model)
        .arg("--input")
        .arg(&input)
        .args(["--output", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().next(), Some("PassengerId,Survived"));
    assert_eq!(csv.lines().count(), 51);
}

/// The processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) {
                found.push(cmd);
            }
        }
    }
    found
}

/// Starts `titanic run` with a fixed run name and slow training.
fn start_run(art: &Path, extra: &[&str]) -> std::process::Child {
    titanic()
        .args(["run", "--artifacts"])
        .arg(art)
        .args([
            "--param",
            r#"train_params={"max_epochs":400,"patience":400,"n_seeds":2}"#,
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn step_log(art: &Path, task: &str) -> Option<PathBuf> {
    let runs = std::fs::read_dir(art.join("runs")).ok()?;
    for run in runs.flatten() {
        let log = run.path().join("logs").join(format!("{task}-attempt1.log"));
        if log.exists() {
            return Some(log);
        }
    }
    None
}

#[test]
fn sigterm_stops_the_steps_records_the_run_as_interrupted_and_a_rerun_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("art");
    let child = start_run(&art, &[]);
    let started = Instant::now();
    while step_log(&art, "train-fold-00000").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "train-fold never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let stopped = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        stopped.elapsed() < Duration::from_secs(10),
        "took {:?}",
        stopped.elapsed()
    );
    assert_eq!(out.status.code(), Some(143), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    assert!(
        processes_mentioning(art.to_str().unwrap()).is_empty(),
        "steps left running: {:?}",
        processes_mentioning(art.to_str().unwrap())
    );
    let record = last_run(&art);
    assert_eq!(record["status"], "Interrupted");
    assert_eq!(statuses(&record, "ingest"), ["Succeeded"]);

    let out = start_run(&art, &[]).wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let rerun = last_run(&art);
    assert_eq!(statuses(&rerun, "ingest"), ["Cached"]);
    assert_eq!(statuses(&rerun, "featurize"), ["Cached"]);
}

#[test]
fn killed_at_any_point_a_rerun_resumes_to_byte_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    let out = run_in(dir.path(), &reference, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let expected = last_run(&reference);
    let model = output_digest(&expected, "publish", "model");
    let features = output_digest(&expected, "featurize", "features");

    // Kill -9 the runner as each of these steps starts, several times over one store, then
    // let a final run finish.
    let art = dir.path().join("crashed");
    for task in [
        "ingest",
        "featurize",
        "train-fold-00000",
        "train-fold-00003",
        "evaluate",
        "publish",
    ] {
        let mut child = titanic()
            .args(["run", "--artifacts"])
            .arg(&art)
            .args(["--param", FAST])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            let seen = std::fs::read_dir(art.join("runs"))
                .ok()
                .is_some_and(|runs| {
                    runs.flatten().any(|r| {
                        std::fs::read_dir(r.path().join("logs"))
                            .ok()
                            .is_some_and(|logs| {
                                logs.flatten().any(|l| {
                                    l.file_name()
                                        .to_string_lossy()
                                        .starts_with(&format!("{task}-attempt"))
                                        && !r.path().join("run.json").exists()
                                })
                            })
                    })
                });
            if seen || child.try_wait().unwrap().is_some() {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{task} never started"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let _ = child.kill();
        let _ = child.wait();
        // The steps die with the runner.
        let left = Instant::now();
        while !processes_mentioning(art.to_str().unwrap()).is_empty() {
            assert!(
                left.elapsed() < Duration::from_secs(10),
                "steps outlived the runner"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let out = run_in(dir.path(), &art, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let resumed = last_run(&art);
    assert_eq!(output_digest(&resumed, "featurize", "features"), features);
    assert_eq!(output_digest(&resumed, "publish", "model"), model);
    let verify = store(&["verify"], &art);
    assert!(verify.status.success(), "{}", text(&verify));
}

#[test]
fn a_step_writing_a_non_finite_number_fails_naming_it_and_is_not_cached() {
    // Age 1e308 passes the column checks, but standardizing it overflows: featurize must fail
    // rather than write `null` (or the domain check refuses it first).
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("huge.csv");
    let mut rows = titanic_components::passenger::bundled().unwrap();
    rows[0].age = Some(1e308);
    Dataset::new(rows).write(&csv).unwrap();
    let art = dir.path().join("art");
    let out = run_in(dir.path(), &art, &["--param", "source=huge.csv"]);
    assert!(!out.status.success(), "{}", text(&out));
    let run = last_run(&art);
    let failed: Vec<String> = run["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "Failed")
        .map(|s| s["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        failed
            .iter()
            .any(|m| m.contains("non-finite") || m.contains("Age")),
        "{failed:?}"
    );
    assert!(std::fs::read_dir(art.join("cache"))
        .unwrap()
        .flatten()
        .all(|e| !std::fs::read_to_string(e.path())
            .unwrap()
            .contains("featurize")));
}
