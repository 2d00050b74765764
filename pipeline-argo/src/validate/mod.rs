//! A port of Argo's own validation rules (`workflow/validate/validate.go`, the CEL rules and
//! patterns of the full CRD, argo-workflows v4.1) for the subset of Argo we emit, plus the
//! compiler rules of `shared/argo/PATTERNS.md`. All errors are collected, in document order; each
//! names the template / task / field it is about, e.g.
//! `template "train": task "fold": depends on unknown task "foo"`.
//!
//! # Rules enforced
//!
//! **Object**
//! 1. `apiVersion` is `argoproj.io/v1alpha1` and `kind` matches the object.
//! 2. `metadata.name` is a DNS-1123 subdomain of at most 63 characters (52 for a CronWorkflow);
//!    a Workflow needs `name` or `generateName`, a WorkflowTemplate / CronWorkflow needs `name`;
//!    `generateName` plus the 5 generated characters must be a valid name within the limit;
//!    `namespace` is a DNS-1123 label.
//! 3. Label keys/values and annotation keys (metadata, `workflowMetadata`, template metadata) are
//!    valid Kubernetes qualified names / label values.
//!
//! **Spec**
//! 4. `spec.entrypoint` is set (Workflow, CronWorkflow) and names an existing template;
//!    `spec.onExit` names an existing template.
//! 5. At most 200 templates; template names match `^[a-zA-Z0-9][-a-zA-Z0-9]*$`, are at most 128
//!    characters and unique.
//! 6. `spec.arguments`: parameter/artifact names match `^[-a-zA-Z0-9_]+$` and are unique; every
//!    parameter has `value` (or `valueFrom.configMapKeyRef`; not required in a WorkflowTemplate);
//!    `valueFrom` only uses configMapKeyRef/default; a value is within its `enum`; every artifact
//!    has `from`, `fromExpression` or a location, not both `from` and `fromExpression`.
//! 7. The entrypoint and exit-handler templates get every input parameter without value/default,
//!    and every non-optional input artifact without a location, from `spec.arguments`.
//! 8. `podGC.strategy` and `artifactGC.strategy` are known values; volume names are DNS-1123
//!    labels and unique; `emptyDir.sizeLimit` is a quantity.
//!
//! **Templates**
//! 9. Exactly one template type (`container` or `dag`).
//! 10. `timeout` and `activeDeadlineSeconds` only on leaf templates, `parallelism` only on DAGs;
//!     `timeout` is a Go duration (not a bare integer); `activeDeadlineSeconds` is a non-negative
//!     integer or a `{{...}}` tag.
//! 11. Input/output parameter and artifact names match `^[-a-zA-Z0-9_]+$` and are unique within
//!     the inputs / outputs; `globalName`s likewise.
//! 12. Input artifacts: no `from`; a path in container templates and none in DAG templates; at
//!     most one location. Output artifacts: a path in container templates; `from` /
//!     `fromExpression` (and no path) in DAG templates. Output parameters: `value` xor `valueFrom`;
//!     `valueFrom.path` in container templates; `valueFrom.parameter` xor `expression` in DAGs.
//! 13. A parameter `value`/`default` is within its `enum`.
//! 14. `retryStrategy`: never empty (`{}` retries forever), has a `limit` (unless
//!     `backoff.maxDuration` bounds it); `limit` and `backoff.factor` are non-negative integers or
//!     `{{...}}` tags; `retryPolicy` is Always, OnFailure, OnError or OnTransientError; a `backoff`
//!     has a `duration`; `duration`, `maxDuration`, `cap` are integer seconds or Go durations;
//!     `expression` parses in the expr subset of [`crate::expr`] and reads only `retries`
//!     and `lastRetry.exitCode|status|duration|message` (argo `buildRetryStrategyLocalScope`).
//! 15. `memoize`: the key, with each `{{...}}` counted as one character, matches
//!     `^[a-zA-Z0-9][-a-zA-Z0-9]*$`; `maxAge` is empty or a Go duration (no `d` unit); the cache
//!     ConfigMap has a name.
//! 16. Containers: non-empty image; resource requests/limits are Kubernetes quantities; volume
//!     mounts name volumes of `spec.volumes`; no two mounts / input artifacts share a path; no env
//!     var has both `value` and `valueFrom`.
//!
//! **DAGs**
//! 17. 1 to 200 tasks; task names match the template-name rule and are unique; a task name
//!     does not start with a digit when the DAG uses `depends` or the task uses `dependencies`.
//! 18. `depends` and `dependencies` are not mixed in one DAG; `continueOn` is not used with
//!     `depends`; `depends` parses (`&&`, `||`, `!`, parentheses, `task[.Result]`); task results
//!     are Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded or AllFailed, and
//!     AnySucceeded/AllFailed only on looped tasks.
//! 19. Every dependency names another task of the DAG; no dependency cycles (the cycle is named);
//!     `dag.target` names existing tasks.
//! 20. `task.template` names an existing template.
//! 21. At most one of withItems/withParam/withSequence; `withSequence` has `count` xor `end`, and
//!     count/start/end are integers or `{{...}}` tags.
//! 22. Task arguments obey rule 6, supply every required input parameter / artifact of the called
//!     template (rule 7) and pass nothing the called template does not declare.
//! 23. PATTERNS.md §1.1: no argument or DAG output artifact takes
//!     `from: {{tasks.X.outputs.artifacts.Y}}` (or a `fromExpression` naming it) when task X loops
//!     — Argo accepts it but fails at runtime.
//!
//! **Variables** (`{{...}}` in every string of a container template, of a DAG task and of DAG
//! outputs; tags with a root Argo does not own are left alone, as in Argo)
//! 24. `workflow.*`: name, namespace, uid, serviceAccountName, mainEntrypoint, duration,
//!     scheduledTime, creationTimestamp(.*), `labels`/`annotations` (`.json`, `.<declared key>`),
//!     parameters(.json) and `parameters.<declared in spec.arguments>`,
//!     `outputs.parameters|artifacts.<declared globalName>`; `workflow.status` and
//!     `workflow.failures` only in templates that run solely as the exit handler (stricter than
//!     Argo v4, which accepts `workflow.status` anywhere).
//! 25. `inputs.parameters(.<declared>)`, `inputs.artifacts.<declared>` and, in container templates
//!     only, `inputs.artifacts.<a>.path`, `outputs.parameters.<p>.path` (declared with
//!     valueFrom.path), `outputs.artifacts.<a>.path` (declared with a path), `pod.name`;
//!     `retries` / `lastRetry.*` only with a retryStrategy; `node.name`.
//! 26. `item` / `item.<key>` only in the fields of a looped task (`item.*` anything for
//!     withParam, declared keys for withItems maps, only `item` for withSequence) — never inside a
//!     called template.
//! 27. `tasks.<T>.…` only in DAG tasks and DAG outputs, where T is a task of the same DAG and, in a
//!     task, a transitive dependency of it (not itself); the suffix is id, startedAt, finishedAt,
//!     hostNodeName, status, exitCode / outputs.result (container templates), outputs.parameters
//!     (looped T), `outputs.parameters.<declared>` or `outputs.artifacts.<declared>`. So the exit
//!     handler can never reach the main DAG's tasks (its own DAG's tasks are fine).
//! 28. `{{=expr}}` tags: best-effort check of `tasks.X…` / `tasks['X']…`,
//!     `inputs.parameters|artifacts.X` and `workflow.parameters.X` / `status` / `failures` with the
//!     same rules (string literals skipped); a `{{` without `}}` is an error. In a task's `when`,
//!     an expression tag must parse in the expr subset the compiler emits and the local runner
//!     evaluates ([`crate::expr`]).
//!
//! Warnings (a Workflow Argo accepts but a stock cluster would not run well: no service account,
//! a ref to an artifact repository key we do not ship, ...) are [`crate::lint`]'s.
//!
//! **CronWorkflow**: `schedules` non-empty, each with 5 fields or an `@` descriptor;
//! `concurrencyPolicy` Allow, Forbid or Replace; `startingDeadlineSeconds` not negative.

