//! Node names as Argo's controller gives them, and what follows from them: a step's pod name
//! (`HOSTNAME`), its `ARGO_NODE_ID`, and each entry of `{{workflow.failures}}` that the exit
//! handler receives.

use pipeline_dsl::runner::{run, WorkflowStatus};

use crate::argo::workflow;
use crate::isolation::{dumped, dumping};
use crate::Env;

/// Every test, by name.
pub const ALL: &[(&str, fn())] = &[
    (
        "steps_nodes_are_named_by_group_and_their_failures_listed",
        steps_nodes_are_named_by_group_and_their_failures_listed,
    ),
    (
        "nested_and_retried_nodes_name_their_pods",
        nested_and_retried_nodes_name_their_pods,
    ),
    (
        "a_failed_container_entrypoint_is_the_workflow_node",
        a_failed_container_entrypoint_is_the_workflow_node,
    ),
];

/// One declared variable for `dump`'s `env`.
const LIT: &str = "          - {name: LIT, value: x}\n";

/// FNV-1a, 32 bits (Go's `hash/fnv` `New32a`).
pub fn fnv32a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// `Workflow.NodeID` (`pkg/apis/workflow/v1alpha1/workflow_types.go`): `<wf>-<fnv32a(name)>`.
fn node_id(wf: &str, name: &str) -> String {
    format!("{wf}-{}", fnv32a(name))
}

/// `GeneratePodName` v2 (`workflow/util/pod_name.go` lines 49-67) for a short name.
fn pod_name(wf: &str, name: &str, template: &str) -> String {
    match (name == wf, template.is_empty()) {
        (true, _) => wf.to_owned(),
        (false, true) => format!("{wf}-{}", fnv32a(name)),
        (false, false) => format!("{wf}-{template}-{}", fnv32a(name)),
    }
}

/// The failures the exit handler received, as (displayName, templateName, podName, message),
/// sorted (Argo lists them in map order).
fn exit_failures(env: &Env) -> Vec<[String; 4]> {
    let text = std::fs::read_to_string(env.path("exit.txt")).expect("exit handler ran");
    let (_, failures) = text.split_once('\n').expect("two lines");
    let failures: serde_json::Value = serde_json::from_str(failures).expect("JSON");
    let mut list: Vec<[String; 4]> = failures
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| {
            ["displayName", "templateName", "podName", "message"].map(|k| {
                f[k].as_str()
                    .unwrap_or_else(|| panic!("{k} in {f}"))
                    .to_owned()
            })
        })
        .collect();
    list.sort();
    list
}

/// `steps.go`: group `g` of a steps node `N` is node `N[g]` (line 75) and its step `S` is
/// `N[g].S` (line 272), so a step's pod is `<wf>-<template>-<fnv(N[g].S)>` and its
/// `ARGO_NODE_ID` `<wf>-<fnv(N[g].S)>` (`workflowpod.go` line 645). A failed step fails its
/// group node with `child '<step's node id>' failed` (lines 374-376) and the steps node with
/// the group's message (lines 121-127). `operator.go` lines 459-473 list every Failed node:
/// the group node has no template (line 78 initialises it from an empty `WorkflowStep`), so
/// its pod name is `<wf>-<fnv(N[g])>`; the steps node is the workflow's node, its pod name
/// the workflow's name.
fn steps_nodes_are_named_by_group_and_their_failures_listed() {
    let env = Env::new();
    let main = r#"      steps:
        - - {name: first, template: dump}
        - - {name: bad, template: echo, arguments: {parameters: [{name: text, value: x}, {name: fail, value: "true"}]}}
          - {name: fine, template: echo, arguments: {parameters: [{name: text, value: y}]}}"#;
    let wf = workflow(&env, main, &dumping(&env, "HOSTNAME,ARGO_NODE_ID", LIT));
    let mut options = env.options();
    options.run_name = Some("nodes-wf".into());
    let s = run(&wf, &options).expect("runs");
    assert_eq!(s.status, WorkflowStatus::Failed, "{}", s.table());
    let w = "nodes-wf";
    assert_eq!(
        dumped(&env),
        [
            format!("HOSTNAME={}", pod_name(w, "nodes-wf[0].first", "dump")),
            format!("ARGO_NODE_ID={}", node_id(w, "nodes-wf[0].first")),
        ]
    );
    let failures = exit_failures(&env);
    let child = format!("child '{}' failed", node_id(w, "nodes-wf[1].bad"));
    let [group, bad, steps] = &failures[..] else {
        panic!("three failed nodes: {failures:?}")
    };
    assert_eq!(group, &["[1]", "", &pod_name(w, "nodes-wf[1]", ""), &child]);
    assert_eq!(steps, &[w, "main", w, &child]);
    assert_eq!(
        bad[..3],
        ["bad", "echo", &pod_name(w, "nodes-wf[1].bad", "echo")]
    );
    assert!(bad[3].contains("echo asked to fail on x"), "{bad:?}");
}

/// `dag.go` `taskNodeName`: a DAG's task is `<DAG node>.<task>`, so a task of a DAG template
/// called by task `outer` is `<wf>.outer.inner`; a template with a `retryStrategy` gets a retry
/// node of that name whose pods are its children `<name>(0)`, `<name>(1)`, ...
/// (`operator.go` lines 2446-2510), and the pod and `ARGO_NODE_ID` are the child's.
fn nested_and_retried_nodes_name_their_pods() {
    let env = Env::new();
    let main = "      dag:\n        tasks:\n          - {name: outer, template: inner-dag}";
    let dump = dumping(&env, "HOSTNAME,ARGO_NODE_ID", LIT).replace(
        "- name: dump\n",
        "- name: dump-retry\n      retryStrategy: {limit: \"2\"}\n",
    );
    let extra = format!(
        "{dump}\n    - name: inner-dag\n      dag:\n        tasks:\n          - {{name: inner, template: dump-retry}}"
    );
    let mut options = env.options();
    options.run_name = Some("nest-wf".into());
    let s = run(&workflow(&env, main, &extra), &options).expect("runs");
    assert!(s.succeeded(), "{}", s.table());
    let pod = "nest-wf.outer.inner(0)";
    assert_eq!(
        dumped(&env),
        [
            format!("HOSTNAME={}", pod_name("nest-wf", pod, "dump-retry")),
            format!("ARGO_NODE_ID={}", node_id("nest-wf", pod)),
        ]
    );
}

/// `operator.go` line 421: the entrypoint's node is named after the workflow; when the
/// entrypoint is a container template, that node is its pod, so `{{workflow.failures}}` lists
/// it with the workflow's name as display name and pod name (`pod_name.go` lines 53-55).
fn a_failed_container_entrypoint_is_the_workflow_node() {
    let env = Env::new();
    let main = r#"      container:
        image: fixture:1
        command: [fixture]
        args: [component, echo, --param, text=boom, --param, fail=true, --output, text=/scratch/out/text]"#;
    let mut options = env.options();
    options.run_name = Some("leaf-wf".into());
    let s = run(&workflow(&env, main, ""), &options).expect("runs");
    assert_eq!(s.status, WorkflowStatus::Failed, "{}", s.table());
    let failures = exit_failures(&env);
    let [root] = &failures[..] else {
        panic!("one failed node: {failures:?}")
    };
    assert_eq!(root[..3], ["leaf-wf", "main", "leaf-wf"]);
    assert!(root[3].contains("echo asked to fail on boom"), "{root:?}");
}
