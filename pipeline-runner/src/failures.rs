//! `{{workflow.failures}}` as Argo builds it (`workflow/controller/operator.go`,
//! `failedNodeStatus` and the loop over `wf.Status.Nodes` before the exit handler): one entry
//! per Failed or Error node (pods, retry nodes, fan-out groups and the DAG node itself), the
//! JSON list marshalled and then quoted (`strconv.Quote`), so no failure gives `"null"`.

use std::time::SystemTime;

/// One failed node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    /// The node's name (`wf.fit(1:b)`, `wf[0].step`, `wf`), which its `podName` hashes.
    pub name: String,
    /// `displayName`: the node name without its boundary's (`fit(1:b)`, `fit(0)`, `[0]`).
    pub display_name: String,
    /// `message`.
    pub message: String,
    /// `templateName` (empty for a steps group node).
    pub template: String,
    /// Errored rather than failed (`phase: Error`).
    pub errored: bool,
    /// `finishedAt`.
    pub finished_at: SystemTime,
}

impl Failure {
    /// A failed node finishing now.
    pub(crate) fn now(
        (name, display_name): (String, String),
        message: String,
        template: &str,
        errored: bool,
    ) -> Self {
        Failure {
            name,
            display_name,
            message,
            template: template.to_owned(),
            errored,
            finished_at: SystemTime::now(),
        }
    }
}

/// The value of `{{workflow.failures}}` for workflow `workflow`.
pub(crate) fn render(workflow: &str, failures: &[Failure]) -> String {
    let list: Vec<serde_json::Value> = failures
        .iter()
        .map(|f| {
            serde_json::json!({
                "displayName": f.display_name,
                "message": f.message,
                "templateName": f.template,
                "phase": if f.errored { "Error" } else { "Failed" },
                "podName": pod_name(workflow, &f.name, &f.template),
                "finishedAt": rfc3339(f.finished_at),
            })
        })
        .collect();
    let json = if list.is_empty() {
        "null".to_owned()
    } else {
        serde_json::Value::Array(list).to_string()
    };
    serde_json::Value::String(json).to_string()
}

/// `workflow/util/pod_name.go` lines 49-78, `GeneratePodName` (v2, the default): the
/// workflow's name for its own node, else `<workflow>[-<template>]-<fnv32a(node name)>`, the
/// prefix cut to 242 bytes (`maxK8sResourceNameLength - k8sNamingHashLength - 1`).
pub(crate) fn pod_name(workflow: &str, node_name: &str, template: &str) -> String {
    if node_name == workflow {
        return workflow.to_owned();
    }
    let mut prefix = workflow.to_owned();
    if !template.is_empty() {
        prefix = format!("{prefix}-{template}");
    }
    if prefix.len() > 242 {
        let mut end = 242;
        while !prefix.is_char_boundary(end) {
            end -= 1;
        }
        prefix.truncate(end);
    }
    format!("{prefix}-{}", fnv32a(node_name))
}

/// `Workflow.NodeID` (`pkg/apis/workflow/v1alpha1/workflow_types.go` line 3870): the
/// workflow's name for its own node, else `<workflow>-<fnv32a(node name)>`.
pub(crate) fn node_id(workflow: &str, node_name: &str) -> String {
    if node_name == workflow {
        return workflow.to_owned();
    }
    format!("{workflow}-{}", fnv32a(node_name))
}

fn fnv32a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// `2026-11-30T01:02:03Z`: seconds and `Z`, as Kubernetes' `metav1.Time` marshals
/// (`apimachinery/pkg/apis/meta/v1/time.go`, `MarshalJSON`: `RFC3339`).
fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn dates_and_pod_names_follow_argo() {
        let t = UNIX_EPOCH + Duration::from_secs(1_796_000_523);
        assert_eq!(rfc3339(t), "2026-11-30T01:02:03Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(pod_name("wf", "wf", "main"), "wf");
        // FNV-1a 32 of "wf.a", computed with Python.
        assert_eq!(pod_name("wf", "wf.a", "t"), "wf-t-2962115457");
        // A steps group node has no template: `wf-<fnv(wf[0])>`.
        assert_eq!(
            pod_name("wf", "wf[0]", ""),
            format!("wf-{}", fnv32a("wf[0]"))
        );
        let long = "w".repeat(300);
        assert_eq!(pod_name(&long, "x", "t").len(), 242 + 1 + 10);
        assert_eq!(node_id("wf", "wf.a"), "wf-2962115457");
        assert_eq!(node_id("wf", "wf"), "wf");
        assert_eq!(render("wf", &[]), "\"null\"");
    }
}