mod args;
mod cron;
mod dag;
mod depends;
mod error;
mod expr;
mod graph;
mod names;
mod scope;
mod spec;
mod syntax;
mod template;
mod vars;

pub use error::{ErrorKind, ValidationError, ValidationErrors};

use crate::model::{CronWorkflow, Workflow, WorkflowSpec, WorkflowTemplate, API_VERSION};
use names::NameRules;
use spec::check_spec;

/// Validates a `Workflow`: metadata, kind and the whole spec.
pub fn validate_workflow(wf: &Workflow) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    check_kind(&wf.api_version, &wf.kind, Workflow::KIND, &mut errs);
    let rules = NameRules {
        max_len: 63,
        allow_generate_name: true,
    };
    names::check_object_meta(&wf.metadata, &rules, &mut errs);
    check_spec(&wf.spec, &[&wf.metadata], Mode::Workflow, &mut errs);
    errs.into_result()
}

/// Validates a workflow spec on its own, with the rules of a submitted Workflow.
pub fn validate_spec(spec: &WorkflowSpec) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    check_spec(spec, &[], Mode::Workflow, &mut errs);
    errs.into_result()
}

/// Validates a `WorkflowTemplate` (entrypoint optional, workflow parameters may lack values).
pub fn validate_workflow_template(wt: &WorkflowTemplate) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    check_kind(&wt.api_version, &wt.kind, WorkflowTemplate::KIND, &mut errs);
    let rules = NameRules {
        max_len: 63,
        allow_generate_name: false,
    };
    names::check_object_meta(&wt.metadata, &rules, &mut errs);
    check_spec(&wt.spec, &[&wt.metadata], Mode::Template, &mut errs);
    errs.into_result()
}

