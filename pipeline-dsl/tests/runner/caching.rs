//! What a component author controls about caching: `#[component(cache = false)]` (a side-effect
//! step runs every time, locally and on Argo) and `version = "..."` (the cache key holds the
//! declared version instead of the components binary's digest).

use pipeline_dsl::compile::{CACHE_ANNOTATION, DESCRIPTION_ANNOTATION, VERSION_ANNOTATION};
use pipeline_dsl::prelude::*;
use pipeline_dsl::runner::{run, StepStatus};

use crate::fixture::{Make, Summed};
use crate::{count, pipeline, statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "never_cached_step_runs_every_time",
        never_cached_step_runs_every_time,
    ),
    (
        "declared_version_survives_a_binary_change",
        declared_version_survives_a_binary_change,
    ),
    (
        "never_cache_and_memoize_do_not_mix",
        never_cache_and_memoize_do_not_mix,
    ),
];

/// Posts the sum somewhere (a side effect: it must happen on every run).
#[component(cache = false)]
pub fn notify(rows: Input<Json<Vec<u32>>>) -> Result<Summed> {
    Ok(Summed {
        sum: Param(rows.0 .0.iter().map(|r| u64::from(*r)).sum()),
    })
}

/// Counts the numbers; its author vouches for its results with a version.
#[component(version = "1")]
pub fn tally(rows: Input<Json<Vec<u32>>>) -> Result<Summed> {
    Ok(Summed {
        sum: Param(rows.0 .0.len() as u64),
    })
}

fn annotations(wf: &pipeline_dsl::argo::Workflow, template: &str) -> Vec<(String, String)> {
    let t = wf
        .spec
        .templates
        .iter()
        .find(|t| t.name == template)
        .expect("template");
    t.metadata
        .as_ref()
        .map(|m| m.annotations.clone().into_iter().collect())
        .unwrap_or_default()
}

fn never_cached_step_runs_every_time() {
    let env = Env::new();
    let p = pipeline("side-effect");
    let made = p.add(Make { n: 4.into() });
    p.add(Notify { rows: made.rows });
    let wf = env.compile(&p);
    let notify = wf.spec.templates.iter().find(|t| t.name == "notify");
    assert!(notify.unwrap().memoize.is_none(), "no Argo memoization");
    assert_eq!(
        annotations(&wf, "notify"),
        [
            (CACHE_ANNOTATION.to_owned(), "false".to_owned()),
            (
                DESCRIPTION_ANNOTATION.to_owned(),
                "Posts the sum somewhere (a side effect: it must happen on every run).".to_owned()
            ),
        ]
    );
    assert!(!annotations(&wf, "make")
        .iter()
        .any(|(k, _)| k == CACHE_ANNOTATION));

    let first = run(&wf, &env.options()).unwrap();
    assert!(first.succeeded(), "{}", first.table());
    let second = run(&wf, &env.options()).unwrap();
    assert!(second.succeeded(), "{}", second.table());
    assert_eq!(statuses(&second, "make"), [StepStatus::Cached]);
    assert_eq!(statuses(&second, "notify"), [StepStatus::Succeeded]);
    assert_eq!(second.step("notify").unwrap().parameters["sum"], "6");
    let trace = env.trace();
    assert_eq!((count(&trace, "make"), count(&trace, "notify")), (1, 2));
    // Only `make` left a cache entry.
    let entries = std::fs::read_dir(env.artifacts().join("cache"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert_eq!(entries, 1);
}

fn declared_version_survives_a_binary_change() {
    let env = Env::new();
    let p = pipeline("versioned");
    let made = p.add(Make { n: 3.into() });
    p.add(Tally { rows: made.rows });
    let wf = env.compile(&p);
    assert!(annotations(&wf, "tally").contains(&(VERSION_ANNOTATION.into(), "1".into())));
    let first = run(&wf, &env.options()).unwrap();
    assert!(first.succeeded(), "{}", first.table());

    // Another build of the components binary: same code, different bytes (trailing data after
    // an ELF/Mach-O image does not change what it runs).
    let mut bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
    bytes.extend_from_slice(b"another build");
    let rebuilt = env.path("rebuilt-components");
    std::fs::write(&rebuilt, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&rebuilt, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut options = env.options();
    options.binary = rebuilt;
    let second = run(&wf, &options).unwrap();
    assert!(second.succeeded(), "{}", second.table());
    assert_eq!(
        statuses(&second, "make"),
        [StepStatus::Succeeded],
        "no version: the binary's digest is in the key"
    );
    assert_eq!(
        statuses(&second, "tally"),
        [StepStatus::Cached],
        "same inputs, same declared version"
    );
    assert_eq!(second.step("tally").unwrap().parameters["sum"], "3");
}

fn never_cache_and_memoize_do_not_mix() {
    let p = pipeline("both");
    p.add(Make { n: 1.into() }).never_cache().cache("720h");
    let err = p.compile().unwrap_err().to_string();
    assert!(
        err.contains("task `make` is never cached") && err.contains("720h"),
        "{err}"
    );
    // Without memoization, never_cache on a task marks its template.
    let p = pipeline("task-level");
    p.add(Make { n: 1.into() }).never_cache();
    let wf = p.compile().unwrap().workflow();
    assert!(annotations(&wf, "make").contains(&(CACHE_ANNOTATION.into(), "false".into())));
}
