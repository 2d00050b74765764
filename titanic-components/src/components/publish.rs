use crate::model::bundle::ModelBundle;
use crate::model::ensemble::{Ensemble, FoldModel};
use crate::model::features::Featurizer;
use crate::model::metrics::MetricsSummary;
use crate::model::params::TrainParams;
use crate::passenger::Passenger;
use pipeline_dsl::prelude::*;
use pipeline_remote::{S3Client, S3Url};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where `publish` also uploads `model.json`: nowhere (`""`, the artifact store only) or an
/// S3 object `s3://bucket/key` (endpoint and credentials from the `AWS_*` variables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "String")]
pub struct ModelTarget(pub Option<S3Url>);

impl TryFrom<String> for ModelTarget {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        match text.as_str() {
            "" => Ok(ModelTarget(None)),
            t => t
                .parse()
                .map(|url| ModelTarget(Some(url)))
                .map_err(|e| format!("model target {e}")),
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
    /// `model.json`: featurizer, fold ensemble weights, metrics and provenance.
    pub model: Model<ModelBundle>,
}

/// Bundles the fitted featurizer, the fold ensemble and its out-of-fold metrics into
/// `model.json`, so serving applies exactly the training transform, and uploads it to
/// `target` when one is given. The pipeline runs it only when the evaluation clears the
/// accuracy threshold.
///
/// # Parameters
/// - `fold_seed`: seed of the fold assignment (recorded as provenance).
/// - `params`: the hyper-parameters the folds were trained with (recorded as provenance).
/// - `target`: `""`, or `s3://bucket/key` to upload `model.json` to.
#[component(
    retries = 2,
    backoff = "10s",
    retry_policy = "Always",
    cpu = "250m",
    memory = "256Mi"
)]
pub fn publish(
    passengers: Input<Dataset<Passenger>>,
    featurizer: Input<Json<Featurizer>>,
    models: Input<Collection<Json<FoldModel>>>,
    evaluation: Input<Json<MetricsSummary>>,
    fold_seed: u64,
    params: TrainParams,
    target: ModelTarget,
) -> Result<PublishOutputs> {
    let folds = models.0.into_items().into_iter().map(Json::into_inner);
    let bundle = ModelBundle::assemble(
        passengers.rows(),
        featurizer.0.into_inner(),
        Ensemble {
            folds: folds.collect(),
        },
        evaluation.0.into_inner(),
        fold_seed,
        &params,
    );
    bundle.check()?;
    if let ModelTarget(Some(url)) = &target {
        let json = format!("{}\n", bundle.to_json()?); // the same bytes as the artifact
        S3Client::from_env()?.put(url, json.as_bytes())?;
        tracing::info!(%url, "uploaded model.json");
    }
    Ok(PublishOutputs {
        model: Model(bundle),
    })
}