/// Validates a `CronWorkflow`: name (at most 52 characters), schedules, policies and the spec.
pub fn validate_cron_workflow(cw: &CronWorkflow) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    check_kind(&cw.api_version, &cw.kind, CronWorkflow::KIND, &mut errs);
    let rules = NameRules {
        max_len: 52,
        allow_generate_name: false,
    };
    names::check_object_meta(&cw.metadata, &rules, &mut errs);
    let s = &cw.spec;
    if s.schedules.is_empty() {
        errs.push(
            "spec.schedules",
            ErrorKind::InvalidSchedule("at least one cron schedule is required".to_string()),
        );
    }
    for sched in &s.schedules {
        if let Err(reason) = cron::check_cron(sched) {
            let msg = format!("cron schedule {sched:?} is malformed: {reason}");
            errs.push("spec.schedules", ErrorKind::InvalidSchedule(msg));
        }
    }
    if let Some(p) = &s.concurrency_policy {
        if !["Allow", "Forbid", "Replace"].contains(&p.as_str()) {
            errs.push(
                "spec",
                not_in_set("concurrencyPolicy", p, "Allow, Forbid, Replace"),
            );
        }
    }
    if let Some(d) = s.starting_deadline_seconds.filter(|d| *d < 0) {
        let kind = ErrorKind::Negative {
            field: "startingDeadlineSeconds",
            value: d.to_string(),
        };
        errs.push("spec", kind);
    }
    let mut metas = vec![&cw.metadata];
    if let Some(m) = &s.workflow_metadata {
        names::check_labels(
            "spec.workflowMetadata",
            &m.labels,
            &m.annotations,
            &mut errs,
        );
        metas.push(m);
    }
    check_spec(&s.workflow_spec, &metas, Mode::Workflow, &mut errs);
    errs.into_result()
}

/// Which object a spec belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// A Workflow (or CronWorkflow): entrypoint and argument values required.
    Workflow,
    /// A WorkflowTemplate: entrypoint optional, arguments may lack values.
    Template,
}

fn not_in_set(field: &'static str, value: &str, allowed: &'static str) -> ErrorKind {
    ErrorKind::NotInSet {
        field,
        value: value.to_string(),
        allowed,
    }
}

fn check_kind(api_version: &str, kind: &str, expected: &'static str, errs: &mut ValidationErrors) {
    if api_version != API_VERSION {
        errs.push("object", not_in_set("apiVersion", api_version, API_VERSION));
    }
    if kind != expected {
        errs.push("object", not_in_set("kind", kind, expected));
    }
}

#[cfg(test)]
mod tests;
