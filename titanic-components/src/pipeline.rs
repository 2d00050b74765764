//! The Titanic survival pipeline, as the Rust compiler checks it and `build.rs` compiles it.

use crate::components::*;
use crate::model::params::TrainParams;
use pipeline_dsl::prelude::*;
use std::num::NonZeroU32;

/// Container image of the components binary (see the `Dockerfile`): `MLOPS_TITANIC_IMAGE` when it
/// is set at build time (e.g. `MLOPS_TITANIC_IMAGE=registry.example:5000/mlops-titanic/components:dev
/// cargo build` writes a `pipeline.yaml` using that image), else
/// `mlops-titanic/components:<version>` (load it into the cluster: `kind load docker-image`).
/// `titanic compile --image REF` overrides it too.
pub const IMAGE: &str = match option_env!("MLOPS_TITANIC_IMAGE") {
    Some(image) if !image.is_empty() => image,
    _ => concat!("mlops-titanic/components:", env!("CARGO_PKG_VERSION")),
};

/// The service account the pods run as; `deploy/` creates it with the executor's Role.
pub const SERVICE_ACCOUNT: &str = "mlops-titanic";

/// The whole workflow stops after this long (`spec.activeDeadlineSeconds`): two hours, far
/// above a normal run (minutes) but finite.
pub const ACTIVE_DEADLINE_SECONDS: u64 = 2 * 60 * 60;

/// Number of stratified folds; each is its own parallel task (a static fan-out).
pub const FOLDS: u32 = 5;

/// Number of fold seeds of the repeated cross-validation (the first one's fold models are
/// published).
pub const CV_REPEATS: NonZeroU32 = NonZeroU32::new(5).expect("not zero");

/// Share of the labelled passengers held out like Kaggle's test set (418 of 1309 passengers).
pub const HOLDOUT_FRACTION: f64 = 418.0 / 1309.0;

/// The Kubernetes Secret holding the S3 settings of the steps that read or write S3 directly
/// (`ingest` from `s3://`, `publish` to `model_target`), one key per `AWS_*` variable. It is
/// optional: without it those steps run with no S3 settings.
pub const S3_SECRET: &str = "mlops-titanic-s3";

/// The Kubernetes Secret holding the MLflow settings of the steps that log to it (`track-run`,
/// `publish`, the exit handler), one key per variable. Optional: without it (or without its
/// `MLFLOW_TRACKING_URI` key) tracking is off.
pub const MLFLOW_SECRET: &str = "mlops-titanic-mlflow";

/// The variables of the S3 Secret.
const S3_VARS: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
];

/// The variables of the MLflow Secret (MLflow's own names).
const MLFLOW_VARS: [&str; 5] = [
    "MLFLOW_TRACKING_URI",
    "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_EXPERIMENT_NAME",
];

/// `task` with each of `vars` from the optional Secret `secret` (key = variable name).
fn with_secret_env<T: Copy>(task: Task<T>, secret: &str, vars: &[&str]) -> Task<T> {
    vars.iter()
        .fold(task, |task, var| task.optional_secret_env(var, secret, var))
}

fn with_s3_settings<T: Copy>(task: Task<T>) -> Task<T> {
    with_secret_env(task, S3_SECRET, &S3_VARS)
}

fn with_mlflow_settings<T: Copy>(task: Task<T>) -> Task<T> {
    with_secret_env(task, MLFLOW_SECRET, &MLFLOW_VARS)
}

