//! A typed client for MLflow's REST API: experiments, runs, batched metrics/params/tags,
//! artifacts through the tracking server's proxy, and the Model Registry (versions, aliases,
//! `models:/` and `runs:/` URIs).
//!
//! No mature Rust crate speaks MLflow; this one follows the REST reference of MLflow 3
//! (`/api/2.0/mlflow/...`, `/api/2.0/mlflow-artifacts/artifacts/...`) and is tested against a
//! real `mlflow server`. Settings come from MLflow's own variables ([`MlflowConfig::from_env`]).
//!
//! ```no_run
//! use pipeline_remote::mlflow::{Metric, MlflowClient, RunStatus, RunTag, now_ms};
//! let Some(mlflow) = MlflowClient::from_env()? else { return Ok(()) }; // tracking off
//! let exp = mlflow.get_or_create_experiment("titanic")?;
//! let parent = mlflow.create_run(&exp, "titanic-x7k2p", &[])?;
//! let fold = mlflow.create_run(&exp, "fold-0", &[RunTag::new("mlflow.parentRunId", &parent.run_id)])?;
//! let loss: Vec<Metric> = (0..3)
//!     .map(|epoch| Metric { key: "train_loss".into(), value: 1.0 / (epoch + 1) as f64, timestamp: now_ms(), step: epoch })
//!     .collect();
//! mlflow.log_batch(&fold.run_id, &loss, &[], &[])?;
//! mlflow.end_run(&fold.run_id, RunStatus::Finished)?;
//! # Ok::<(), pipeline_remote::mlflow::MlflowError>(())
//! ```

mod client;
mod config;
mod error;
mod registry;
mod tracking;
mod types;

pub use client::{MlflowClient, RetryPolicy};
pub use config::{experiment_name_from_env, Auth, MlflowConfig};
pub use error::MlflowError;
pub use registry::ModelUri;
pub use tracking::{
    now_ms, MAX_ENTITIES_PER_BATCH, MAX_METRICS_PER_BATCH, MAX_PARAMS_PER_BATCH,
    MAX_PARAM_VALUE_CHARS, MAX_TAGS_PER_BATCH,
};
pub use types::{
    Experiment, Metric, ModelVersion, Param, Run, RunData, RunInfo, RunStatus, RunTag,
};
