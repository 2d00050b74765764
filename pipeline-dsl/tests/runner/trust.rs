//! Never a wrong result: outside data keyed by content, corrupt blobs repaired, non-finite
//! outputs refused, exit code 2 for what a retry cannot fix.

use std::path::{Path, PathBuf};

use pipeline_dsl::external::{file_digest, ExternalData};
use pipeline_dsl::prelude::*;
use pipeline_dsl::runner::{run, StepStatus, WorkflowStatus};

use crate::{artifact, pipeline, statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "outside_data_is_keyed_by_content_and_resolved_where_the_run_started",
        outside_data_is_keyed_by_content_and_resolved_where_the_run_started,
    ),
    (
        "a_corrupt_blob_is_a_miss_recomputed_and_replaced",
        a_corrupt_blob_is_a_miss_recomputed_and_replaced,
    ),
    (
        "a_non_finite_output_fails_the_step_naming_it_and_is_not_cached",
        a_non_finite_output_fails_the_step_naming_it_and_is_not_cached,
    ),
    ("inputs_are_linked_not_copied", inputs_are_linked_not_copied),
    (
        "gc_keeps_the_newest_runs_and_what_they_use",
        gc_keeps_the_newest_runs_and_what_they_use,
    ),
];

/// A text file named by path: outside data.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct TextFile(PathBuf);

impl ExternalData for TextFile {
    fn resolve(self, base: &Path) -> Self {
        TextFile(base.join(self.0))
    }
    fn fingerprint(&self) -> std::result::Result<Option<String>, pipeline_dsl::BoxError> {
        Ok(Some(file_digest(&self.0)?))
    }
}

pipeline_dsl::external_data!(TextFile);

#[derive(Outputs)]
pub struct Lines {
    /// The file's lines.
    pub lines: Json<Vec<String>>,
}

/// Reads the lines of `file`.
#[component]
pub fn read_lines(file: TextFile) -> Result<Lines> {
    let text = std::fs::read_to_string(&file.0)?;
    Ok(Lines {
        lines: Json(text.lines().map(str::to_owned).collect()),
    })
}

#[derive(Outputs)]
pub struct Quotient {
    /// `num / den` as JSON.
    pub value: Json<f64>,
}

/// Divides (0/0 is NaN).
#[component]
pub fn divide(num: f64, den: f64) -> Result<Quotient> {
    Ok(Quotient {
        value: Json(num / den),
    })
}

fn outside_data_is_keyed_by_content_and_resolved_where_the_run_started() {
    let env = Env::new();
    let p = pipeline("outside");
    p.add(ReadLines {
        file: TextFile("notes.txt".into()).into(),
    });
    let wf = env.compile(&p);
    std::fs::write(env.path("notes.txt"), "a\nb\n").unwrap();
    let options = pipeline_dsl::runner::RunOptions {
        base_dir: env.root().to_owned(),
        ..env.options()
    };
    let first = run(&wf, &options).unwrap();
    assert!(first.succeeded(), "{:?}", first.errors());
    assert_eq!(
        artifact(&first, "read-lines", "lines")
            .split_whitespace()
            .count(),
        4
    );
    let second = run(&wf, &options).unwrap();
    assert_eq!(statuses(&second, "read-lines"), [StepStatus::Cached]);
    std::fs::write(env.path("notes.txt"), "a\nb\nc\n").unwrap();
    let third = run(&wf, &options).unwrap();
    assert_eq!(
        statuses(&third, "read-lines"),
        [StepStatus::Succeeded],
        "changed content is read again"
    );
    assert!(artifact(&third, "read-lines", "lines").contains("\"c\""));
    std::fs::remove_file(env.path("notes.txt")).unwrap();
    let fourth = run(&wf, &options).unwrap();
    assert_eq!(fourth.status, WorkflowStatus::Failed);
    assert!(
        fourth.errors()[0].contains("notes.txt"),
        "{:?}",
        fourth.errors()
    );
}

fn chain(env: &Env) -> pipeline_dsl::argo::Workflow {
    let p = pipeline("trust-chain");
    let made = p.add(crate::fixture::Make { n: 5.into() });
    let doubled = p.add(crate::fixture::Double { rows: made.rows });
    p.add(crate::fixture::Total { rows: doubled.rows });
    env.compile(&p)
}

