//! Parallelism as Argo's controller counts it (`workflow/controller/operator.go`
//! `checkParallelism`, lines 3298-3358; `node_counters.go`): `spec.parallelism` bounds the
//! workflow's running pods wherever they are, nested DAG and steps templates included, and a
//! retry waiting out its backoff has no pod, so it holds no slot.

use pipeline_dsl::runner::run;

use crate::argo::workflow;
use crate::Env;

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "a_retry_in_backoff_frees_its_slot",
        a_retry_in_backoff_frees_its_slot,
    ),
    (
        "spec_parallelism_bounds_pods_of_nested_templates",
        spec_parallelism_bounds_pods_of_nested_templates,
    ),
];

/// Templates `flaky` (fails once, then retried after a 2 s backoff) and `sleepy` (sleeps
/// `ms`, writing its start and end to `stamp`), both tracing themselves.
fn templates(env: &Env) -> String {
    let trace = env.path("trace").display().to_string();
    let counter = env.path("counter").display().to_string();
    format!(
        r#"    - name: flaky
      retryStrategy: {{limit: "1", backoff: {{duration: "2s"}}}}
      container:
        image: fixture:1
        command: [fixture]
        args: [component, flaky, --param, "counter={counter}", --param, failures=1, --output, attempt=/scratch/out/attempt]
        env: [{{name: FIXTURE_TRACE, value: "{trace}"}}]
    - name: sleepy
      inputs: {{parameters: [{{name: stamp}}, {{name: ms, default: "0"}}]}}
      container:
        image: fixture:1
        command: [fixture]
        args: [component, sleepy, --param, "ms={{{{inputs.parameters.ms}}}}", --param, "stamp={{{{inputs.parameters.stamp}}}}"]
        env: [{{name: FIXTURE_TRACE, value: "{trace}"}}]"#
    )
}

/// `operator.go` lines 3299-3302 count `woc.activePods` (`node_counters.go` lines 9-21: Pod
/// nodes Pending or Running), and a retry node between attempts has none: its failed child
/// is done and the next is created only when the backoff has passed (lines 2500-2510, and
/// `processNodeRetries`). With `spec.parallelism: 1`, a task whose first attempt failed lets
/// another task run during its backoff; the retry then waits for the slot.
fn a_retry_in_backoff_frees_its_slot() {
    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - {name: retried, template: flaky}
          - {name: other, template: sleepy, arguments: {parameters: [{name: stamp, value: STAMP}]}}"#
        .replace("STAMP", &env.path("other").display().to_string());
    let mut wf = workflow(&env, &main, &templates(&env));
    wf.spec.parallelism = Some(1);
    let s = run(&wf, &env.options()).expect("runs");
    assert!(s.succeeded(), "{}", s.table());
    let started: Vec<String> = env
        .trace()
        .iter()
        .filter_map(|l| l.split(' ').next().map(str::to_owned))
        .filter(|c| c != "report")
        .collect();
    // Tasks start in order: `retried` first; `other` runs in its backoff; then attempt 2.
    assert_eq!(started, ["flaky", "sleepy", "flaky"], "{}", s.table());
    assert_eq!(s.step("retried").unwrap().attempts, 2);
}

/// `operator.go` line 3299: `spec.parallelism` is compared with the active pods of the whole
/// workflow (`getActivePods("")`), so two tasks each calling a DAG of two pods run at most
/// `spec.parallelism` pods at once, not that many per nested DAG.
fn spec_parallelism_bounds_pods_of_nested_templates() {
    let env = Env::new();
    let stamp = |n: &str| env.path(n).display().to_string();
    let main = "      dag:\n        tasks:\n          - {name: n1, template: pair, arguments: {parameters: [{name: tag, value: n1}]}}\n          - {name: n2, template: pair, arguments: {parameters: [{name: tag, value: n2}]}}";
    let pair = format!(
        r#"
    - name: pair
      inputs: {{parameters: [{{name: tag}}]}}
      dag:
        tasks:
          - {{name: x, template: sleepy, arguments: {{parameters: [{{name: stamp, value: "{dir}/{{{{inputs.parameters.tag}}}}-x"}}, {{name: ms, value: "400"}}]}}}}
          - {{name: y, template: sleepy, arguments: {{parameters: [{{name: stamp, value: "{dir}/{{{{inputs.parameters.tag}}}}-y"}}, {{name: ms, value: "400"}}]}}}}"#,
        dir = env.root().display()
    );
    let mut wf = workflow(&env, main, &format!("{}{pair}", templates(&env)));
    wf.spec.parallelism = Some(2);
    let s = run(&wf, &env.options()).expect("runs");
    assert!(s.succeeded(), "{}", s.table());
    let intervals: Vec<(u128, u128)> = ["n1-x", "n1-y", "n2-x", "n2-y"]
        .iter()
        .map(|n| {
            let text = std::fs::read_to_string(stamp(n)).expect("stamp written");
            let (a, b) = text.split_once(' ').expect("start end");
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    // The most pods sleeping at once: at some pod's start, how many intervals contain it.
    let most = intervals
        .iter()
        .map(|(t, _)| intervals.iter().filter(|(a, b)| a <= t && t < b).count())
        .max()
        .unwrap();
    assert!(most <= 2, "{most} pods at once: {intervals:?}");
}
