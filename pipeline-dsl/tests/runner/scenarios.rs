//! The runner scenarios: each builds a pipeline from the fixture components, compiles it to an
//! Argo Workflow and runs that workflow with the local runner.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pipeline_dsl::argo::{DagTask, Workflow};
use pipeline_dsl::prelude::*;
use pipeline_dsl::runner::{run, RunnerError, StepStatus, WorkflowStatus};

use crate::fixture::*;
use crate::{artifact, count, pipeline, statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "fan_out_gather_when_and_exit_handler",
        fan_out_gather_when_and_exit_handler,
    ),
    (
        "when_false_skips_and_omits_downstream",
        when_false_skips_and_omits_downstream,
    ),
    ("unknown_override_is_an_error", unknown_override_is_an_error),
    (
        "retries_a_flaky_step_with_backoff",
        retries_a_flaky_step_with_backoff,
    ),
    (
        "exhausted_retries_fail_the_step",
        exhausted_retries_fail_the_step,
    ),
    (
        "failure_omits_dependents_and_runs_exit_handler",
        failure_omits_dependents_and_runs_exit_handler,
    ),
    ("timeout_kills_a_slow_step", timeout_kills_a_slow_step),
    (
        "parallelism_bounds_concurrent_steps",
        parallelism_bounds_concurrent_steps,
    ),
    (
        "unchanged_rerun_is_fully_cached",
        unchanged_rerun_is_fully_cached,
    ),
    (
        "deleting_a_blob_reruns_only_its_producer",
        deleting_a_blob_reruns_only_its_producer,
    ),
    (
        "killed_run_resumes_from_the_cache",
        killed_run_resumes_from_the_cache,
    ),
    ("bad_when_fails_the_task", bad_when_fails_the_task),
    (
        "with_param_fans_out_a_json_list",
        with_param_fans_out_a_json_list,
    ),
    ("fail_fast_stops_scheduling", fail_fast_stops_scheduling),
];

/// make -> fit x3 -> merge (gather) -> publish (when accuracy >= threshold) -> announce; exit
/// handler `report`.
fn gated_pipeline(env: &Env) -> pipeline_dsl::argo::Workflow {
    let p = pipeline("gated");
    let threshold = p.param("threshold", 0.5f64);
    let made = p.add(Make { n: 4.into() });
    let folds = p.fan_out(0..3u32, |fold| Fit {
        rows: made.rows,
        fold,
    });
    let merged = p.add(Merge {
        models: folds.gather(|o| o.model),
    });
    let published = p
        .add(Publish {
            model: merged.merged,
        })
        .when(merged.accuracy.ge(threshold));
    p.add(Announce {
        url: published.url.into(),
    });
    report_on_exit(&p, env);
    env.compile(&p)
}