fn a_corrupt_blob_is_a_miss_recomputed_and_replaced() {
    let env = Env::new();
    let wf = chain(&env);
    let first = run(&wf, &env.options()).unwrap();
    let doubled = first.step("double").unwrap().artifacts[0].clone();
    let good = std::fs::read(&doubled.path).unwrap();
    let mut perms = std::fs::metadata(&doubled.path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&doubled.path, perms).unwrap();
    std::fs::write(&doubled.path, b"[0,2,4,6,9]").unwrap();
    let verify = pipeline_dsl::runner::verify(&env.artifacts(), None, false).unwrap();
    assert_eq!(verify.corrupt, [format!("sha256/{}", doubled.digest)]);

    let second = run(&wf, &env.options()).unwrap();
    assert!(second.succeeded(), "{:?}", second.errors());
    assert_eq!(statuses(&second, "double"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&second, "total"), [StepStatus::Cached]);
    assert_eq!(std::fs::read(&doubled.path).unwrap(), good, "replaced");
    let verify = pipeline_dsl::runner::verify(&env.artifacts(), None, false).unwrap();
    assert!(verify.corrupt.is_empty());
    // Corrupt again, even with --no-cache the bad blob is not kept.
    std::fs::remove_file(&doubled.path).unwrap();
    std::fs::write(&doubled.path, b"garbage").unwrap();
    let options = pipeline_dsl::runner::RunOptions {
        no_cache: true,
        ..env.options()
    };
    assert!(run(&wf, &options).unwrap().succeeded());
    assert_eq!(std::fs::read(&doubled.path).unwrap(), good);
}

fn a_non_finite_output_fails_the_step_naming_it_and_is_not_cached() {
    let env = Env::new();
    let p = pipeline("nan");
    p.add(Divide {
        num: 0.0.into(),
        den: 0.0.into(),
    });
    let wf = env.compile(&p);
    for _ in 0..2 {
        let summary = run(&wf, &env.options()).unwrap();
        assert_eq!(statuses(&summary, "divide"), [StepStatus::Failed]);
        let error = summary.errors()[0];
        assert!(
            error.contains("non-finite") && error.contains("NaN") && error.contains("value"),
            "{error}"
        );
        assert!(error.contains("exit status 2"), "{error}");
    }
    let entries = std::fs::read_dir(env.artifacts().join("cache"))
        .unwrap()
        .count();
    assert_eq!(entries, 0, "nothing cached");
}

fn inputs_are_linked_not_copied() {
    use std::os::unix::fs::MetadataExt;
    let env = Env::new();
    let wf = chain(&env);
    let summary = run(&wf, &env.options()).unwrap();
    assert!(summary.succeeded());
    let made = &summary.step("make").unwrap().artifacts[0];
    let blob = std::fs::metadata(&made.path).unwrap();
    assert!(blob.permissions().readonly(), "blobs are read-only");
    // The input `double` read is the blob itself (a hard link), not a copy.
    let input = summary.run_dir.join("work/double/attempt1/in/rows");
    let linked = std::fs::metadata(&input).unwrap();
    assert_eq!((linked.dev(), linked.ino()), (blob.dev(), blob.ino()));
}

fn sized(env: &Env, n: u32) -> pipeline_dsl::argo::Workflow {
    let p = pipeline("trust-gc");
    let made = p.add(crate::fixture::Make { n: n.into() });
    p.add(crate::fixture::Double { rows: made.rows });
    env.compile(&p)
}

fn gc_keeps_the_newest_runs_and_what_they_use() {
    let env = Env::new();
    let old = run(&sized(&env, 3), &env.options()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let new = run(&sized(&env, 4), &env.options()).unwrap();
    let report = pipeline_dsl::runner::gc(&env.artifacts(), None, 1).unwrap();
    assert_eq!(report.kept_runs, std::slice::from_ref(&new.workflow));
    assert_eq!(report.removed_runs, std::slice::from_ref(&old.workflow));
    assert_eq!(report.removed_entries, 2, "{report:?}");
    for a in old.steps.iter().flat_map(|s| &s.artifacts) {
        assert!(!a.path.exists(), "{} removed", a.name);
    }
    assert!(!old.run_dir.exists());
    let again = run(&sized(&env, 4), &env.options()).unwrap();
    assert_eq!(statuses(&again, "make"), [StepStatus::Cached]);
    assert_eq!(statuses(&again, "double"), [StepStatus::Cached]);
    let recomputed = run(&sized(&env, 3), &env.options()).unwrap();
    assert_eq!(statuses(&recomputed, "make"), [StepStatus::Succeeded]);
}
