//! MLflow tracking for the Titanic pipeline: on when `MLFLOW_TRACKING_URI` is set.
//!
//! One parent run per workflow (found again by its `workflow` tag, so the steps that log to it
//! never need its id from one another), one child run per fold. Within a step the ids are
//! kept ([`WorkflowRuns`]): the server is searched once for the parent, and for its children
//! only when the parent already existed (a retried step, in another pod). An unreachable server is a
//! warning and the pipeline goes on, unless the step was told tracking is required.

use std::collections::BTreeMap;

use pipeline_remote::mlflow::{
    experiment_name_from_env, MlflowClient, MlflowError, RunInfo, RunTag,
};

/// The experiment runs go to unless `MLFLOW_EXPERIMENT_NAME` says otherwise.
pub const DEFAULT_EXPERIMENT: &str = "mlops-titanic";

/// The tag that names a parent run's workflow.
pub const WORKFLOW_TAG: &str = "workflow";

/// The commit this binary was built from (`unknown` outside a git checkout).
pub const GIT_COMMIT: &str = env!("MLOPS_TITANIC_GIT_COMMIT");

/// A workflow's parent run and its child runs by name, known within one step so that each
/// child is found or created without asking the server again.
#[derive(Debug, Clone)]
pub struct WorkflowRuns {
    /// The parent run.
    pub parent: RunInfo,
    children: BTreeMap<String, RunInfo>,
}

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
        Tracker::new(client, &experiment_name_from_env(DEFAULT_EXPERIMENT)).map(Some)
    }

    /// The tracker logging with `client` to the experiment `name` (read, or created).
    pub fn new(client: MlflowClient, name: &str) -> Result<Tracker, MlflowError> {
        let experiment = client.get_or_create_experiment(name)?;
        Ok(Tracker { client, experiment })
    }

    /// The parent run of `workflow`, created (named after it, tagged with the workflow, the
    /// pipeline version and the git commit) when this is the first step to log.
    pub fn parent_run(&self, workflow: &str) -> Result<RunInfo, MlflowError> {
        self.find_or_create_parent(workflow).map(|(run, _)| run)
    }

    /// The parent run of `workflow` with the child runs it already has, for a step that logs
    /// children. The parent is searched for (another pod may have made it); the children are
    /// searched for only when the parent already existed (an earlier attempt of the step, in
    /// another pod, may have made some), never when this call created it.
    pub fn workflow_runs(&self, workflow: &str) -> Result<WorkflowRuns, MlflowError> {
        let (parent, created) = self.find_or_create_parent(workflow)?;
        let mut children = BTreeMap::new();
        if !created {
            let filter = format!("tags.mlflow.parentRunId = '{}'", quote(&parent.run_id));
            for run in self
                .client
                .search_runs(&[&self.experiment.experiment_id], &filter)?
            {
                children
                    .entry(run.info.run_name.clone())
                    .or_insert(run.info);
            }
        }
        Ok(WorkflowRuns { parent, children })
    }

    /// The child run `name` of the workflow's parent: the one it has (a retried step reuses
    /// it), else a new one, remembered in `runs`. No search: `runs` knows every child.
    pub fn child_run(&self, runs: &mut WorkflowRuns, name: &str) -> Result<RunInfo, MlflowError> {
        if let Some(known) = runs.children.get(name) {
            return Ok(known.clone());
        }
        let created = self.client.create_run(
            &self.experiment,
            name,
            &[RunTag::new("mlflow.parentRunId", &runs.parent.run_id)],
        )?;
        runs.children.insert(name.to_owned(), created.clone());
        Ok(created)
    }

    /// The parent run of `workflow` and whether this call created it.
    fn find_or_create_parent(&self, workflow: &str) -> Result<(RunInfo, bool), MlflowError> {
        if let Some(found) =
            self.find_run(&format!("tags.{WORKFLOW_TAG} = '{}'", quote(workflow)))?
        {
            return Ok((found, false));
        }
        let created = self.client.create_run(
            &self.experiment,
            workflow,
            &[
                RunTag::new(WORKFLOW_TAG, workflow),
                RunTag::new("pipeline", "titanic"),
                RunTag::new("pipeline.version", env!("CARGO_PKG_VERSION")),
                RunTag::new("mlflow.source.git.commit", GIT_COMMIT),
                RunTag::new("mlflow.source.name", "titanic"),
            ],
        )?;
        Ok((created, true))
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
