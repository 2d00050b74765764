//! The MLflow client against a real `mlflow server` (PyPI `mlflow`) on a loopback port with a
//! sqlite store and `--serve-artifacts`, started and stopped by `testkit`.

use std::time::{Duration, Instant};

use pipeline_remote::mlflow::{
    Metric, MlflowClient, MlflowConfig, MlflowError, ModelUri, Param, RetryPolicy, RunStatus,
    RunTag,
};
use testkit::Service;

/// A client for `server` that gives up quickly.
fn client(server: &Service) -> MlflowClient {
    let retry = RetryPolicy {
        attempts: 2,
        first_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    };
    MlflowClient::with_retry(MlflowConfig::new(&server.url()).unwrap(), retry).unwrap()
}

/// The whole tracking and registry surface, read back through MLflow's API: one server start.
#[test]
fn tracking_registry_and_model_uris_against_a_real_server() {
    let Some(server) = Service::mlflow() else {
        return;
    };
    let mlflow = client(&server);

    // Eight clients race to create the same experiment: all get the winner.
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let c = client(&server);
                s.spawn(move || c.get_or_create_experiment("race").unwrap().experiment_id)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");

    // A parent and a child run; more metrics, params and tags than one log-batch call takes.
    let exp = mlflow.get_or_create_experiment("titanic-test").unwrap();
    let parent = mlflow
        .create_run(&exp, "wf-1", &[RunTag::new("workflow", "wf-1")])
        .unwrap();
    let child = mlflow
        .create_run(
            &exp,
            "fold-0",
            &[RunTag::new("mlflow.parentRunId", &parent.run_id)],
        )
        .unwrap();
    let metrics: Vec<Metric> = (0..2_345)
        .map(|i| Metric {
            key: "train_loss".into(),
            value: 1.0 / (i + 1) as f64,
            timestamp: 1_700_000_000_000 + i,
            step: i,
        })
        .collect();
    let params: Vec<Param> = (0..150)
        .map(|i| Param::new(format!("p{i}"), i.to_string()))
        .collect();
    let long = Param::new("long", "x".repeat(6_000));
    mlflow
        .log_batch(
            &child.run_id,
            &metrics,
            &[params.clone(), vec![long]].concat(),
            &[RunTag::new("k", "v")],
        )
        .unwrap();
    let history = mlflow.metric_history(&child.run_id, "train_loss").unwrap();
    assert_eq!(history.len(), 2_345);
    let mut steps: Vec<i64> = history.iter().map(|m| m.step).collect();
    steps.sort();
    assert_eq!(steps, (0..2_345).collect::<Vec<_>>());
    let read = mlflow.get_run(&child.run_id).unwrap();
    assert_eq!(read.data.params.len(), 151);
    assert_eq!(read.param("p149"), Some("149"));
    assert_eq!(read.param("long").map(str::len), Some(6_000));
    assert_eq!(read.tag("mlflow.parentRunId"), Some(parent.run_id.as_str()));
    assert_eq!(read.metric("train_loss"), Some(1.0 / 2_345.0));
    let children = mlflow
        .search_runs(
            &[&exp.experiment_id],
            &format!("tags.mlflow.parentRunId = '{}'", parent.run_id),
        )
        .unwrap();
    assert_eq!(children.len(), 1);
    assert_eq!(children[0].info.run_id, child.run_id);

    // A parameter value MLflow cannot store is refused before anything is sent.
    let too_long = mlflow
        .log_batch(
            &child.run_id,
            &[],
            &[Param::new("huge", "y".repeat(6_001))],
            &[],
        )
        .unwrap_err();
    assert!(
        too_long.to_string().contains("`huge` has 6001 characters"),
        "{too_long}"
    );

    // Artifacts through the proxy, byte for byte.
    let blob: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    mlflow
        .log_artifact(&parent, "model/model.json", &blob)
        .unwrap();
    mlflow
        .log_artifact(&parent, "plots/roc curve.png", b"png")
        .unwrap();
    let model_dir = format!("{}/model", parent.artifact_uri);
    assert_eq!(
        mlflow
            .download_artifact(&format!("{model_dir}/model.json"))
            .unwrap(),
        blob
    );

    // Registry: two versions, an alias that moves, every URI form.
    mlflow.create_registered_model("titanic").unwrap();
    mlflow.create_registered_model("titanic").unwrap(); // exists: fine
    let v1 = mlflow
        .create_model_version("titanic", &model_dir, &parent.run_id)
        .unwrap();
    mlflow
        .log_artifact(&child, "model/model.json", b"{\"v\":2}")
        .unwrap();
    let v2 = mlflow
        .create_model_version(
            "titanic",
            &format!("{}/model", child.artifact_uri),
            &child.run_id,
        )
        .unwrap();
    assert_eq!((v1.version.as_str(), v2.version.as_str()), ("1", "2"));
    let of_child = mlflow.model_versions_of_run(&child.run_id).unwrap();
    assert_eq!(of_child, vec![v2.clone()]);
    assert!(mlflow.model_versions_of_run("0' OR '1'='1").is_err());
    mlflow.set_alias("titanic", "champion", "1").unwrap();
    let champion: ModelUri = "models:/titanic@champion".parse().unwrap();
    let (bytes, version) = mlflow.fetch_model(&champion, "model.json").unwrap();
    assert_eq!(
        (bytes, version.unwrap().version),
        (blob.clone(), "1".to_string())
    );
    mlflow.set_alias("titanic", "champion", "2").unwrap();
    let (bytes, _) = mlflow.fetch_model(&champion, "model.json").unwrap();
    assert_eq!(bytes, b"{\"v\":2}");
    let (bytes, _) = mlflow
        .fetch_model(&"models:/titanic/1".parse().unwrap(), "model.json")
        .unwrap();
    assert_eq!(bytes, blob);
    let (bytes, version) = mlflow
        .fetch_model(
            &format!("runs:/{}/model/model.json", parent.run_id)
                .parse()
                .unwrap(),
            "model.json",
        )
        .unwrap();
    assert_eq!((bytes, version), (blob, None));

    // Ending runs; errors are one line with MLflow's code.
    mlflow.end_run(&child.run_id, RunStatus::Finished).unwrap();
    mlflow.end_run(&parent.run_id, RunStatus::Failed).unwrap();
    let ended = mlflow.get_run(&parent.run_id).unwrap();
    assert_eq!(ended.info.status, RunStatus::Failed);
    assert!(ended.info.end_time >= ended.info.start_time);
    let missing = mlflow
        .fetch_model(&"models:/titanic@nobody".parse().unwrap(), "model.json")
        .unwrap_err();
    // MLflow answers an unknown alias with INVALID_PARAMETER_VALUE, naming it.
    assert!(
        missing.to_string().contains("alias nobody not found"),
        "{missing}"
    );
    assert!(!missing.to_string().contains('\n'), "{missing}");
}

/// A server that goes away mid-run: the next call is one clear error, within bounded time.
#[test]
fn a_server_that_goes_away_is_one_error_not_a_hang() {
    let Some(mut server) = Service::mlflow() else {
        return;
    };
    let mlflow = client(&server);
    let exp = mlflow.get_or_create_experiment("gone").unwrap();
    let run = mlflow.create_run(&exp, "r", &[]).unwrap();
    server.stop();
    let started = Instant::now();
    let err = mlflow
        .end_run(&run.run_id, RunStatus::Finished)
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, MlflowError::Unreachable { .. }), "{err}");
    assert!(
        err.to_string().starts_with(&format!(
            "cannot reach MLflow at {} (POST runs/update)",
            server.url()
        )),
        "{err}"
    );
}
