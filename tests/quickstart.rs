//! `docs/quickstart.md` is true: a scratch crate made only from its code blocks (those marked
//! `file=PATH`, with the workspace's `pipeline-dsl` as the path dependency) builds, `cargo build`
//! writes its `pipeline.yaml` (and leaves it untouched when nothing changed), the binary runs
//! the pipeline, its `--help`, `run --help` and `describe` say what the page says, and the
//! manifest passes the offline validation (Hera models + Argo's CRD schema) when the validators
//! are installed (`scripts/test.sh` installs them and sets `REQUIRE_SERVICES=1`, which makes
//! them mandatory; it also validates the copy left in `$CONFORMANCE_DIR`).
//!
//! The scratch crate is rewritten under `target/tmp/quickstart` on every run and builds offline
//! against the workspace's `Cargo.lock`, in a target directory kept there, so only the first run
//! compiles its dependencies.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// What the page writes where the workspace's path belongs.
const PLACEHOLDER: &str = "/path/to/mlops-titanic";

/// The `file=PATH` code blocks of the page: (path, content).
fn files(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        match &mut current {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    if let Some(path) = info
                        .split_whitespace()
                        .find_map(|w| w.strip_prefix("file="))
                    {
                        current = Some((path.to_owned(), String::new()));
                    }
                }
            }
            Some((path, text)) => {
                if line.trim_start().starts_with("```") {
                    out.push((path.clone(), std::mem::take(text)));
                    current = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
    }
    assert!(
        current.is_none(),
        "an unclosed code block in the quickstart"
    );
    out
}

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(args)
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

fn ok(output: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Runs the validators on `manifest` with `.venv`'s Python (or `$VALIDATOR_PYTHON`) when it is
/// there; mandatory with `REQUIRE_SERVICES`.
fn validate(manifest: &Path) {
    let python = std::env::var_os("VALIDATOR_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(ROOT).join(".venv/bin/python"));
    if !python.exists() {
        assert!(
            std::env::var_os("REQUIRE_SERVICES").is_none(),
            "REQUIRE_SERVICES is set but {} is missing",
            python.display()
        );
        eprintln!("NOTICE: .venv is missing: pipeline.yaml of the quickstart not validated here");
        return;
    }
    let out = Command::new(python)
        .arg(Path::new(ROOT).join("scripts/validate_manifests.py"))
        .arg(manifest)
        .output()
        .expect("python runs");
    ok(&out, "validate_manifests.py");
}

#[test]
fn quickstart_crate_builds_runs_and_emits_a_valid_pipeline() {
    let page = std::fs::read_to_string(Path::new(ROOT).join("docs/quickstart.md")).unwrap();
    let files = files(&page);
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        ["Cargo.toml", "src/pipeline.rs", "src/main.rs", "build.rs"]
    );

    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("quickstart");
    let dir = work.join("wordcount");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    for (path, text) in &files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text.replace(PLACEHOLDER, ROOT)).unwrap();
    }
    // Resolve offline to the versions the workspace uses.
    std::fs::copy(Path::new(ROOT).join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let target = work.join("target");

    // `cargo build` writes pipeline.yaml ...
    ok(&cargo(&dir, &target, &["build"]), "cargo build");
    let manifest = dir.join("pipeline.yaml");
    let yaml = std::fs::read_to_string(&manifest).expect("cargo build wrote pipeline.yaml");
    for expected in [
        "from the `wordcount` pipeline",
        "image: wordcount:latest",
        "workflows.argoproj.io/description: Counts the words of every line.",
        "pipeline-dsl/cache: 'false'",
        "pipeline-dsl/version: '1'",
    ] {
        assert!(yaml.contains(expected), "`{expected}` not in\n{yaml}");
    }
    // ... only when its content changes.
    let written = std::fs::metadata(&manifest).unwrap().modified().unwrap();
    std::fs::write(dir.join("src/main.rs"), format!("{}\n", files[2].1)).unwrap();
    ok(&cargo(&dir, &target, &["build"]), "second cargo build");
    assert_eq!(
        std::fs::metadata(&manifest).unwrap().modified().unwrap(),
        written
    );

    // The binary: help, describe by function name, and a local run.
    let bin = target.join("debug/wordcount");
    let run = |args: &[&str]| {
        Command::new(&bin)
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("wordcount runs")
    };
    let help = ok(&run(&["--help"]), "--help");
    assert!(
        help.contains("`wordcount` pipeline: Counts the words of a text"),
        "{help}"
    );
    let run_help = ok(&run(&["run", "--help"]), "run --help");
    assert!(
        run_help.contains("text") && run_help.contains("lines separated by |"),
        "{run_help}"
    );
    let described = ok(&run(&["describe", "count_words"]), "describe count_words");
    assert!(
        described.contains("\"name\": \"count-words\""),
        "{described}"
    );
    let first = ok(&run(&["run", "--artifacts", "artifacts"]), "run");
    assert!(
        first.contains("the text has 9 words") || first.contains("Succeeded"),
        "{first}"
    );
    let second = ok(
        &run(&["run", "--artifacts", "artifacts", "--json"]),
        "second run",
    );
    let outcome: serde_json::Value = serde_json::from_str(&second).expect("--json output");
    let run_dir = dir.join(outcome["run_dir"].as_str().expect("run_dir"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("run.json")).unwrap()).unwrap();
    let status = |task: &str| {
        summary["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["task"] == task)
            .map(|s| s["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status("count-words").as_deref(), Some("Cached"), "{second}");
    assert_eq!(status("announce").as_deref(), Some("Succeeded"), "{second}");

    validate(&manifest);
    if let Some(dir) = std::env::var_os("CONFORMANCE_DIR").filter(|d| !d.is_empty()) {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&manifest, Path::new(&dir).join("quickstart.workflow.yaml")).unwrap();
    }
}
