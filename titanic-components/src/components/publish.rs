use crate::model::bundle::ModelBundle;
use crate::model::ensemble::{Ensemble, FoldModel};
use crate::model::features::Featurizer;
use crate::model::params::TrainParams;
use crate::model::validation::Evaluation;
use crate::passenger::Passenger;
use crate::tracking::{tolerate, Tracker};
use pipeline_dsl::prelude::*;
use pipeline_remote::mlflow::{MlflowError, RunTag};
use pipeline_remote::{S3Client, S3Url};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where `publish` also uploads `model.json`: nowhere (`""`, the artifact store only) or an
/// S3 object `s3://bucket/key` (endpoint and credentials from the `AWS_*` variables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(
    with = "String",
    extend("pattern" = "^$|^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$")
)]
pub struct ModelTarget(pub Option<S3Url>);

impl TryFrom<String> for ModelTarget {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "" => Ok(ModelTarget(None)),
            t => {
                let url: S3Url = t.parse().map_err(|e| format!("model target {e}"))?;
                if url.key.is_empty() || url.key.ends_with('/') {
                    return Err(format!(
                        "model target `{t}` names no object: use s3://bucket/key"
                    ));
                }
                Ok(ModelTarget(Some(url)))
            }
        }
    }
}

impl From<ModelTarget> for String {
    fn from(target: ModelTarget) -> String {
        target.0.map(|url| url.to_string()).unwrap_or_default()
    }
}

/// What `publish` produces.
#[derive(Outputs)]
pub struct PublishOutputs {
    /// `model.json`: fold featurizers, fold ensemble weights, metrics and provenance.
    pub model: Model<ModelBundle>,
    /// The bundle's model card drawn for the run report: data, features, validation scheme,
    /// metrics with their spread, known limits.
    pub model_card: Png,
}

/// Bundles the fold featurizers, the fold ensemble (trained on the development passengers, the
/// exact model the held-out figures describe), its out-of-fold metrics and its model card with
/// the repeated cross-validation and held-out figures into `model.json`, so serving applies
/// exactly the training transform, and uploads it to `target` when one is given. The pipeline
/// runs it only when the evaluation clears the accuracy threshold. Never cached (its uploads are
/// side effects): every run that clears the threshold publishes again, and identical inputs give
/// a byte-identical `model.json`.
///
/// # Parameters
/// - `fold_seed`: seed of the fold assignment (recorded as provenance).
/// - `params`: the hyper-parameters the folds were trained with (recorded as provenance).
/// - `target`: `""`, or `s3://bucket/key` to upload `model.json` to.
/// - `mlflow_run`: the workflow's MLflow run (from `track-run`; `""` when tracking is off).
///   With one, `model.json` is logged to it under `model/` and registered as a new version of
///   `registered_model`.
/// - `registered_model`: the Model Registry name the bundle is registered under.
/// - `model_alias`: `""`, or an alias (e.g. `champion`) to point at the new version.
/// - `require_tracking`: fail (instead of warn) when the registry cannot be reached.
#[allow(clippy::too_many_arguments)]
#[component(
    retries = 2,
    backoff = "10s",
    retry_policy = "Always",
    cpu = "250m",
    memory = "256Mi",
    cache = false
)]
pub fn publish(
    development: Input<Dataset<Passenger>>,
    featurizer: Input<Json<Vec<Featurizer>>>,
    models: Input<Collection<Json<FoldModel>>>,
    evaluation: Input<Json<Evaluation>>,
    fold_seed: u64,
    params: TrainParams,
    target: ModelTarget,
    mlflow_run: String,
    registered_model: String,
    model_alias: String,
    require_tracking: bool,
) -> Result<PublishOutputs> {
    let folds = models.0.into_items().into_iter().map(Json::into_inner);
    let Evaluation {
        out_of_fold,
        validation,
    } = evaluation.0.into_inner();
    let mut bundle = ModelBundle::assemble(
        development.rows(),
        featurizer.0.into_inner(),
        Ensemble {
            folds: folds.collect(),
        },
        out_of_fold,
        fold_seed,
        &params,
    )?;
    bundle.card = bundle.card.with_validation(validation);
    bundle.check()?;
    let json = format!("{}\n", bundle.to_json()?); // the same bytes as the artifact
    if let ModelTarget(Some(url)) = &target {
        S3Client::from_env()?.put(url, json.as_bytes())?;
        tracing::info!(%url, "uploaded model.json");
    }
    if !mlflow_run.is_empty() {
        let registry = Registration {
            run_id: &mlflow_run,
            model: &registered_model,
            alias: &model_alias,
        };
        let registered = Tracker::from_env().and_then(|t| match t {
            Some(t) => registry.register(&t, json.as_bytes()).map(Some),
            None => Ok(None),
        });
        if let Some(Some(version)) = tolerate("register the model", require_tracking, registered)? {
            println!("registered {registered_model} version {version} in MLflow");
        }
    }
    Ok(PublishOutputs {
        model_card: Png(crate::model::card_png::card_png(&bundle.card)?),
        model: Model(bundle),
    })
}

/// Where `publish` registers the bundle in MLflow.
struct Registration<'a> {
    run_id: &'a str,
    model: &'a str,
    alias: &'a str,
}

impl Registration<'_> {
    /// Logs `model.json` under `model/` of the run, registers that directory as a new version of
    /// the registered model (once per run: a retry reuses the version), points the alias at it,
    /// and returns the version.
    fn register(&self, tracker: &Tracker, json: &[u8]) -> Result<String, MlflowError> {
        let mlflow = &tracker.client;
        let run = mlflow.get_run(self.run_id)?.info;
        mlflow.log_artifact(&run, "model/model.json", json)?;
        mlflow.create_registered_model(self.model)?;
        let source = format!("{}/model", run.artifact_uri.trim_end_matches('/'));
        // A retried publish finds the version its earlier attempt registered.
        let earlier = mlflow
            .model_versions_of_run(&run.run_id)?
            .into_iter()
            .find(|v| v.name == self.model && v.source == source);
        let version = match earlier {
            Some(version) => version,
            None => mlflow.create_model_version(self.model, &source, &run.run_id)?,
        };
        if !self.alias.is_empty() {
            mlflow.set_alias(self.model, self.alias, &version.version)?;
        }
        let tags = [
            RunTag::new("registered_model", self.model),
            RunTag::new("registered_version", &version.version),
        ];
        mlflow.log_batch(&run.run_id, &[], &[], &tags)?;
        Ok(version.version)
    }
}
