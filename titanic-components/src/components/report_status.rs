use crate::tracking::Tracker;
use pipeline_dsl::prelude::*;
use pipeline_remote::mlflow::{MlflowError, RunStatus, RunTag};

/// Reports how the run ended (the exit handler, as the demo's `status_op`): the workflow name,
/// its status and, when it failed, which steps failed. With MLflow tracking on
/// (`MLFLOW_TRACKING_URI`), it ends the workflow's parent run FINISHED or FAILED (creating it
/// when the workflow failed before anything was logged). Never fails itself.
///
/// # Parameters
/// - `workflow`: the workflow's name.
/// - `status`: `Succeeded`, `Failed` or `Error`.
/// - `failures`: Argo's `workflow.failures` JSON (quoted twice), or `null`.
#[component(cpu = "100m", memory = "64Mi")]
pub fn report_status(workflow: String, status: String, failures: String) -> Result<()> {
    let failed = failed_steps(&failures);
    if failed.is_empty() {
        println!("workflow {workflow}: {status}");
    } else {
        println!(
            "workflow {workflow}: {status}; failed steps: {}",
            failed.join(", ")
        );
    }
    let ended = Tracker::from_env().and_then(|t| match t {
        Some(t) => end_parent_run(&t, &workflow, &status, &failed).map(Some),
        None => Ok(None),
    });
    if let Err(e) = ended {
        eprintln!("warning: MLflow run of {workflow} not ended: {e}");
    }
    Ok(())
}

/// Ends the workflow's parent run with the workflow's outcome.
fn end_parent_run(
    tracker: &Tracker,
    workflow: &str,
    status: &str,
    failed: &[String],
) -> Result<(), MlflowError> {
    let run = tracker.parent_run(workflow)?;
    let mut tags = vec![RunTag::new("workflow.status", status)];
    if !failed.is_empty() {
        tags.push(RunTag::new("workflow.failures", failed.join(", ")));
    }
    tracker.client.log_batch(&run.run_id, &[], &[], &tags)?;
    let outcome = if status == "Succeeded" {
        RunStatus::Finished
    } else {
        RunStatus::Failed
    };
    tracker.client.end_run(&run.run_id, outcome)
}

/// Names of the failed steps in Argo's `workflow.failures` (a JSON string holding JSON).
fn failed_steps(failures: &str) -> Vec<String> {
    let mut value: serde_json::Value =
        serde_json::from_str(failures).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::String(inner) = &value {
        value = serde_json::from_str(inner).unwrap_or(serde_json::Value::Null);
    }
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| {
            f.get("displayName")
                .and_then(|n| n.as_str())
                .map(str::to_owned)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_argo_failures_quoted_twice() {
        let inner = r#"[{"displayName":"train-fold(0)","message":"boom","phase":"Failed"}]"#;
        let wire = serde_json::to_string(inner).unwrap();
        assert_eq!(failed_steps(&wire), vec!["train-fold(0)"]);
        assert!(failed_steps("null").is_empty());
        assert!(failed_steps("not json").is_empty());
        assert!(report_status("wf".into(), "Failed".into(), wire).is_ok());
    }
}
