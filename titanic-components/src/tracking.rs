//! MLflow tracking for the Titanic pipeline: on when `MLFLOW_TRACKING_URI` is set.
//!
//! One parent run per workflow (found again by its `workflow` tag, so the steps that log to it
//! never need its id from one another), one child run per fold. An unreachable server is a
//! warning and the pipeline goes on, unless the step was told tracking is required.

use pipeline_remote::mlflow::{
    experiment_name_from_env, MlflowClient, MlflowError, RunInfo, RunTag,
};

/// The experiment runs go to unless `MLFLOW_EXPERIMENT_NAME` says otherwise.
pub const DEFAULT_EXPERIMENT: &str = "mlops-titanic";

/// The tag that names a parent run's workflow.
pub const WORKFLOW_TAG: &str = "workflow";

/// The commit this binary was built from (`unknown` outside a git checkout).
pub const GIT_COMMIT: &str = env!("MLOPS_TITANIC_GIT_COMMIT");

/// A connection to the tracking server for one workflow's logging.
#[derive(Debug)]
pub struct Tracker {
    /// The client.
    pub client: MlflowClient,
    experiment: pipeline_remote::mlflow::Experiment,
}

/// What to do when tracking is on but fails: fail the step, or warn and go on.
pub fn tolerate<T>(
    what: &str,
    required: bool,
    result: Result<T, MlflowError>,
) -> Result<Option<T>, MlflowError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if required => Err(e),
        Err(e) => {
            tracing::warn!("MLflow tracking skipped ({what}): {e}");
            eprintln!("warning: MLflow tracking skipped ({what}): {e}");
            Ok(None)
        }
    }
}

impl Tracker {
    /// The tracker for this process's environment: `Ok(None)` when `MLFLOW_TRACKING_URI` is
    /// unset; the experiment is read (or created) here, so an unreachable server shows now.
    pub fn from_env() -> Result<Option<Tracker>, MlflowError> {
        let Some(client) = MlflowClient::from_env()? else {
            return Ok(None);
        };
        let experiment =
            client.get_or_create_experiment(&experiment_name_from_env(DEFAULT_EXPERIMENT))?;
        Ok(Some(Tracker { client, experiment }))
    }

    /// The parent run of `workflow`, created (named after it, tagged with the workflow, the
    /// pipeline version and the git commit) when this is the first step to log.
    pub fn parent_run(&self, workflow: &str) -> Result<RunInfo, MlflowError> {
        if let Some(found) =
            self.find_run(&format!("tags.{WORKFLOW_TAG} = '{}'", quote(workflow)))?
        {
            return Ok(found);
        }
        self.client.create_run(
            &self.experiment,
            workflow,
            &[
                RunTag::new(WORKFLOW_TAG, workflow),
                RunTag::new("pipeline", "titanic"),
                RunTag::new("pipeline.version", env!("CARGO_PKG_VERSION")),
                RunTag::new("mlflow.source.git.commit", GIT_COMMIT),
                RunTag::new("mlflow.source.name", "titanic"),
            ],
        )
    }

    /// The child run `name` of `parent`, created when missing (a retried step reuses it).
    pub fn child_run(&self, parent: &RunInfo, name: &str) -> Result<RunInfo, MlflowError> {
        let filter = format!(
            "tags.mlflow.parentRunId = '{}' and tags.mlflow.runName = '{}'",
            quote(&parent.run_id),
            quote(name)
        );
        if let Some(found) = self.find_run(&filter)? {
            return Ok(found);
        }
        self.client.create_run(
            &self.experiment,
            name,
            &[RunTag::new("mlflow.parentRunId", &parent.run_id)],
        )
    }

    fn find_run(&self, filter: &str) -> Result<Option<RunInfo>, MlflowError> {
        let runs = self
            .client
            .search_runs(&[&self.experiment.experiment_id], filter)?;
        Ok(runs.into_iter().next().map(|r| r.info))
    }
}

/// `text` inside MLflow filter quotes.
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\'', "\\'")
}
