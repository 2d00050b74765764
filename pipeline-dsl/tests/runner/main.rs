//! Integration tests of the local runner, with real processes.
//!
//! This test target has its own `main` (`harness = false`, tests listed with `libtest-mimic`) so
//! that the test executable can also serve as the components binary the runner spawns:
//! `main` dispatches `component <name> ...` to the components in `fixture.rs`, and
//! `killable-run ...` to a runner the killed-run test starts as a child process and kills.

mod argo;
mod caching;
mod fixture;
mod hooks;
mod host;
mod isolation;
mod nodes;
mod parallelism;
mod scenarios;
mod templates;
mod trust;

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Trial};
use pipeline_dsl::argo::{EnvVar, Workflow};
use pipeline_dsl::runner::{RunOptions, RunSummary, StepStatus};
use pipeline_dsl::Pipeline;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("component") => std::process::exit(fixture::dispatch(&args[2..])),
        Some("killable-run") => std::process::exit(scenarios::killable_run(&args[2..])),
        _ => {}
    }
    let mut arguments = Arguments::from_args();
    // Timing assertions are steadier when tests do not compete for the two CPUs.
    arguments.test_threads.get_or_insert(1);
    let trials = scenarios::ALL
        .iter()
        .chain(trust::ALL)
        .chain(argo::ALL)
        .chain(templates::ALL)
        .chain(host::ALL)
        .chain(hooks::ALL)
        .chain(isolation::ALL)
        .chain(nodes::ALL)
        .chain(parallelism::ALL)
        .chain(caching::ALL)
        .map(|(name, test)| {
            Trial::test(*name, move || {
                test();
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&arguments, trials).exit();
}

/// A scratch directory with an artifact root and a trace file of spawned components.
pub struct Env {
    root: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

impl Env {
    /// A fresh environment, deleted when dropped.
    /// Set `RUNNER_TEST_KEEP=1` to keep it (the path is printed) and look at the reports.
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        if std::env::var_os("RUNNER_TEST_KEEP").is_some() {
            let root = dir.keep();
            eprintln!("keeping {}", root.display());
            return Env::at(&root);
        }
        Env {
            root: dir.path().to_owned(),
            _dir: Some(dir),
        }
    }

    /// An environment in an existing directory (kept).
    pub fn at(root: &Path) -> Env {
        Env {
            root: root.to_owned(),
            _dir: None,
        }
    }

    /// The scratch directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The artifact root.
    pub fn artifacts(&self) -> PathBuf {
        self.root.join("artifacts")
    }

    /// A path in the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Run options: this executable as the components binary, no progress bars.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            artifacts: self.artifacts(),
            parallelism: 4,
            binary: std::env::current_exe().expect("current exe"),
            progress: false,
            ..RunOptions::default()
        }
    }

    /// Component lines traced so far (one per spawned process).
    pub fn trace(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("trace"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Compiles the pipeline and makes its steps trace themselves into this environment.
    pub fn compile(&self, p: &Pipeline) -> Workflow {
        // Through YAML, so the runner executes exactly what a `pipeline.yaml` would hold.
        let yaml = p.compile().expect("compiles").to_yaml().expect("yaml");
        let mut wf = pipeline_dsl::argo::from_yaml(&yaml).expect("parses");
        let trace = self.path("trace").display().to_string();
        for t in &mut wf.spec.templates {
            if let Some(c) = &mut t.container {
                c.env.push(EnvVar {
                    name: "FIXTURE_TRACE".into(),
                    value: Some(trace.clone()),
                    ..Default::default()
                });
            }
        }
        wf
    }
}

/// A pipeline with the fixture's image and command.
pub fn pipeline(name: &str) -> Pipeline {
    Pipeline::new(name).image("fixture:1").command(&["fixture"])
}

/// Status of every step of `task`.
pub fn statuses(summary: &RunSummary, task: &str) -> Vec<StepStatus> {
    summary.steps_of(task).iter().map(|s| s.status).collect()
}

/// How many trace lines start with `component`.
pub fn count(lines: &[String], component: &str) -> usize {
    lines
        .iter()
        .filter(|l| l.split(' ').next() == Some(component))
        .count()
}

/// Reads a stored artifact of a step.
pub fn artifact(summary: &RunSummary, task: &str, name: &str) -> String {
    let step = summary.step(task).expect("step");
    let a = step
        .artifacts
        .iter()
        .find(|a| a.name == name)
        .expect("artifact");
    std::fs::read_to_string(&a.path).expect("blob")
}
