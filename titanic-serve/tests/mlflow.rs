//! Serving from MLflow, against a real `mlflow server` on loopback (`testkit`): the pipeline
//! registers two versions, the server loads `models:/NAME@ALIAS`, `models:/NAME/VERSION` and
//! `runs:/RUN/PATH`, and with `--watch` follows the alias when it is moved (promotion) with no
//! restart. A server that cannot resolve the model refuses to start with one line.

mod common;
use common::{refused, serve_bin, sibling, Server};
use pipeline_remote::mlflow::{MlflowClient, MlflowConfig, ModelUri};
use std::process::Command;
use std::time::{Duration, Instant};
use testkit::Service;
use titanic_serve::source::version_of;

const DEMO: &str = r#"{"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,"SibSp":0,"Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"}"#;

/// `titanic run` with tracking on `uri`; panics with its output when it fails.
fn tracked_run(uri: &str, params: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(sibling("titanic"));
    // The steps read MLFLOW_* from the Secret `mlops-titanic-mlflow`: filled from this env.
    cmd.args(["run", "--secrets-from-env", "--artifacts"])
        .arg(dir.path());
    for p in params {
        cmd.args(["--param", p]);
    }
    let out = cmd
        .env("MLFLOW_TRACKING_URI", uri)
        .env("MLFLOW_EXPERIMENT_NAME", "serve-e2e")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The model version a running server reports on `/ready`.
fn served(s: &Server) -> String {
    s.get("/ready").1["version"].as_str().unwrap().to_owned()
}

#[test]
fn serves_by_alias_version_and_run_and_follows_a_promotion() {
    let Some(mlflow) = Service::mlflow() else {
        return;
    };
    let uri = mlflow.url();
    // Two nightly runs: the first registers version 1 and points `champion` at it, the second
    // (another fold seed, so another model) registers version 2 without moving the alias.
    tracked_run(&uri, &["model_alias=champion"]);
    tracked_run(&uri, &["fold_seed=7"]);
    let client = MlflowClient::new(MlflowConfig::new(&uri).unwrap()).unwrap();
    let fetch = |text: &str| {
        let uri: ModelUri = text.parse().unwrap();
        client.fetch_model(&uri, "model.json").unwrap()
    };
    let (v1, _) = fetch("models:/mlops-titanic/1");
    let (v2, meta2) = fetch("models:/mlops-titanic/2");
    let (v1, v2) = (version_of(&v1), version_of(&v2));
    assert_ne!(v1, v2, "the two runs trained different models");
    let env = [("MLFLOW_TRACKING_URI", uri.clone())];

    let pinned = Server::start_with(
        &serve_bin(),
        &["--host", "127.0.0.1", "--model", "models:/mlops-titanic/1"],
        &env,
    );
    assert_eq!(served(&pinned), v1);
    let run = format!("runs:/{}/model/model.json", meta2.unwrap().run_id);
    let by_run = Server::start_with(
        &serve_bin(),
        &["--host", "127.0.0.1", "--model", &run],
        &env,
    );
    assert_eq!(served(&by_run), v2);

    let champion = Server::start_with(
        &serve_bin(),
        &[
            "--host",
            "127.0.0.1",
            "--model",
            "models:/mlops-titanic@champion",
            "--watch",
            "1",
        ],
        &env,
    );
    assert_eq!(served(&champion), v1);
    let (status, before) = champion.post("/predict", DEMO.as_bytes());
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["metadata"]["version"], v1.as_str());

    // Promotion, as a person does it in the UI: the alias moves to version 2.
    client.set_alias("mlops-titanic", "champion", "2").unwrap();
    let started = Instant::now();
    while served(&champion) != v2 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not follow the alias to version 2"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, after) = champion.post("/predict", DEMO.as_bytes());
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["metadata"]["version"], v2.as_str());
    let (_, metrics) = champion.get_text("/metrics");
    assert!(
        metrics.contains("titanic_model_reloads_total{result=\"ok\"} 1"),
        "{metrics}"
    );

    // An alias nobody set: one clear line naming the model, exit 1.
    let (code, err) = refused(&["--model", "models:/mlops-titanic@nobody"], &env);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("models:/mlops-titanic@nobody"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // No tracking server named: the same, saying what to set.
    let (code, err) = refused(&["--model", "models:/mlops-titanic@champion"], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("MLFLOW_TRACKING_URI"), "{err}");
}
