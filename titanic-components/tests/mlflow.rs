//! The pipeline with MLflow tracking on, against a real `mlflow server` on loopback (started and
//! stopped by `testkit`); everything is read back through MLflow's own REST API.

use pipeline_remote::mlflow::{MlflowClient, MlflowConfig, RunStatus};
use std::path::Path;
use std::process::Command;
use testkit::Service;
use titanic_components::tracking::Tracker;

mod common;
use common::only_run;

/// `titanic run --secrets-from-env` into `artifacts` with `MLFLOW_TRACKING_URI=uri` (the steps
/// read it from the Secret `mlops-titanic-mlflow`); success and the whole output.
fn run(artifacts: &Path, uri: &str, extra: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_titanic"))
        .args(["run", "--secrets-from-env", "--artifacts"])
        .arg(artifacts)
        .args(extra)
        .env("MLFLOW_TRACKING_URI", uri)
        .env("MLFLOW_EXPERIMENT_NAME", "titanic-e2e")
        .env_remove("MLFLOW_TRACKING_TOKEN")
        .output()
        .expect("spawn titanic");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn client(uri: &str) -> MlflowClient {
    MlflowClient::new(MlflowConfig::new(uri).unwrap()).unwrap()
}

#[test]
fn a_tracked_run_leaves_runs_metrics_plots_and_a_registered_model_in_mlflow() {
    let Some(server) = Service::mlflow() else {
        return;
    };
    let uri = server.url();
    let dir = tempfile::tempdir().unwrap();
    let (ok, log) = run(dir.path(), &uri, &["--param", "model_alias=champion"]);
    assert!(ok, "{log}");
    let (_, summary) = only_run(dir.path());
    let workflow = summary["workflow"].as_str().unwrap();
    let mlflow = client(&uri);
    let exp = mlflow
        .get_experiment_by_name("titanic-e2e")
        .unwrap()
        .unwrap();

    // One parent run, named after the workflow, tagged, ended FINISHED by the exit handler.
    let parents = mlflow
        .search_runs(
            &[&exp.experiment_id],
            &format!("tags.workflow = '{workflow}'"),
        )
        .unwrap();
    assert_eq!(parents.len(), 1, "{parents:?}");
    let parent = &parents[0];
    assert_eq!(parent.info.run_name, workflow);
    assert_eq!(parent.info.status, RunStatus::Finished);
    assert_eq!(
        parent.tag("pipeline.version"),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(parent.tag("workflow.status"), Some("Succeeded"));
    let commit = parent.tag("mlflow.source.git.commit").unwrap();
    assert!(commit == "unknown" || commit.len() == 40, "{commit}");
    assert_eq!(parent.param("train.learning_rate"), Some("0.03"));
    let accuracy = parent.metric("accuracy").unwrap();
    let local: f64 = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["task"] == "evaluate")
        .and_then(|s| s["parameters"]["accuracy"].as_str())
        .and_then(|a| a.parse().ok())
        .expect("evaluate's accuracy in run.json");
    assert_eq!(accuracy, local);

    // One child per fold with per-epoch loss histories.
    let children = mlflow
        .search_runs(
            &[&exp.experiment_id],
            &format!("tags.mlflow.parentRunId = '{}'", parent.info.run_id),
        )
        .unwrap();
    let mut names: Vec<&str> = children.iter().map(|c| c.info.run_name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["fold-0", "fold-1", "fold-2", "fold-3", "fold-4"]);
    for child in &children {
        let history = mlflow
            .metric_history(&child.info.run_id, "seed0/valid_loss")
            .unwrap();
        assert!(
            history.len() > 5,
            "{}: {} epochs",
            child.info.run_name,
            history.len()
        );
        let mut steps: Vec<i64> = history.iter().map(|m| m.step).collect();
        steps.sort();
        assert_eq!(steps, (0..history.len() as i64).collect::<Vec<_>>());
        assert_eq!(child.info.status, RunStatus::Finished);
    }

    // Plots and the model on the parent; the registered version is the published bundle.
    let root = &parent.info.artifact_uri;
    let png = mlflow
        .download_artifact(&format!("{root}/plots/roc_curve.png"))
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let model_path = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["task"] == "publish")
        .and_then(|s| s["artifacts"].as_array())
        .and_then(|a| a.iter().find(|a| a["name"] == "model"))
        .and_then(|a| a["path"].as_str())
        .map(std::path::PathBuf::from)
        .expect("publish's model in run.json");
    let (registered, version) = mlflow
        .fetch_model(
            &"models:/mlops-titanic@champion".parse().unwrap(),
            "model.json",
        )
        .unwrap();
    assert_eq!(version.unwrap().version, "1");
    assert_eq!(registered, std::fs::read(model_path).unwrap());
    let bundle: serde_json::Value = serde_json::from_slice(&registered).unwrap();
    assert!(bundle.is_object());

    // A second workflow over the same cache: a new parent run, the first one untouched.
    let (ok, log) = run(dir.path(), &uri, &[]);
    assert!(ok, "{log}");
    let all = mlflow
        .search_runs(&[&exp.experiment_id], "tags.pipeline = 'titanic'")
        .unwrap();
    assert_eq!(all.len(), 2, "one parent per workflow");
    let again = mlflow.get_run(&parent.info.run_id).unwrap();
    assert_eq!(again.data.metrics.len(), parent.data.metrics.len());
    let versions = mlflow.get_model_version("mlops-titanic", "2").unwrap();
    assert_eq!(versions.version, "2");
    let champion = mlflow
        .get_version_by_alias("mlops-titanic", "champion")
        .unwrap();
    assert_eq!(champion.version, "1", "the alias moves only when asked");
}

