//! Exit hooks as Argo's controller runs them: a task's or step's `onExit`/`hooks.exit` after
//! the task and before its dependents, the workflow's `hooks.exit` as its exit handler; hooks
//! with an `expression` are refused before anything runs.

use pipeline_dsl::runner::{run, RunnerError, StepStatus, WorkflowStatus};

use crate::argo::workflow;
use crate::nodes::fnv32a;
use crate::{statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "task_exit_hooks_run_after_the_task_and_before_its_dependents",
        task_exit_hooks_run_after_the_task_and_before_its_dependents,
    ),
    (
        "workflow_hooks_exit_is_the_exit_handler",
        workflow_hooks_exit_is_the_exit_handler,
    ),
    (
        "expression_hooks_are_refused_before_anything_runs",
        expression_hooks_are_refused_before_anything_runs,
    ),
];

/// `dag.go` lines 690-699 and `exit_handler.go` `runOnExitNode`: once a task completed, its
/// exit hook runs as node `<task node>.onExit` with the task's status and outputs in scope
/// (`resolveExitTmplArgument`); a plain `onExit` gets the workflow's arguments
/// (`DAGTask.GetExitHook`, `workflow_types.go` lines 3686-3694). Dependents wait for the
/// hook (`dag.go` line 982, `CheckAllHooksFullfilled`). A failed hook is a failed node in
/// `{{workflow.failures}}` but does not fail its task or the DAG (`assessDAGPhase` judges the
/// target tasks' own nodes).
fn task_exit_hooks_run_after_the_task_and_before_its_dependents() {
    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - name: a
            template: echo
            arguments: {parameters: [{name: text, value: a}]}
            hooks:
              exit:
                template: echo
                arguments: {parameters: [{name: text, value: "hook-{{tasks.a.status}}-{{tasks.a.outputs.parameters.text}}"}]}
          - {name: c, template: echo, depends: a, arguments: {parameters: [{name: text, value: c}]}}
          - {name: d, template: echo, onExit: echo, arguments: {parameters: [{name: text, value: d}, {name: fail, value: "true"}]}}
          - {name: e, template: echo, depends: d.Failed, arguments: {parameters: [{name: text, value: e}]}}
          - name: f
            template: echo
            arguments: {parameters: [{name: text, value: f}]}
            hooks: {exit: {template: echo, arguments: {parameters: [{name: text, value: bad-hook}, {name: fail, value: "true"}]}}}"#;
    let mut wf = workflow(&env, main, "");
    wf.spec.arguments = Some(
        serde_json::from_value(
            serde_json::json!({"parameters": [{"name": "text", "value": "wf-arg"}]}),
        )
        .unwrap(),
    );
    wf.spec.parallelism = Some(1);
    let mut options = env.options();
    options.run_name = Some("hooks-wf".into());
    let s = run(&wf, &options).expect("runs");
    // One step at a time: the records' order is the order they ran in.
    let order: Vec<&str> = s.steps.iter().map(|r| r.task.as_str()).collect();
    let at = |t: &str| {
        order
            .iter()
            .position(|x| *x == t)
            .unwrap_or_else(|| panic!("{t}: {order:?}"))
    };
    assert!(
        at("a") < at("a.onExit") && at("a.onExit") < at("c"),
        "{order:?}"
    );
    assert!(
        at("d") < at("d.onExit") && at("d.onExit") < at("e"),
        "{order:?}"
    );
    let text = |t: &str| s.step(t).unwrap().parameters["text"].clone();
    assert_eq!(text("a.onExit"), "hook-Succeeded-a");
    assert_eq!(text("d.onExit"), "wf-arg");
    assert_eq!(statuses(&s, "a.onExit"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&s, "d.onExit"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&s, "f.onExit"), [StepStatus::Failed]);
    assert_eq!(statuses(&s, "f"), [StepStatus::Succeeded]);
    // d failed, e handled it, f's hook failed: every leaf (c, e, f) succeeded.
    assert_eq!(s.status, WorkflowStatus::Succeeded, "{}", s.table());
    let text = std::fs::read_to_string(env.path("exit.txt")).unwrap();
    let (status, failures) = text.split_once('\n').unwrap();
    assert_eq!(status, "Succeeded");
    let failures: serde_json::Value = serde_json::from_str(failures).unwrap();
    let mut names: Vec<(String, String)> = failures
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["displayName"].as_str().unwrap().to_owned(),
                f["podName"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    names.sort();
    let pod = |node: &str| format!("hooks-wf-echo-{}", fnv32a(node));
    assert_eq!(
        names,
        [
            ("d".to_owned(), pod("hooks-wf.d")),
            ("f.onExit".to_owned(), pod("hooks-wf.f.onExit")),
        ]
    );
}

/// `workflow_types.go` lines 516-528: without `spec.onExit`, `spec.hooks.exit` is the exit
/// handler, called with its own arguments (`{{workflow.status}}`, `{{workflow.failures}}`
/// resolved) or else the workflow's (`operator.go` lines 500-507).
fn workflow_hooks_exit_is_the_exit_handler() {
    let env = Env::new();
    let main = "      dag:\n        tasks:\n          - {name: a, template: echo, arguments: {parameters: [{name: text, value: a}, {name: fail, value: \"true\"}]}}";
    let mut wf = workflow(&env, main, "");
    wf.spec.on_exit = None;
    wf.spec.other.insert(
        "hooks".into(),
        serde_json::json!({"exit": {"template": "report", "arguments": {"parameters": [
            {"name": "status", "value": "{{workflow.status}}"},
            {"name": "failures", "value": "{{workflow.failures}}"}]}}}),
    );
    let s = run(&wf, &env.options()).expect("runs");
    assert_eq!(s.status, WorkflowStatus::Failed);
    let text = std::fs::read_to_string(env.path("exit.txt")).expect("the exit hook ran");
    assert!(text.starts_with("Failed\n[{"), "{text}");
}

/// `hooks.go`: a hook with an `expression` runs when a reconciliation finds it true, which a
/// local run cannot reproduce: refused before any step runs, naming the hook and template.
fn expression_hooks_are_refused_before_anything_runs() {
    let env = Env::new();
    let main = r#"      steps:
        - - name: s
            template: echo
            arguments: {parameters: [{name: text, value: s}]}
            hooks: {running: {expression: 'steps.s.status == "Running"', template: echo}}"#;
    let err = run(&workflow(&env, main, ""), &env.options()).expect_err("refused");
    let RunnerError::Unsupported { feature, template } = &err else {
        panic!("{err}")
    };
    assert_eq!(template, "main");
    assert!(feature.contains("`hooks.running` on `s`"), "{feature}");
    assert!(!err.to_string().contains('\n'));
    assert!(env.trace().is_empty(), "nothing ran");
}