fn fan_out_gather_when_and_exit_handler() {
    let env = Env::new();
    let wf = gated_pipeline(&env);
    let s = run(&wf, &env.options()).unwrap();
    assert_eq!(s.status, WorkflowStatus::Succeeded, "{}", s.table());
    assert!(
        s.workflow.starts_with("gated-") && s.workflow.len() == "gated-".len() + 5,
        "{}",
        s.workflow
    );
    let fit: Vec<_> = s
        .steps_of("fit")
        .iter()
        .map(|s| (s.item.clone().unwrap(), s.status))
        .collect();
    assert_eq!(fit.len(), 3);
    for key in ["00000", "00001", "00002"] {
        assert!(
            fit.contains(&(key.to_string(), StepStatus::Succeeded)),
            "{fit:?}"
        );
        let step = s
            .steps_of("fit")
            .into_iter()
            .find(|st| st.item.as_deref() == Some(key))
            .unwrap();
        assert_eq!(
            step.artifacts[0].key.as_deref(),
            Some(format!("{}/fit/model/{key}", s.workflow).as_str())
        );
        assert!(step
            .log
            .as_ref()
            .unwrap()
            .ends_with(format!("fit-{key}-attempt1.log")));
    }
    let merged: Vec<Vec<u32>> = serde_json::from_str(&artifact(&s, "merge", "merged")).unwrap();
    assert_eq!(
        merged,
        vec![vec![1, 2, 3], vec![0, 2, 3], vec![0, 1, 3]],
        "gathered in item order"
    );
    assert_eq!(s.step("merge").unwrap().parameters["accuracy"], "0.75");
    assert_eq!(statuses(&s, "publish"), [StepStatus::Succeeded]);
    assert_eq!(
        s.step("publish").unwrap().parameters["url"],
        "mem://model/3"
    );
    assert_eq!(statuses(&s, "announce"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&s, "report"), [StepStatus::Succeeded]);
    assert_eq!(
        std::fs::read_to_string(env.path("exit.txt")).unwrap(),
        "Succeeded\nnull"
    );
    let table = s.table();
    for needle in ["TASK", "fit[00001]", "report (exit)", "Succeeded"] {
        assert!(table.contains(needle), "{table}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.run_dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(json["status"], "Succeeded");
    let html = std::fs::read_to_string(&s.report).unwrap();
    for needle in [
        "<svg",
        "Metrics and plots",
        "merge · metrics",
        "accuracy",
        "75.00%",
        "data:image/png;base64,",
        "fit-00002-attempt1.log",
    ] {
        assert!(html.contains(needle), "report lacks {needle}");
    }
}

fn when_false_skips_and_omits_downstream() {
    let env = Env::new();
    let wf = gated_pipeline(&env);
    let mut options = env.options();
    options.params = BTreeMap::from([("threshold".to_string(), "0.9".to_string())]);
    let s = run(&wf, &options).unwrap();
    assert_eq!(
        s.status,
        WorkflowStatus::Succeeded,
        "skips do not fail a run\n{}",
        s.table()
    );
    assert_eq!(statuses(&s, "publish"), [StepStatus::Skipped]);
    assert!(s
        .step("publish")
        .unwrap()
        .message
        .as_deref()
        .unwrap()
        .contains("accuracy=0.75, workflow.parameters.threshold=0.9)"));
    assert_eq!(statuses(&s, "announce"), [StepStatus::Omitted]);
    assert_eq!(count(&env.trace(), "publish"), 0);
    // Lower the threshold: the gate opens; the upstream steps come from the cache.
    options.params.insert("threshold".into(), "0.7".into());
    let s = run(&wf, &options).unwrap();
    assert_eq!(statuses(&s, "publish"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&s, "announce"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&s, "merge"), [StepStatus::Cached]);
}

fn unknown_override_is_an_error() {
    let env = Env::new();
    let wf = gated_pipeline(&env);
    let mut options = env.options();
    options.params.insert("treshold".into(), "1".into());
    let err = run(&wf, &options).unwrap_err();
    assert!(matches!(&err, RunnerError::UnknownParameter { name, .. } if name == "treshold"));
    let text = err.to_string();
    assert!(
        text.contains("treshold") && text.contains("threshold"),
        "{text}"
    );
}

fn flaky_pipeline(env: &Env, failures: u32, retry: Retry) -> pipeline_dsl::argo::Workflow {
    let p = pipeline("flaky");
    let counter = env.path("counter").display().to_string();
    p.add(Flaky {
        counter: counter.into(),
        failures: failures.into(),
    })
    .retry(retry);
    env.compile(&p)
}

fn retries_a_flaky_step_with_backoff() {
    let env = Env::new();
    let wf = flaky_pipeline(&env, 2, Retry::new(3).backoff("100ms"));
    let started = Instant::now();
    let s = run(&wf, &env.options()).unwrap();
    let step = s.step("flaky").unwrap();
    assert_eq!(
        (step.status, step.attempts),
        (StepStatus::Succeeded, 3),
        "{}",
        s.table()
    );
    assert_eq!(step.parameters["attempt"], "3");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "backoff 100ms then 200ms"
    );
    for n in 1..=3 {
        assert!(std::path::Path::exists(
            &s.run_dir.join(format!("logs/flaky-attempt{n}.log"))
        ));
    }
    let first = std::fs::read_to_string(s.run_dir.join("logs/flaky-attempt1.log")).unwrap();
    assert!(first.contains("flaky failure 1 of 2"), "{first}");
}

fn exhausted_retries_fail_the_step() {
    let env = Env::new();
    let wf = flaky_pipeline(&env, 5, Retry::new(1));
    let s = run(&wf, &env.options()).unwrap();
    let step = s.step("flaky").unwrap();
    assert_eq!((step.status, step.attempts), (StepStatus::Failed, 2));
    assert_eq!(s.status, WorkflowStatus::Failed);
    let message = step.message.as_deref().unwrap();
    assert!(
        message.contains("after 2 attempts") && message.contains("flaky failure 2 of 5"),
        "{message}"
    );
}

/// The exit handler of the gated and failing pipelines: `report` writes the workflow's status
/// and failures to `exit.txt`.
fn report_on_exit(p: &Pipeline, env: &Env) {
    p.on_exit(Report {
        status: p.workflow_status(),
        failures: p.workflow_failures(),
        out: env.path("exit.txt").display().to_string().into(),
    });
}

fn failing_pipeline(env: &Env) -> pipeline_dsl::argo::Workflow {
    let p = pipeline("failing");
    let boomed = p.add(Boom {
        message: "kaboom".to_string().into(),
    });
    p.add(Sleepy {
        ms: boomed.sum.into(),
        stamp: env.path("never").display().to_string().into(),
    });
    let made = p.add(Make { n: 3.into() });
    p.add(Total { rows: made.rows });
    report_on_exit(&p, env);
    env.compile(&p)
}

fn failure_omits_dependents_and_runs_exit_handler() {
    let env = Env::new();
    let s = run(&failing_pipeline(&env), &env.options()).unwrap();
    assert_eq!(s.status, WorkflowStatus::Failed);
    assert_eq!(statuses(&s, "boom"), [StepStatus::Failed]);
    assert_eq!(statuses(&s, "sleepy"), [StepStatus::Omitted]);
    assert_eq!(
        statuses(&s, "make"),
        [StepStatus::Succeeded],
        "independent branch finishes"
    );
    assert_eq!(statuses(&s, "total"), [StepStatus::Succeeded]);
    assert_eq!(s.step("total").unwrap().parameters["sum"], "3");
    let message = s.step("boom").unwrap().message.clone().unwrap();
    let log = s.run_dir.join("logs/boom-attempt1.log");
    assert!(!message.contains('\n'), "{message}");
    assert!(
        message.contains("`boom`") && message.contains("kaboom"),
        "{message}"
    );
    assert!(message.contains(&log.display().to_string()), "{message}");
    assert_eq!(s.errors(), [message.as_str()]);
    let exit = std::fs::read_to_string(env.path("exit.txt")).unwrap();
    let (status, failures) = exit.split_once('\n').unwrap();
    assert_eq!(status, "Failed");
    let failures: serde_json::Value = serde_json::from_str(failures).unwrap();
    assert_eq!(failures[0]["displayName"], "boom");
    assert_eq!(failures[0]["templateName"], "boom");
    assert_eq!(failures[0]["phase"], "Failed");
    assert!(failures[0]["message"].as_str().unwrap().contains("kaboom"));
    let html = std::fs::read_to_string(&s.report).unwrap();
    assert!(html.contains("&lt;script&gt;alert(&#39;not escaped&#39;)&lt;/script&gt;"));
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src=\"http"));
}