/// The Titanic pipeline: ingest -> split off a Kaggle-like held-out part -> featurize the
/// development part fold by fold, for several fold seeds -> train one MLP ensemble per
/// stratified fold (every fold seed), in parallel -> evaluate (repeated CV, then the held-out
/// part once, each with all and with demo fields) -> publish `model.json` if accuracy clears
/// the threshold; the exit handler reports the outcome.
pub fn pipeline() -> Pipeline {
    let p = Pipeline::new("titanic")
        .description(
            "Titanic survival: ingest, hold out, featurize, k-fold MLP ensemble (burn), evaluate, publish",
        )
        .image(IMAGE)
        .command(&["titanic"])
        .service_account(SERVICE_ACCOUNT)
        .active_deadline_seconds(ACTIVE_DEADLINE_SECONDS)
        // Succeeded pods go at once; failed ones stay for `kubectl logs` until the Workflow
        // object itself is deleted (a day after success, a week after failure).
        .pod_gc(PodGc::OnPodSuccess)
        .ttl(Ttl {
            after_success: Some(24 * 60 * 60),
            after_failure: Some(7 * 24 * 60 * 60),
            after_completion: None,
        })
        .label("app.kubernetes.io/part-of", "mlops-titanic");
    let source = p.param_described(
        "source",
        Source::Bundled,
        "`bundled` or the path of a Kaggle-format CSV",
    );
    let fold_seed = p.param_described(
        "fold_seed",
        42u64,
        "seed of the published ensemble's fold assignment (the repeated CV adds seeds after it)",
    );
    let cv_repeats = p.param_described(
        "cv_repeats",
        CV_REPEATS,
        "fold seeds of the repeated cross-validation (mean and spread)",
    );
    let holdout_fraction = p.param_described(
        "holdout_fraction",
        HoldoutFraction::new(HOLDOUT_FRACTION).expect("in (0, 1)"),
        "share of passengers held out and scored once at the end (Kaggle: 418/1309)",
    );
    let holdout_seed = p.param_described("holdout_seed", 2026u64, "seed of the held-out split");
    let threshold = p.param_described(
        "threshold",
        Threshold::new(0.80).expect("a fraction"),
        "minimum out-of-fold accuracy of the published ensemble to publish",
    );
    let params = p.param_described(
        "train_params",
        TrainParams::default(),
        "MLP hyper-parameters",
    );
    let model_target = p.param_described(
        "model_target",
        ModelTarget::default(),
        "also upload model.json to this s3://bucket/key (empty: the artifact store only)",
    );
    let registered_model = p.param_described(
        "registered_model",
        String::from("mlops-titanic"),
        "MLflow Model Registry name of the published model (when tracking is on)",
    );
    let model_alias = p.param_described(
        "model_alias",
        String::new(),
        "MLflow alias to point at the new version, e.g. champion (empty: none)",
    );
    let require_tracking = p.param_described(
        "require_tracking",
        false,
        "fail instead of warn when MLFLOW_TRACKING_URI is set but MLflow cannot be reached",
    );

    let ingested = with_s3_settings(p.add(Ingest { source }));
    let split = p.add(Split {
        passengers: ingested.passengers,
        fraction: holdout_fraction,
        seed: holdout_seed.clone(),
    });
    let featurized = p.add(Featurize {
        passengers: split.development,
        folds: FOLDS.into(),
        fold_seed: fold_seed.clone(),
        repeats: cv_repeats,
    });
    let trained = p.fan_out(0..FOLDS, |fold| TrainFold {
        features: featurized.features,
        fold,
        params: params.clone(),
    });
    let models = trained.gather(|t| t.model);
    let evaluated = p.add(Evaluate {
        models,
        predictions: trained.gather(|t| t.predictions),
        features: featurized.features,
        featurizer: featurized.featurizer,
        held_out: split.held_out,
        holdout_seed,
    });
    let tracked = with_mlflow_settings(p.add(TrackRun {
        models,
        evaluation: evaluated.evaluation,
        roc_curve: evaluated.roc_curve,
        pr_curve: evaluated.pr_curve,
        confusion_matrix: evaluated.confusion_matrix,
        loss_curves: evaluated.loss_curves,
        feature_importance: evaluated.feature_importance,
        reliability: evaluated.reliability,
        workflow: p.workflow_name(),
        fold_seed: fold_seed.clone(),
        threshold: threshold.clone(),
        params: params.clone(),
        require_tracking: require_tracking.clone(),
    }));
    let published = with_s3_settings(p.add(Publish {
        development: split.development,
        featurizer: featurized.featurizer,
        models,
        evaluation: evaluated.evaluation,
        fold_seed: fold_seed.clone(),
        params: params.clone(),
        target: model_target,
        mlflow_run: tracked.run_id.into(),
        registered_model,
        model_alias,
        require_tracking,
    }))
    .when(evaluated.accuracy.ge(threshold.widen()));
    with_mlflow_settings(published);
    with_mlflow_settings(p.on_exit(ReportStatus {
        workflow: p.workflow_name(),
        status: p.workflow_status(),
        failures: p.workflow_failures(),
    }));
    p
}
