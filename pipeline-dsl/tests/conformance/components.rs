//! Small components for the conformance pipelines: every argument kind, every built-in artifact
//! kind, output parameters, and every `#[component(...)]` option. The bodies are trivial; the
//! point is the compiled manifest.

use pipeline_dsl::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A passenger row.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Passenger {
    pub age: Option<f64>,
    pub fare: f64,
    pub survived: u8,
}

/// A feature row.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Features {
    pub x: Vec<f64>,
    pub y: u8,
}

/// Where the data comes from.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The bundled copy.
    Bundled,
    /// A bucket.
    S3,
    /// A web address.
    Http,
}

/// Hyper-parameters of the learner.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct HyperParams {
    /// Tree depth.
    pub depth: u32,
    /// Learning rate.
    pub learning_rate: f64,
    /// Feature names to keep.
    pub features: Vec<String>,
}

/// One fold of a cross-validation.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct FoldSpec {
    /// Index of the fold.
    pub index: u32,
    /// Seed for this fold.
    pub seed: u64,
    /// Label shown in reports.
    pub label: String,
}

// ---------------------------------------------------------------- sources

#[derive(Outputs)]
pub struct Ingested {
    /// Raw passengers.
    pub passengers: Dataset<Passenger>,
    /// Number of rows.
    pub rows: Param<u64>,
}

/// Loads passengers.
///
/// # Parameters
/// - `source`: where to read from.
/// - `limit`: at most this many rows.
#[component(cpu = "250m", memory = "256Mi")]
pub fn ingest(source: Source, limit: u64) -> Result<Ingested> {
    let _ = source;
    let passengers: Vec<Passenger> = (0..limit.min(4))
        .map(|i| Passenger {
            age: Some(20.0 + i as f64),
            fare: 7.25,
            survived: (i % 2) as u8,
        })
        .collect();
    let rows = passengers.len() as u64;
    Ok(Ingested {
        passengers: passengers.into(),
        rows: Param(rows),
    })
}

/// Does nothing; a stand-in step.
#[component]
pub fn noop() -> Result<()> {
    Ok(())
}

/// Echoes a message.
#[component]
pub fn echo(message: String) -> Result<()> {
    println!("{message}");
    Ok(())
}

/// Takes one parameter of every scalar kind.
#[component]
pub fn scalars(count: i64, ratio: f64, label: String, enabled: bool) -> Result<()> {
    let _ = (count, ratio, label, enabled);
    Ok(())
}

/// Takes structured parameters.
#[component]
pub fn configure(
    source: Source,
    hyper: HyperParams,
    tags: Vec<String>,
    note: Option<String>,
) -> Result<()> {
    let _ = (source, hyper, tags, note);
    Ok(())
}

// ---------------------------------------------------------------- output parameters

#[derive(Outputs)]
pub struct Counted {
    /// How many.
    pub count: Param<u64>,
    /// A quality score in [0, 1].
    pub score: Param<f64>,
    /// A class label.
    pub label: Param<String>,
}

/// Counts something and scores it.
#[component]
pub fn count(n: u64) -> Result<Counted> {
    Ok(Counted {
        count: Param(n),
        score: Param(0.5),
        label: Param("gold".into()),
    })
}

/// Uses a count.
#[component]
pub fn use_count(count: u64, label: String) -> Result<()> {
    let _ = (count, label);
    Ok(())
}

// ---------------------------------------------------------------- datasets and models

#[derive(Outputs)]
pub struct SplitOutputs {
    /// Rows to train on.
    pub train: Dataset<Passenger>,
    /// Rows held out.
    pub validation: Dataset<Passenger>,
}

/// Splits passengers.
///
/// # Parameters
/// - `validation_fraction`: share of rows held out.
/// - `seed`: shuffling seed.
#[component(retries = 2, cpu = "500m", memory = "512Mi")]
pub fn split(
    passengers: Input<Dataset<Passenger>>,
    validation_fraction: f64,
    seed: u64,
) -> Result<SplitOutputs> {
    let _ = (validation_fraction, seed);
    let rows = passengers.into_inner().into_rows();
    let half = rows.len() / 2;
    Ok(SplitOutputs {
        train: rows[..half].to_vec().into(),
        validation: rows[half..].to_vec().into(),
    })
}

#[derive(Outputs)]
pub struct Featurized {
    /// Feature rows.
    pub features: Dataset<Features>,
    /// The fitted featurizer.
    pub featurizer: Json<Vec<String>>,
}

/// Turns passengers into features.
#[component]
pub fn featurize(passengers: Input<Dataset<Passenger>>) -> Result<Featurized> {
    let features: Vec<Features> = passengers
        .iter()
        .map(|p| Features {
            x: vec![p.age.unwrap_or(0.0), p.fare],
            y: p.survived,
        })
        .collect();
    Ok(Featurized {
        features: features.into(),
        featurizer: Json(vec!["age".into(), "fare".into()]),
    })
}

#[derive(Outputs)]
pub struct Trained {
    /// The model.
    pub model: Model<Vec<f64>>,
    /// Training accuracy.
    pub accuracy: Param<f64>,
}

/// Trains a model.
#[component(cpu = "1", memory = "1Gi")]
pub fn train(features: Input<Dataset<Features>>, hyper: HyperParams) -> Result<Trained> {
    let _ = hyper;
    Ok(Trained {
        model: Model(vec![features.len() as f64]),
        accuracy: Param(0.8),
    })
}