fn timeout_kills_a_slow_step() {
    let env = Env::new();
    let p = pipeline("slow");
    p.add(Sleepy {
        ms: 20_000.into(),
        stamp: env.path("stamp").display().to_string().into(),
    })
    .timeout("300ms");
    let started = Instant::now();
    let s = run(&env.compile(&p), &env.options()).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "killed, not waited for"
    );
    assert_eq!(statuses(&s, "sleepy"), [StepStatus::Failed]);
    let message = s.step("sleepy").unwrap().message.clone().unwrap();
    assert!(message.contains("timed out after 300ms"), "{message}");
    assert!(!std::path::Path::exists(&env.path("stamp")));
}

/// Two independent 300 ms sleeps; returns (span from first start to last end, overlapped).
fn two_sleeps(parallelism: usize) -> (Duration, bool) {
    let env = Env::new();
    let p = pipeline("sleeps");
    for name in ["a", "b"] {
        p.add(Sleepy {
            ms: 300.into(),
            stamp: env.path(name).display().to_string().into(),
        })
        .named(name);
    }
    let mut options = env.options();
    options.parallelism = parallelism;
    let s = run(&env.compile(&p), &options).unwrap();
    assert!(s.succeeded(), "{}", s.table());
    let stamp = |n: &str| -> (u128, u128) {
        let text = std::fs::read_to_string(env.path(n)).unwrap();
        let (a, b) = text.split_once(' ').unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    let (a, b) = (stamp("a"), stamp("b"));
    let span = a.1.max(b.1) - a.0.min(b.0);
    (Duration::from_millis(span as u64), a.0 < b.1 && b.0 < a.1)
}

fn parallelism_bounds_concurrent_steps() {
    // Two 300 ms sleeps, timed by the steps themselves (spawn to exit, runner overhead
    // excluded). A loaded machine can delay one start, so the parallel bound gets three tries.
    let tries: Vec<(Duration, bool)> = (0..3)
        .map(|_| two_sleeps(2))
        .take_while(|(span, overlapped)| !(*overlapped && *span < Duration::from_millis(550)))
        .collect();
    assert!(tries.len() < 3, "parallelism 2 did not overlap: {tries:?}");
    let (span, overlapped) = two_sleeps(1);
    assert!(
        !overlapped && span >= Duration::from_millis(600),
        "serial: {span:?}"
    );
}

fn chain(env: &Env) -> pipeline_dsl::argo::Workflow {
    let p = pipeline("chain");
    let made = p.add(Make { n: 5.into() });
    let doubled = p.add(Double { rows: made.rows });
    p.add(Total { rows: doubled.rows });
    let folds = p.fan_out(0..2u32, |fold| Fit {
        rows: made.rows,
        fold,
    });
    p.add(Merge {
        models: folds.gather(|o| o.model),
    });
    env.compile(&p)
}

fn unchanged_rerun_is_fully_cached() {
    let env = Env::new();
    let wf = chain(&env);
    let first = run(&wf, &env.options()).unwrap();
    assert!(first.succeeded(), "{}", first.table());
    let spawned = env.trace().len();
    assert_eq!(spawned, 6);
    let second = run(&wf, &env.options()).unwrap();
    assert!(
        second.steps.iter().all(|s| s.status == StepStatus::Cached),
        "{}",
        second.table()
    );
    assert_eq!(env.trace().len(), spawned, "no process spawned");
    assert_eq!(second.step("total").unwrap().parameters["sum"], "20");
    assert_ne!(first.workflow, second.workflow);
    let mut options = env.options();
    options.no_cache = true;
    let third = run(&wf, &options).unwrap();
    assert!(third
        .steps
        .iter()
        .all(|s| s.status == StepStatus::Succeeded));
    assert_eq!(env.trace().len(), 2 * spawned);
}

fn deleting_a_blob_reruns_only_its_producer() {
    let env = Env::new();
    let wf = chain(&env);
    let first = run(&wf, &env.options()).unwrap();
    let doubled = &first.step("double").unwrap().artifacts[0];
    std::fs::remove_file(&doubled.path).unwrap();
    let before = env.trace();
    let second = run(&wf, &env.options()).unwrap();
    let ran: Vec<String> = env.trace()[before.len()..].to_vec();
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert!(ran[0].starts_with("double"), "{ran:?}");
    assert_eq!(statuses(&second, "double"), [StepStatus::Succeeded]);
    assert_eq!(
        statuses(&second, "total"),
        [StepStatus::Cached],
        "same digest again"
    );
    assert_eq!(statuses(&second, "make"), [StepStatus::Cached]);
    assert!(doubled.path.exists(), "recreated");
}

fn killable(env: &Env) -> pipeline_dsl::argo::Workflow {
    let p = pipeline("killable");
    let made = p.add(Make { n: 4.into() });
    p.add(Double { rows: made.rows });
    let blocked = p.add(Block {
        rows: made.rows,
        marker: env.path("marker").display().to_string().into(),
    });
    p.add(Total { rows: blocked.rows });
    env.compile(&p)
}

/// `killable-run <dir>`: the runner process the killed-run test starts, then kills.
pub fn killable_run(args: &[String]) -> i32 {
    let Some(dir) = args.first() else { return 2 };
    let env = Env::at(std::path::Path::new(dir));
    match run(&killable(&env), &env.options()) {
        Ok(s) if s.succeeded() => 0,
        _ => 1,
    }
}

fn killed_run_resumes_from_the_cache() {
    let env = Env::new();
    let dir = env.root().display().to_string();
    let log = std::fs::File::create(env.path("child.log")).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["killable-run", &dir])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let cache = env.artifacts().join("cache");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let entries = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
        if entries >= 2 && count(&env.trace(), "block") == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the child run never reached `block`: {entries} cache entries, trace {:?}, stderr:\n{}",
            env.trace(),
            std::fs::read_to_string(env.path("child.log")).unwrap_or_default()
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child run ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::write(env.path("marker"), "go").unwrap();
    let before = env.trace();
    let s = run(&killable(&env), &env.options()).unwrap();
    assert!(s.succeeded(), "{}", s.table());
    assert_eq!(statuses(&s, "make"), [StepStatus::Cached]);
    assert_eq!(statuses(&s, "double"), [StepStatus::Cached]);
    assert_eq!(statuses(&s, "block"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&s, "total"), [StepStatus::Succeeded]);
    let after = env.trace();
    let ran = &after[before.len()..];
    assert_eq!(
        (count(ran, "make"), count(ran, "double")),
        (0, 0),
        "{ran:?}"
    );
    assert_eq!(s.step("total").unwrap().parameters["sum"], "6");
}