#[test]
fn an_unreachable_server_warns_unless_tracking_is_required() {
    let dead = format!("http://127.0.0.1:{}", testkit::free_port());
    let dir = tempfile::tempdir().unwrap();
    let (ok, log) = run(dir.path(), &dead, &[]);
    assert!(ok, "{log}");
    let (_, summary) = only_run(dir.path());
    let step_log = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["task"] == "track-run")
        .and_then(|s| s["log"].as_str())
        .map(|p| std::fs::read_to_string(p).unwrap())
        .expect("track-run's log");
    assert!(
        step_log.contains("MLflow tracking skipped (connect)"),
        "{step_log}"
    );
    assert!(
        step_log.contains(&format!("cannot reach MLflow at {dead}")),
        "{step_log}"
    );

    let dir = tempfile::tempdir().unwrap();
    let (ok, log) = run(dir.path(), &dead, &["--param", "require_tracking=true"]);
    assert!(!ok, "{log}");
    assert!(
        log.contains(&format!("cannot reach MLflow at {dead}")),
        "{log}"
    );
}

#[test]
fn without_the_variable_nothing_is_logged_and_nothing_waits() {
    // The shell's MLFLOW_TRACKING_URI does not reach a step unless `--secrets-from-env` (or a
    // `--secrets` directory) provides the Secret `mlops-titanic-mlflow`, as in a pod.
    let dead = format!("http://127.0.0.1:{}", testkit::free_port());
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_titanic"))
        .args(["run", "--artifacts"])
        .arg(dir.path())
        .env("MLFLOW_TRACKING_URI", &dead)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("MLflow"), "{text}");
    let logs = std::fs::read_dir(only_run(dir.path()).0.join("logs")).unwrap();
    for log in logs {
        let log = std::fs::read_to_string(log.unwrap().path()).unwrap();
        assert!(!log.contains("MLflow") && !log.contains(&dead), "{log}");
    }
}

#[test]
fn a_step_keeps_its_run_ids_and_a_retry_in_another_pod_finds_them_again() {
    let Some(server) = Service::mlflow() else {
        return;
    };
    let tracker = || Tracker::new(client(&server.url()), "retries").unwrap();
    let pod = tracker();
    let mut runs = pod.workflow_runs("wf-1").unwrap();
    let fold0 = pod.child_run(&mut runs, "fold-0").unwrap();
    let known = pod.child_run(&mut runs, "fold-0").unwrap();
    assert_eq!(known.run_id, fold0.run_id, "known within the step");

    // A retry in another pod (nothing known): the same parent and child, and one more child.
    let retry = tracker();
    let mut again = retry.workflow_runs("wf-1").unwrap();
    assert_eq!(again.parent.run_id, runs.parent.run_id);
    let found = retry.child_run(&mut again, "fold-0").unwrap();
    assert_eq!(found.run_id, fold0.run_id);
    let fold1 = retry.child_run(&mut again, "fold-1").unwrap();
    assert_ne!(fold1.run_id, fold0.run_id);

    let mlflow = client(&server.url());
    let exp = mlflow.get_experiment_by_name("retries").unwrap().unwrap();
    let search = |filter: &str| mlflow.search_runs(&[&exp.experiment_id], filter).unwrap();
    assert_eq!(search("tags.workflow = 'wf-1'").len(), 1, "one parent");
    let children = search(&format!(
        "tags.mlflow.parentRunId = '{}'",
        runs.parent.run_id
    ));
    assert_eq!(children.len(), 2, "no duplicate children");
}
