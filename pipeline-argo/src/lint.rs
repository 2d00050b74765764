//! Warnings about a Workflow that Argo accepts but that a stock cluster would not run well: each
//! rule is a defect a reading of Argo's source found in an earlier `pipeline.yaml`.
//!
//! | rule | what a cluster does | Argo source |
//! |---|---|---|
//! | `artifact-repository-ref` | a ref to a ConfigMap key that is not there fails the whole workflow before any pod starts | `workflow/artifactrepositories/artifactrepositories.go` `Resolve` |
//! | `service-account` | pods run as `default`, which lacks `create`/`patch` on `workflowtaskresults`: outputs never reach the controller | `docs/workflow-rbac.md` |
//! | `active-deadline` | nothing bounds the workflow's run time | `spec.activeDeadlineSeconds`, `workflow/controller/operator.go` |
//! | `when-raw-values` | a `when` that substitutes values straight into govaluate ends **Error** when a value is `null`, `NaN` or `80%` | `workflow/controller/dag.go` (`shouldExecute` error -> `NodeError`) |
//! | `pod-metadata` | workflow labels do not reach pods without `spec.podMetadata` | `workflow/controller/workflowpod.go` |
//! | `pod-gc` / `ttl` | pods and Workflow objects pile up | `spec.podGC`, `spec.ttlStrategy` |
//! | `unmounted-dir` | `HOME`/`TMPDIR` name a directory no volume provides (read-only root) | — |

use std::fmt;

use super::model::{Template, Workflow};
use crate::lang::tags::{tags, Tag};

/// One warning: the rule's name and what is wrong, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Rule name, e.g. `service-account`.
    pub rule: &'static str,
    /// What is wrong and what a cluster would do.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning[{}]: {}", self.rule, self.message)
    }
}

/// What the cluster is known to have: the artifact repositories (`ConfigMap`, key) that the
/// manifests we ship (`deploy/`) create.
#[derive(Debug, Clone, Default)]
pub struct LintContext {
    /// `(config map, key)` pairs that exist.
    pub repositories: Vec<(String, String)>,
}

/// The warnings for `wf`, in a stable order.
pub fn lint_workflow(wf: &Workflow, ctx: &LintContext) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut warn = |rule, message: String| out.push(Warning { rule, message });
    let spec = &wf.spec;
    if let Some(r) = &spec.artifact_repository_ref {
        let cm = r.config_map.as_deref().unwrap_or("artifact-repositories");
        let key = r.key.as_deref().unwrap_or("");
        let shipped = ctx.repositories.iter().any(|(c, k)| c == cm && k == key);
        if !shipped {
            warn(
                "artifact-repository-ref",
                format!(
                    "spec.artifactRepositoryRef names key {key:?} of ConfigMap {cm:?}, which the \
                     deploy manifests do not create; if the namespace lacks it, Argo fails the whole \
                     workflow (\"failed to find any artifact repository\") before any pod starts. \
                     Leave the ref out to use the namespace's default repository"
                ),
            );
        }
    }
    if spec
        .service_account_name
        .as_deref()
        .unwrap_or("")
        .is_empty()
    {
        warn(
            "service-account",
            "no spec.serviceAccountName: pods run as the namespace's `default` service account, \
             and since Argo v3.4 the executor needs `create` and `patch` on \
             `workflowtaskresults` (docs/workflow-rbac.md) or outputs never reach the controller"
                .into(),
        );
    }
    if spec.active_deadline_seconds.is_none() {
        warn(
            "active-deadline",
            "no spec.activeDeadlineSeconds: nothing bounds how long the workflow runs".into(),
        );
    }
    if spec.pod_gc.is_none() {
        warn(
            "pod-gc",
            "no spec.podGC: completed pods stay until the Workflow is deleted".into(),
        );
    }
    if spec.ttl_strategy.is_none() {
        warn(
            "ttl",
            "no spec.ttlStrategy: finished Workflow objects stay forever".into(),
        );
    }
    let pod_labels = spec.pod_metadata.as_ref().map(|m| &m.labels);
    for (k, v) in &wf.metadata.labels {
        if pod_labels.and_then(|l| l.get(k)) != Some(v) {
            warn(
                "pod-metadata",
                format!("label {k}={v} is on the Workflow but not in spec.podMetadata, so its pods lack it"),
            );
        }
    }
    for t in &spec.templates {
        lint_template(t, &mut warn);
    }
    out
}

fn lint_template(t: &Template, warn: &mut impl FnMut(&'static str, String)) {
    for task in t.dag.iter().flat_map(|d| &d.tasks) {
        let Some(when) = &task.when else { continue };
        let raw: Vec<&str> = tags(when)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|tag| match tag {
                Tag::Variable(s)
                    if s.starts_with("tasks.") || s.starts_with("workflow.parameters.") =>
                {
                    Some(s)
                }
                _ => None,
            })
            .collect();
        if !raw.is_empty() {
            warn(
                "when-raw-values",
                format!(
                    "template {:?} task {:?}: `when` substitutes {} straight into govaluate; a value \
                     such as `null` (NaN), `80%` or one with quotes makes the task Error instead of \
                     Skipped. Compare inside an expression tag (`{{{{=...}}}}`) that guards the values",
                    t.name,
                    task.name,
                    raw.iter().map(|r| format!("{{{{{r}}}}}")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    let Some(c) = &t.container else { return };
    for e in &c.env {
        if !["HOME", "TMPDIR"].contains(&e.name.as_str()) {
            continue;
        }
        let Some(dir) = &e.value else { continue };
        if !c.volume_mounts.iter().any(|m| &m.mount_path == dir) {
            warn(
                "unmounted-dir",
                format!(
                    "template {:?}: {}={dir} is not a volume mount, so the directory does not exist \
                     in the container (and the root filesystem may be read-only)",
                    t.name, e.name
                ),
            );
        }
    }
}