/// Task `name` of the `main` DAG template, to edit.
fn main_task<'w>(wf: &'w mut Workflow, name: &str) -> &'w mut DagTask {
    let main = wf.spec.templates.iter_mut().find(|t| t.name == "main");
    let dag = main.and_then(|t| t.dag.as_mut()).expect("a main DAG");
    dag.tasks.iter_mut().find(|t| t.name == name).expect(name)
}

fn bad_when_fails_the_task() {
    let env = Env::new();
    let mut wf = chain(&env);
    main_task(&mut wf, "total").when = Some("{{workflow.name}} >>= 3".into());
    let s = run(&wf, &env.options()).unwrap();
    assert_eq!(s.status, WorkflowStatus::Failed);
    assert_eq!(statuses(&s, "total"), [StepStatus::Failed]);
    let message = s.step("total").unwrap().message.clone().unwrap();
    assert!(
        message.contains("`total`") && message.contains("when"),
        "{message}"
    );
    assert_eq!(statuses(&s, "merge"), [StepStatus::Succeeded]);
}

fn with_param_fans_out_a_json_list() {
    let env = Env::new();
    let mut wf = chain(&env);
    let fit = main_task(&mut wf, "fit");
    fit.with_items.clear();
    fit.with_param = Some(
        r#"[{"key": "a", "value": 1}, {"key": "b", "value": 3}, {"key": "c", "value": 4}]"#.into(),
    );
    let s = run(&wf, &env.options()).unwrap();
    assert!(s.succeeded(), "{}", s.table());
    let items: Vec<_> = s
        .steps_of("fit")
        .iter()
        .filter_map(|s| s.item.clone())
        .collect();
    assert_eq!(items.len(), 3);
    let merged: Vec<Vec<u32>> = serde_json::from_str(&artifact(&s, "merge", "merged")).unwrap();
    assert_eq!(
        merged,
        vec![vec![0, 2, 3, 4], vec![0, 1, 2, 4], vec![0, 1, 2, 3]]
    );
}

fn fail_fast_stops_scheduling() {
    let env = Env::new();
    let mut wf = failing_pipeline(&env);
    let main = wf
        .spec
        .templates
        .iter_mut()
        .find(|t| t.name == "main")
        .unwrap();
    // The template's failFast, not the DAG's (see argo.rs).
    main.fail_fast = Some(true);
    let mut options = env.options();
    options.parallelism = 1;
    options.progress = true; // drawn nowhere (not a terminal), but exercised
    let s = run(&wf, &options).unwrap();
    assert_eq!(statuses(&s, "boom"), [StepStatus::Failed]);
    for task in ["sleepy", "make", "total"] {
        assert_eq!(statuses(&s, task), [StepStatus::Omitted], "{}", s.table());
    }
    assert_eq!(
        statuses(&s, "report"),
        [StepStatus::Succeeded],
        "the exit handler still runs"
    );
    assert_eq!(count(&env.trace(), "make"), 0);
}
