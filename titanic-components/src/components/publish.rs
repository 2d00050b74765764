use crate::model::bundle::{rows_digest, ModelBundle, Provenance, FORMAT_VERSION};
use crate::model::ensemble::{Ensemble, FoldModel};
use crate::model::features::Featurizer;
use crate::model::metrics::MetricsSummary;
use crate::model::params::TrainParams;
use crate::passenger::Passenger;
use pipeline_dsl::prelude::*;

/// What `publish` produces.
#[derive(Outputs)]
pub struct PublishOutputs {
    /// `model.json`: featurizer, fold ensemble weights, metrics and provenance.
    pub model: Model<ModelBundle>,
}

/// Bundles the fitted featurizer, the fold ensemble and its out-of-fold metrics into
/// `model.json`, so serving applies exactly the training transform. The pipeline runs it only
/// when the evaluation clears the accuracy threshold.
///
/// # Parameters
/// - `fold_seed`: seed of the fold assignment (recorded as provenance).
/// - `params`: the hyper-parameters the folds were trained with (recorded as provenance).
#[component(retries = 2, backoff = "10s", cpu = "250m", memory = "256Mi")]
pub fn publish(
    passengers: Input<Dataset<Passenger>>,
    featurizer: Input<Json<Featurizer>>,
    models: Input<Collection<Json<FoldModel>>>,
    evaluation: Input<Json<MetricsSummary>>,
    fold_seed: u64,
    params: TrainParams,
) -> Result<PublishOutputs> {
    let featurizer = featurizer.0.into_inner();
    let ensemble = Ensemble {
        folds: models
            .0
            .into_items()
            .into_iter()
            .map(Json::into_inner)
            .collect(),
    };
    let evaluation = evaluation.0.into_inner();
    let bundle = ModelBundle {
        format_version: FORMAT_VERSION,
        feature_names: featurizer.feature_names().to_vec(),
        threshold: evaluation.threshold,
        provenance: Provenance {
            training_rows: passengers.len(),
            training_digest: rows_digest(passengers.rows()),
            params,
            folds: ensemble.folds.len(),
            fold_seed,
            created_by: concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION")).into(),
        },
        featurizer,
        ensemble,
        metrics: evaluation,
    };
    bundle.check()?;
    Ok(PublishOutputs {
        model: Model(bundle),
    })
}
