//! End to end: the `titanic` binary compiles and runs the real pipeline with the local runner.

use std::path::Path;
use std::process::Command;

mod common;
use common::{only_run, repo_root};

fn titanic() -> Command {
    Command::new(env!("CARGO_BIN_EXE_titanic"))
}

fn run(artifacts: &Path, extra: &[&str]) -> (bool, String) {
    let out = titanic()
        .args(["run", "--artifacts"])
        .arg(artifacts)
        .args(extra)
        .output()
        .expect("spawn titanic");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// The `STATUS` column of the summary table for `task`.
fn status_of<'a>(table: &'a str, task: &str) -> Vec<&'a str> {
    table
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|t| t == task || t.starts_with(&format!("{task}[")))
        })
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| !w.starts_with('(') && *w != task && !w.starts_with(&format!("{task}[")))
        })
        .collect()
}

#[test]
fn compile_prints_the_committed_manifest() {
    let out = titanic().arg("compile").output().unwrap();
    assert!(out.status.success());
    let committed = std::fs::read_to_string(repo_root().join("pipeline.yaml")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}

#[test]
fn runs_end_to_end_then_reuses_then_reruns_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, first) = run(dir.path(), &[]);
    assert!(ok, "{first}");
    for task in ["ingest", "featurize", "evaluate", "publish"] {
        assert_eq!(status_of(&first, task), ["Succeeded"], "{task}: {first}");
    }
    assert_eq!(status_of(&first, "train-fold").len(), 5, "{first}");
    let (run_dir, summary) = only_run(dir.path());
    let accuracy: f64 = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["task"] == "evaluate")
        .and_then(|s| s["parameters"]["accuracy"].as_str())
        .unwrap()
        .parse()
        .unwrap();
    assert!(accuracy > 0.80, "out-of-fold accuracy {accuracy}");
    assert!(run_dir.join("report.html").exists());

    let (ok, second) = run(dir.path(), &[]);
    assert!(ok, "{second}");
    for task in ["ingest", "featurize", "train-fold", "evaluate"] {
        assert!(
            status_of(&second, task).iter().all(|s| *s == "Cached"),
            "{task}: {second}"
        );
    }
    // publish is a side effect (`cache = false`): it runs again, writing the same bytes.
    assert_eq!(status_of(&second, "publish"), ["Succeeded"], "{second}");
    let models: Vec<_> = std::fs::read_dir(dir.path().join("runs"))
        .unwrap()
        .map(|run| std::fs::read(run.unwrap().path().join("run.json")).unwrap())
        .map(|bytes| testkit::published_model(&serde_json::from_slice(&bytes).unwrap()))
        .collect();
    assert_eq!(models.len(), 2);
    assert_eq!(models[0], models[1], "the same blob: byte-identical");

    // A different threshold changes only the gate: publish is skipped, nothing retrains.
    let (ok, gated) = run(dir.path(), &["--param", "threshold=0.99"]);
    assert!(ok, "{gated}");
    assert_eq!(status_of(&gated, "publish"), ["Skipped"], "{gated}");
    assert!(
        status_of(&gated, "train-fold")
            .iter()
            .all(|s| *s == "Cached"),
        "{gated}"
    );
}

#[test]
fn a_bad_data_file_fails_ingest_naming_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked\n\
         1,0,3,\"A, Mr. B\",male,22,1,0,X,7.25,,S\n\
         2,1,first,\"C, Mrs. D\",female,38,1,0,Y,71.28,C85,C\n",
    )
    .unwrap();
    let (ok, text) = run(
        &dir.path().join("art"),
        &["--param", &format!("source={}", csv.display())],
    );
    assert!(!ok);
    assert!(text.contains("line 3") && text.contains("Pclass"), "{text}");
    assert!(
        status_of(&text, "report-status") == ["Succeeded"],
        "the exit handler still runs: {text}"
    );
}

#[test]
fn unknown_and_ill_typed_parameters_are_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = run(dir.path(), &["--param", "treshold=0.9"]);
    assert!(
        !ok && text.contains("unknown pipeline parameter `treshold`"),
        "{text}"
    );
    let (ok, text) = run(dir.path(), &["--param", "threshold=high"]);
    assert!(!ok && text.contains("threshold"), "{text}");
    let params = dir.path().join("params.yaml");
    std::fs::write(
        &params,
        "train_params:\n  hidden: [8]\n  learning_rat: 0.1\n",
    )
    .unwrap();
    let (ok, text) = run(dir.path(), &["--params", params.to_str().unwrap()]);
    assert!(!ok && text.contains("learning_rat"), "{text}");
    assert!(!dir.path().join("runs").exists(), "nothing ran");
}

#[test]
fn predict_writes_a_kaggle_submission() {
    let test_csv = repo_root().join("data/titanic/test.csv");
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = run(dir.path(), &[]);
    assert!(ok, "{text}");
    let (_, summary) = only_run(dir.path());
    let model = testkit::published_model(&summary);
    let out = dir.path().join("submission.csv");
    let status = titanic()
        .args(["predict", "--model"])
        .arg(&model)
        .arg("--input")
        .arg(&test_csv)
        .arg("--output")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("PassengerId,Survived"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 418);
    assert!(rows.iter().all(|r| r.ends_with(",0") || r.ends_with(",1")));
    let survivors = rows.iter().filter(|r| r.ends_with(",1")).count();
    assert!(
        (100..250).contains(&survivors),
        "{survivors} predicted survivors of 418"
    );

    // `titanic model` shows what the model reads and imputes, and its card.
    let out = titanic()
        .args(["model", "--model"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["fields"]["needed"].to_string().contains("Fare"));
    assert!(!v["fields"]["needed"].to_string().contains("Cabin"));
    assert!(v["fields"]["imputed"].to_string().contains("Age"));
    let spread = &v["card"]["fold_accuracy"];
    assert!(
        spread["min"].as_f64() <= spread["mean"].as_f64(),
        "{spread}"
    );
    assert!(v["card"]["validation"]
        .as_str()
        .unwrap()
        .contains("never saw"));
    // The published model is trained on the development part only; the held-out part was
    // scored by it once, with all fields and with the demo's fields.
    let e = &v["card"]["evaluation"];
    let (dev, held) = (
        e["development_rows"].as_u64().unwrap(),
        e["held_out_rows"].as_u64().unwrap(),
    );
    assert_eq!((dev + held, held), (891, 284), "{e}");
    assert_eq!(
        v["metrics"]["n"].as_u64(),
        Some(dev),
        "out of fold on the development part"
    );
    assert_eq!(e["fold_seeds"].as_array().map(Vec::len), Some(5), "{e}");
    for fields in ["all_fields", "demo_fields"] {
        let cv = &e["cv"][fields]["accuracy"];
        assert!(cv["sd"].as_f64().unwrap() > 0.0, "{cv}");
        assert!(cv["min"].as_f64() <= cv["max"].as_f64(), "{cv}");
        let held_acc = e["held_out"][fields]["accuracy"].as_f64().unwrap();
        assert!(held_acc > 0.78, "held-out accuracy {held_acc} ({fields})");
    }

    // A corrupt model is one clear error, not a panic.
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"format_version\": 1, \"featurizer\": ").unwrap();
    let out = titanic()
        .args(["predict", "--model"])
        .arg(&corrupt)
        .arg("--input")
        .arg(&test_csv)
        .arg("--output")
        .arg(dir.path().join("x.csv"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("corrupt.json") && !err.contains("panicked"),
        "{err}"
    );
}
