//! A local run ends the way Argo's controller would end it: hand-written workflows (not
//! compiled pipelines) whose expected outcome is read from Argo's source, cited per test.

use pipeline_dsl::runner::{run, RunSummary, StepStatus, WorkflowStatus};

use crate::{statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "dag_phase_comes_from_leaf_tasks",
        dag_phase_comes_from_leaf_tasks,
    ),
    (
        "continue_on_failed_lets_dependents_run",
        continue_on_failed_lets_dependents_run,
    ),
    (
        "aggregated_outputs_stay_strings_unless_all_json_containers",
        aggregated_outputs_stay_strings_unless_all_json_containers,
    ),
    (
        "workflow_failures_lists_every_failed_node",
        workflow_failures_lists_every_failed_node,
    ),
    (
        "only_template_fail_fast_stops_new_tasks",
        only_template_fail_fast_stops_new_tasks,
    ),
];

/// A workflow whose entrypoint `main` is `main` (indented YAML under `- name: main`), with the
/// `echo` and `echo-retry` templates and an exit handler writing status and failures to
/// `exit.txt`. `extra` holds more templates.
pub fn workflow(env: &Env, main: &str, extra: &str) -> pipeline_dsl::argo::Workflow {
    let out = env.path("exit.txt").display().to_string();
    let trace = env.path("trace").display().to_string();
    let echo = |name: &str, retry: &str| {
        format!(
            r#"
    - name: {name}
      inputs:
        parameters: [{{name: text}}, {{name: fail, value: "false"}}]
      outputs:
        parameters:
          - name: text
            valueFrom: {{path: /scratch/out/text}}
      {retry}
      container:
        image: fixture:1
        command: [fixture]
        args: [component, echo, --param, "text={{{{inputs.parameters.text}}}}", --param, "fail={{{{inputs.parameters.fail}}}}", --output, text=/scratch/out/text]"#
        )
    };
    let yaml = format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {{generateName: sem-}}
spec:
  entrypoint: main
  onExit: exit
  templates:
    - name: main
{main}
    - name: exit
      dag:
        tasks:
          - name: report
            template: report
            arguments:
              parameters:
                - {{name: status, value: "{{{{workflow.status}}}}"}}
                - {{name: failures, value: "{{{{workflow.failures}}}}"}}
    - name: report
      inputs: {{parameters: [{{name: status}}, {{name: failures}}]}}
      container:
        image: fixture:1
        command: [fixture]
        args: [component, report, --param, "status={{{{inputs.parameters.status}}}}", --param, "failures={{{{inputs.parameters.failures}}}}", --param, "out={out}"]
        env: [{{name: FIXTURE_TRACE, value: "{trace}"}}]
{}{}
{extra}
"#,
        echo("echo", ""),
        echo("echo-retry", "retryStrategy: {limit: \"1\"}"),
    );
    pipeline_dsl::argo::from_yaml(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

/// What the exit handler saw: `{{workflow.status}}` and `{{workflow.failures}}` (its string
/// parameter decodes the quoting Argo adds, see `failures.rs`; `raw_failures` shows it).
fn exit_seen(env: &Env) -> (String, serde_json::Value) {
    let text = std::fs::read_to_string(env.path("exit.txt")).expect("exit handler ran");
    let (status, failures) = text.split_once('\n').expect("two lines");
    (
        status.to_owned(),
        serde_json::from_str(failures).expect("JSON"),
    )
}

/// The `failures=` argument the exit handler's process received, before it decoded it.
fn raw_failures(env: &Env) -> String {
    let trace = env.trace();
    let line = trace
        .iter()
        .find(|l| l.starts_with("report "))
        .expect("report traced");
    let start = line.find("failures=").expect("failures param") + "failures=".len();
    let end = line.find(" out=").expect("out param");
    line[start..end].to_owned()
}

fn run_yaml(env: &Env, main: &str) -> RunSummary {
    let wf = workflow(env, main, "");
    run(&wf, &env.options()).expect("runs")
}

/// `dag.go` `assessDAGPhase` (lines 140-266): a DAG's phase comes from its leaf tasks only; a
/// failure a later task handles (`depends: a.Succeeded || a.Failed`) does not fail it, an
/// omitted leaf takes the phase of its failed ancestor, and the exit handler hears the result.
fn dag_phase_comes_from_leaf_tasks() {
    let env = Env::new();
    let handled = r#"      dag:
        tasks:
          - {name: a, template: echo, arguments: {parameters: [{name: text, value: x}, {name: fail, value: "true"}]}}
          - {name: b, template: echo, depends: "a.Succeeded || a.Failed", arguments: {parameters: [{name: text, value: "{{tasks.a.status}}"}]}}"#;
    let s = run_yaml(&env, handled);
    assert_eq!(statuses(&s, "a"), [StepStatus::Failed]);
    assert_eq!(statuses(&s, "b"), [StepStatus::Succeeded]);
    assert_eq!(s.step("b").unwrap().parameters["text"], "Failed");
    assert_eq!(s.status, WorkflowStatus::Succeeded, "{}", s.table());
    let (status, failures) = exit_seen(&env);
    assert_eq!(status, "Succeeded");
    let names: Vec<&str> = failures
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| f["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["a"],
        "the failed pod is listed, the DAG node is not"
    );

    let env = Env::new();
    let unhandled = r#"      dag:
        tasks:
          - {name: a, template: echo, arguments: {parameters: [{name: text, value: x}, {name: fail, value: "true"}]}}
          - {name: b, template: echo, depends: a, arguments: {parameters: [{name: text, value: y}]}}
          - {name: c, template: echo, arguments: {parameters: [{name: text, value: z}]}}"#;
    let s = run_yaml(&env, unhandled);
    assert_eq!(statuses(&s, "b"), [StepStatus::Omitted]);
    assert_eq!(statuses(&s, "c"), [StepStatus::Succeeded]);
    assert_eq!(
        s.status,
        WorkflowStatus::Failed,
        "omitted leaf b inherits a's Failed"
    );
    assert_eq!(exit_seen(&env).0, "Failed");

    let env = Env::new();
    let skipped = r#"      dag:
        tasks:
          - {name: a, template: echo, arguments: {parameters: [{name: text, value: x}]}}
          - {name: b, template: echo, depends: a, when: "{{tasks.a.outputs.parameters.text}} == y", arguments: {parameters: [{name: text, value: y}]}}"#;
    let s = run_yaml(&env, skipped);
    assert_eq!(statuses(&s, "b"), [StepStatus::Skipped]);
    assert_eq!(s.status, WorkflowStatus::Succeeded);
}

/// `workflow/common/ancestry.go` `expandDependency` (lines 124-137): `dependencies: [a]` and a
/// bare `a` in `depends` accept `a.Failed` when `a` sets `continueOn.failed`; and `dag.go`
/// lines 226-233: a leaf whose `continueOn` covers its failure does not fail the DAG.
fn continue_on_failed_lets_dependents_run() {
    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - {name: a, template: echo, continueOn: {failed: true}, arguments: {parameters: [{name: text, value: x}, {name: fail, value: "true"}]}}
          - {name: b, template: echo, dependencies: [a], arguments: {parameters: [{name: text, value: y}]}}
          - {name: c, template: echo, depends: "a && b", arguments: {parameters: [{name: text, value: z}]}}
          - {name: leaf, template: echo, continueOn: {failed: true}, arguments: {parameters: [{name: text, value: w}, {name: fail, value: "true"}]}}
          - {name: erred, template: echo, continueOn: {error: true}, arguments: {parameters: [{name: text, value: v}, {name: fail, value: "true"}]}}
          - {name: after-erred, template: echo, dependencies: [erred], arguments: {parameters: [{name: text, value: u}]}}"#;
    let s = run_yaml(&env, main);
    assert_eq!(statuses(&s, "a"), [StepStatus::Failed]);
    assert_eq!(statuses(&s, "b"), [StepStatus::Succeeded], "{}", s.table());
    assert_eq!(statuses(&s, "c"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&s, "leaf"), [StepStatus::Failed]);
    assert_eq!(
        statuses(&s, "after-erred"),
        [StepStatus::Omitted],
        "continueOn.error does not cover a failure"
    );
    assert_eq!(
        s.status,
        WorkflowStatus::Failed,
        "after-erred is an omitted leaf"
    );

    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - {name: a, template: echo, continueOn: {failed: true}, arguments: {parameters: [{name: text, value: x}, {name: fail, value: "true"}]}}
          - {name: b, template: echo, dependencies: [a], arguments: {parameters: [{name: text, value: y}]}}
          - {name: leaf, template: echo, continueOn: {failed: true}, arguments: {parameters: [{name: text, value: w}, {name: fail, value: "true"}]}}"#;
    let s = run_yaml(&env, main);
    assert_eq!(s.status, WorkflowStatus::Succeeded, "{}", s.table());
    assert_eq!(exit_seen(&env).0, "Succeeded");
}

/// `operator.go` `aggregatedJSONValueList`/`tryJSONUnmarshal`: a fan-out's output parameter
/// aggregates to a list of strings unless every value parses as a JSON object or array.
fn aggregated_outputs_stay_strings_unless_all_json_containers() {
    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - {name: scalars, template: echo, withItems: ["1", "true", "1e3", "x"], arguments: {parameters: [{name: text, value: "{{item}}"}]}}
          - {name: containers, template: echo, withItems: ['{"a": 1}', "[2, 3]"], arguments: {parameters: [{name: text, value: "{{item}}"}]}}
          - {name: mixed, template: echo, withItems: ['{"a": 1}', "7"], arguments: {parameters: [{name: text, value: "{{item}}"}]}}
          - name: gather
            template: echo
            depends: scalars && containers && mixed
            arguments:
              parameters:
                - name: text
                  value: "{{tasks.scalars.outputs.parameters.text}}|{{tasks.containers.outputs.parameters.text}}|{{tasks.mixed.outputs.parameters.text}}""#;
    let s = run_yaml(&env, main);
    assert!(s.succeeded(), "{}", s.table());
    assert_eq!(
        s.step("gather").unwrap().parameters["text"],
        r#"["1","true","1e3","x"]|[{"a":1},[2,3]]|["{\"a\": 1}","7"]"#
    );
}

/// `operator.go` lines 459-479: every Failed or Error node is listed (pods, a retry node and
/// its attempts, a fan-out's group, the DAG node), the list JSON-marshalled then quoted; no
/// failure gives the quoted string `"null"`.
fn workflow_failures_lists_every_failed_node() {
    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - {name: a, template: echo, arguments: {parameters: [{name: text, value: x}, {name: fail, value: "true"}]}}
          - {name: fan, template: echo, withItems: ["false", "true"], arguments: {parameters: [{name: text, value: "{{item}}"}, {name: fail, value: "{{item}}"}]}}
          - {name: retried, template: echo-retry, arguments: {parameters: [{name: text, value: r}, {name: fail, value: "true"}]}}"#;
    let s = run_yaml(&env, main);
    assert_eq!(s.status, WorkflowStatus::Failed);
    assert!(
        raw_failures(&env).starts_with("\"[{\\\"displayName\\\":"),
        "{}",
        raw_failures(&env)
    );
    let (status, failures) = exit_seen(&env);
    assert_eq!(status, "Failed");
    let mut names: Vec<(String, String, String)> = failures
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| {
            assert!(f["finishedAt"].as_str().unwrap().ends_with('Z'), "{f}");
            assert!(
                f["podName"].as_str().unwrap().starts_with(&s.workflow),
                "{f}"
            );
            let text = |k: &str| f[k].as_str().unwrap().to_owned();
            (text("displayName"), text("templateName"), text("phase"))
        })
        .collect();
    names.sort();
    let wf = s.workflow.clone();
    let node = |n: &str, t: &str| (n.to_owned(), t.to_owned(), "Failed".to_owned());
    let mut expected = vec![
        node("a", "echo"),
        node("fan", "echo"),
        node("fan(1:true)", "echo"),
        node("retried", "echo-retry"),
        node("retried(0)", "echo-retry"),
        node("retried(1)", "echo-retry"),
        node(&wf, "main"),
    ];
    expected.sort();
    assert_eq!(names, expected);

    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - {name: a, template: echo, arguments: {parameters: [{name: text, value: x}]}}"#;
    let s = run_yaml(&env, main);
    assert!(s.succeeded());
    assert_eq!(
        raw_failures(&env),
        "\"null\"",
        "Argo quotes the marshalled nil list"
    );
}