/// Trains one fold.
#[component]
pub fn train_fold(features: Input<Dataset<Features>>, fold: FoldSpec) -> Result<Trained> {
    Ok(Trained {
        model: Model(vec![fold.index as f64, features.len() as f64]),
        accuracy: Param(0.75),
    })
}

/// Trains for one seed (fan-out over a range).
#[component]
pub fn train_seed(features: Input<Dataset<Features>>, seed: u32, depth: u32) -> Result<Trained> {
    let _ = depth;
    Ok(Trained {
        model: Model(vec![seed as f64, features.len() as f64]),
        accuracy: Param(0.7),
    })
}

/// Uses one model.
#[component]
pub fn use_model(model: Input<Model<Vec<f64>>>) -> Result<()> {
    let _ = model;
    Ok(())
}

#[derive(Outputs)]
pub struct Ensembled {
    /// The ensemble.
    pub model: Model<Vec<Vec<f64>>>,
    /// Out-of-fold accuracy.
    pub accuracy: Param<f64>,
}

/// Combines the fold models.
#[component]
pub fn ensemble(models: Input<Collection<Model<Vec<f64>>>>) -> Result<Ensembled> {
    Ok(Ensembled {
        model: Model(models.iter().map(|m| m.0.clone()).collect()),
        accuracy: Param(0.82),
    })
}

#[derive(Outputs)]
pub struct Evaluation {
    /// KFP metrics.
    pub metrics: Metrics,
    /// ROC curve.
    pub roc: Png,
    /// A report page.
    pub report: Html,
    /// A summary.
    pub summary: Markdown,
    /// Accuracy, for gating.
    pub accuracy: Param<f64>,
    /// Verdict, for gating.
    pub verdict: Param<String>,
}

/// Evaluates a model.
#[component]
pub fn evaluate(
    model: Input<Model<Vec<Vec<f64>>>>,
    validation: Input<Dataset<Passenger>>,
) -> Result<Evaluation> {
    let _ = (model, validation);
    Ok(Evaluation {
        metrics: Metrics::new().with("accuracy", 0.82),
        roc: Png(b"\x89PNG\r\n\x1a\n".to_vec()),
        report: Html("<p>ok</p>".into()),
        summary: Markdown("# ok".into()),
        accuracy: Param(0.82),
        verdict: Param("pass".into()),
    })
}

/// Publishes a model bundle.
#[component(secret_env(
    AWS_ACCESS_KEY_ID = "s3-credentials/access-key",
    AWS_SECRET_ACCESS_KEY = "s3-credentials/secret-key"
))]
pub fn publish(model: Input<Model<Vec<Vec<f64>>>>, bucket: String) -> Result<()> {
    let _ = (model, bucket);
    Ok(())
}

/// Reads every built-in artifact kind.
#[component]
pub fn archive(
    passengers: Input<Dataset<Passenger>>,
    featurizer: Input<Json<Vec<String>>>,
    model: Input<Model<Vec<Vec<f64>>>>,
    metrics: Input<Metrics>,
    roc: Input<Png>,
    report: Input<Html>,
    summary: Input<Markdown>,
    models: Input<Collection<Model<Vec<f64>>>>,
) -> Result<()> {
    let _ = (
        passengers, featurizer, model, metrics, roc, report, summary, models,
    );
    Ok(())
}

// ---------------------------------------------------------------- exit handler

/// Reports how the run ended.
///
/// # Parameters
/// - `status`: `Succeeded`, `Failed` or `Error`.
/// - `workflow`: the workflow's name.
/// - `failures`: JSON list of failed steps.
/// - `channel`: where to post.
#[component(retries = 1)]
pub fn notify(status: String, workflow: String, failures: String, channel: String) -> Result<()> {
    let _ = (status, workflow, failures, channel);
    Ok(())
}

// ---------------------------------------------------------------- options

/// A step with every `#[component]` option set.
#[component(
    name = "kitchen-sink",
    version = "2.1.0",
    image = "ghcr.io/example/kitchen-sink:2.1.0",
    cpu = "750m",
    memory = "768Mi",
    cpu_limit = "2",
    memory_limit = "1Gi",
    gpu = 1,
    retries = 4,
    backoff = "15s",
    retry_policy = "OnTransientError",
    timeout = "45m",
    cache = "168h",
    env(LOG_LEVEL = "debug", MODE = "batch"),
    secret_env(API_TOKEN = "api-secrets/token")
)]
pub fn all_options(depth: u32) -> Result<()> {
    let _ = depth;
    Ok(())
}

/// A memoized step (component-level cache).
#[component(cache = "24h")]
pub fn cached_lookup(key: String) -> Result<Counted> {
    Ok(Counted {
        count: Param(key.len() as u64),
        score: Param(1.0),
        label: Param(key),
    })
}

/// A step that runs on a GPU by default.
#[component(gpu = 2, cpu = "4", memory = "16Gi", timeout = "2h")]
pub fn gpu_step(epochs: u32) -> Result<()> {
    let _ = epochs;
    Ok(())
}

/// A step with its own image and environment.
#[component(image = "python:3.12-slim", env(PYTHONUNBUFFERED = "1"))]
pub fn external(script: String) -> Result<()> {
    let _ = script;
    Ok(())
}

/// A step that retries with backoff by default.
#[component(retries = 3, backoff = "5s", retry_policy = "Always", timeout = "10m")]
pub fn flaky(attempt_note: String) -> Result<()> {
    let _ = attempt_note;
    Ok(())
}
