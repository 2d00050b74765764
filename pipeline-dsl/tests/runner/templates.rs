//! `steps` templates and nested DAG/steps templates end the way Argo's controller ends them:
//! hand-written workflows whose expected outcome is read from Argo's source, cited per test.

use pipeline_dsl::runner::{run, StepStatus, WorkflowStatus};

use crate::argo::workflow;
use crate::nodes::fnv32a;
use crate::{statuses, Env};

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "steps_run_group_after_group_and_fail_with_their_group",
        steps_run_group_after_group_and_fail_with_their_group,
    ),
    (
        "nested_templates_take_inputs_and_give_outputs",
        nested_templates_take_inputs_and_give_outputs,
    ),
];

fn echo(name: &str, text: &str, fail: bool, extra: &str) -> String {
    format!(
        r#"{{name: {name}, template: echo, {extra} arguments: {{parameters: [{{name: text, value: "{text}"}}, {{name: fail, value: "{fail}"}}]}}}}"#
    )
}

fn exit_status(env: &Env) -> (String, serde_json::Value) {
    let text = std::fs::read_to_string(env.path("exit.txt")).expect("exit handler ran");
    let (status, failures) = text.split_once('\n').expect("two lines");
    (
        status.to_owned(),
        serde_json::from_str(failures).expect("JSON"),
    )
}

/// `workflow/controller/steps.go`: a group runs once the group before it has completed
/// (lines 111-119); the group fails when a child failed and its `continueOn` does not cover it
/// (lines 370-377), and then the steps node fails with that message and no later group starts
/// (lines 121-127). `{{steps.S.outputs.parameters.P}}` reaches later groups (lines 129-150).
fn steps_run_group_after_group_and_fail_with_their_group() {
    let env = Env::new();
    let main = format!(
        "      steps:\n        - [{}]\n        - [{}, {}]\n        - [{}]",
        echo("a", "x", false, ""),
        echo("b", "{{steps.a.outputs.parameters.text}}", true, ""),
        echo("c", "{{steps.a.outputs.parameters.text}}-c", false, ""),
        echo("d", "never", false, ""),
    );
    let wf = workflow(&env, &main, "");
    let mut options = env.options();
    options.run_name = Some("steps-wf".into());
    let s = run(&wf, &options).expect("runs");
    assert_eq!(statuses(&s, "a"), [StepStatus::Succeeded]);
    assert_eq!(statuses(&s, "b"), [StepStatus::Failed]);
    assert_eq!(
        statuses(&s, "c"),
        [StepStatus::Succeeded],
        "b's group still finishes"
    );
    assert_eq!(s.step("c").unwrap().parameters["text"], "x-c");
    assert_eq!(statuses(&s, "d"), [StepStatus::Omitted]);
    assert!(
        !env.trace().iter().any(|l| l.contains("never")),
        "d never started"
    );
    assert_eq!(s.status, WorkflowStatus::Failed);
    let (status, failures) = exit_status(&env);
    assert_eq!(status, "Failed");
    let nodes: Vec<(&str, &str)> = failures
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["displayName"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(nodes[0].0, "b");
    // `steps.go` line 375: the message names the failed child's node id.
    let child = format!("child 'steps-wf-{}' failed", fnv32a("steps-wf[1].b"));
    assert_eq!(nodes.last().unwrap().1, child, "{nodes:?}");

    // continueOn.failed on b: its group succeeds, d runs, the workflow Succeeds.
    let env = Env::new();
    let main = format!(
        "      steps:\n        - [{}]\n        - [{}]",
        echo("b", "x", true, "continueOn: {failed: true},"),
        echo("d", "{{steps.b.status}}", false, ""),
    );
    let s = run(&workflow(&env, &main, ""), &env.options()).expect("runs");
    assert_eq!(statuses(&s, "d"), [StepStatus::Succeeded]);
    assert_eq!(s.step("d").unwrap().parameters["text"], "Failed");
    assert_eq!(s.status, WorkflowStatus::Succeeded, "{}", s.table());
}

/// A task calling a steps or DAG template: its arguments become `{{inputs.parameters.*}}`,
/// its outputs come from `valueFrom.parameter` over its own steps (`operator.go`
/// `getTemplateOutputsFromScope`, lines 3460-3505), and its failure fails the caller's task
/// (`dag.go` `assessDAGPhase`).
fn nested_templates_take_inputs_and_give_outputs() {
    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - {name: inner, template: pair, arguments: {parameters: [{name: word, value: hi}]}}
          - {name: after, template: echo, depends: inner, arguments: {parameters: [{name: text, value: "{{tasks.inner.outputs.parameters.out}}"}]}}"#;
    let pair = format!(
        r#"
    - name: pair
      inputs: {{parameters: [{{name: word}}]}}
      outputs:
        parameters:
          - {{name: out, valueFrom: {{parameter: "{{{{steps.second.outputs.parameters.text}}}}"}}}}
      steps:
        - [{}]
        - [{}]
    - name: broken
      dag:
        tasks:
          - {}"#,
        echo("first", "{{inputs.parameters.word}}", false, ""),
        echo(
            "second",
            "{{steps.first.outputs.parameters.text}}-2",
            false,
            ""
        ),
        echo("bad", "x", true, ""),
    );
    let s = run(&workflow(&env, main, &pair), &env.options()).expect("runs");
    assert_eq!(s.status, WorkflowStatus::Succeeded, "{}", s.table());
    assert_eq!(s.step("after").unwrap().parameters["text"], "hi-2");
    assert_eq!(statuses(&s, "inner.second"), [StepStatus::Succeeded]);

    let env = Env::new();
    let main = r#"      dag:
        tasks:
          - {name: outer, template: broken}
          - {name: later, template: echo, depends: outer, arguments: {parameters: [{name: text, value: x}]}}"#;
    let s = run(&workflow(&env, main, &pair), &env.options()).expect("runs");
    assert_eq!(statuses(&s, "outer"), [StepStatus::Failed]);
    assert_eq!(statuses(&s, "outer.bad"), [StepStatus::Failed]);
    assert_eq!(statuses(&s, "later"), [StepStatus::Omitted]);
    assert_eq!(s.status, WorkflowStatus::Failed);
    let (_, failures) = exit_status(&env);
    let names: Vec<&str> = failures
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["displayName"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"bad") && names.contains(&"outer"),
        "{names:?}"
    );
}