/// `dag.go` line 217: `dag.failFast` is read only when judging the DAG's phase, so ready tasks
/// keep starting after a failure (Argo issues #5223, #10312); `operator.go` `checkParallelism`
/// (lines 3305-3317, 3341-3351): the template-level `failFast` starts nothing new once a pod
/// under the DAG failed, and fails the DAG with its own message.
fn only_template_fail_fast_stops_new_tasks() {
    let tasks = r#"        tasks:
          - {name: a, template: echo, arguments: {parameters: [{name: text, value: x}, {name: fail, value: "true"}]}}
          - {name: b, template: echo, arguments: {parameters: [{name: text, value: y}]}}
          - {name: c, template: echo, dependencies: [b], arguments: {parameters: [{name: text, value: z}]}}"#;
    let options = |env: &Env| {
        let mut o = env.options();
        o.parallelism = 1;
        o
    };
    let env = Env::new();
    let dag_level = format!("      dag:\n        failFast: true\n{tasks}");
    let s = run(&workflow(&env, &dag_level, ""), &options(&env)).unwrap();
    assert_eq!(statuses(&s, "b"), [StepStatus::Succeeded], "{}", s.table());
    assert_eq!(statuses(&s, "c"), [StepStatus::Succeeded]);
    assert_eq!(s.status, WorkflowStatus::Failed);

    let env = Env::new();
    let template_level = format!("      failFast: true\n      dag:\n{tasks}");
    let s = run(&workflow(&env, &template_level, ""), &options(&env)).unwrap();
    assert_eq!(statuses(&s, "a"), [StepStatus::Failed]);
    for task in ["b", "c"] {
        assert_eq!(statuses(&s, task), [StepStatus::Omitted], "{}", s.table());
    }
    assert_eq!(s.status, WorkflowStatus::Failed);
    let (_, failures) = exit_seen(&env);
    let dag = failures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["displayName"] == s.workflow.as_str())
        .expect("the DAG node is listed");
    assert_eq!(
        dag["message"],
        "template has failed or errored children and failFast enabled"
    );
}
