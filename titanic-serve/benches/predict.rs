//! Where a `/predict` request's time goes: plain timing of the handler and of its pieces on a
//! bundle the pipeline produced (not a test; prints its figures).
//!
//! `cargo bench --workspace --bench predict` (or run the built binary with `--bench`). The bundle is
//! `$TITANIC_MODEL`, or one trained with `titanic run` (the sibling binary) into the target's
//! temporary directory. Each figure is the median over 7 rounds of the mean time per call.

use bytes::Bytes;
use serde_json::Value;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use titanic_serve::{app, beacon, demo, fields, metrics, routes, source};
use warp::http::Method;

const DEMO: &str = r#"{"PassengerId":892,"Name":"Kelly, Mr. James","Pclass":3,"Age":34.5,"SibSp":0,"Parch":0,"Fare":7.8292,"Sex":"male","Embarked":"Q"}"#;

/// Nanoseconds per call of `f`: the median over rounds of `iters` calls each.
fn time(iters: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    let mut rounds: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[3]
}

fn report(label: &str, ns: f64, whole: f64) {
    println!(
        "{label:<44} {:>9.2} us  {:>5.1}% of the handler",
        ns / 1e3,
        100.0 * ns / whole
    );
}

/// `model.json` from a fresh `titanic run` (the pipeline's bundle).
fn trained_model() -> PathBuf {
    if let Some(p) = std::env::var_os("TITANIC_MODEL") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("own path");
    let bin = exe.parent().and_then(Path::parent).expect("target dir");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-predict-model");
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(bin.join("titanic"))
        .args(["run", "--artifacts"])
        .arg(&dir)
        .output()
        .expect("run titanic (build the workspace's binaries first)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = std::fs::read_dir(dir.join("runs")).expect("runs");
    let run = runs.flatten().next().expect("one run").path();
    let summary: Value =
        serde_json::from_slice(&std::fs::read(run.join("run.json")).expect("run.json")).unwrap();
    let steps = summary["steps"].as_array().expect("steps");
    let publish = steps
        .iter()
        .find(|s| s["task"] == "publish")
        .expect("publish");
    PathBuf::from(
        publish["artifacts"][0]["path"]
            .as_str()
            .expect("model path"),
    )
}

fn main() {
    let path = trained_model();
    let src = source::ModelSource::File(path.clone());
    let model = Arc::new(src.load().expect("a good bundle"));
    let bundle = &model.bundle;
    println!(
        "bundle {} ({}): {} folds x {} networks, {} features",
        path.display(),
        model.version,
        bundle.ensemble.folds.len(),
        bundle.ensemble.folds[0].members.len(),
        bundle.feature_names.len()
    );
    let body = DEMO.as_bytes();
    let value: Value = serde_json::from_slice(body).unwrap();
    let passenger = fields::passenger_from_object(&value).unwrap();
    let features: Vec<Vec<f32>> = bundle
        .featurizers
        .iter()
        .map(|f| f.transform(&passenger))
        .collect();

    // The whole handler as warp calls it, on a real App (beacon writer thread into a temp dir).
    let dir = tempfile::tempdir().unwrap();
    let rotation = beacon::Rotation {
        max_bytes: 1 << 30,
        keep: 1,
    };
    let (b, writer) = beacon::start(dir.path(), rotation, Vec::new()).unwrap();
    let state = Arc::new(app::App::new(
        src.load().unwrap(),
        metrics::Metrics::new().unwrap(),
        b.clone(),
        src,
        "titanic".into(),
        1 << 20,
        std::time::Duration::from_secs(30),
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let call = |route: &'static str, body: &'static [u8]| {
        let state = Arc::clone(&state);
        async move {
            let method = if body.is_empty() {
                Method::GET
            } else {
                Method::POST
            };
            let stream =
                futures_util::stream::iter([Ok::<_, warp::Error>(Bytes::from_static(body))]);
            let r = routes::handle(state, method, route, Some(body.len() as u64), stream).await;
            black_box(r.ok());
        }
    };
    let iters = 20_000;
    let handler = time(iters, || rt.block_on(call("/predict", body)));
    let health = time(iters, || rt.block_on(call("/health", b"")));
    println!(
        "handler /predict (demo body)                 {:>9.2} us",
        handler / 1e3
    );
    println!(
        "handler /health                              {:>9.2} us",
        health / 1e3
    );
    println!("-- pieces of /predict --");
    report(
        "parse JSON body (serde_json::Value)",
        time(iters, || {
            black_box(serde_json::from_slice::<Value>(black_box(body)).ok());
        }),
        handler,
    );
    report(
        "passenger from the object (validate)",
        time(iters, || {
            black_box(fields::passenger_from_object(black_box(&value)).ok());
        }),
        handler,
    );
    report(
        "bundle.predict_proba (all folds)",
        time(iters, || {
            black_box(bundle.predict_proba(black_box(&passenger)).ok());
        }),
        handler,
    );
    report(
        "  featurize, all folds (transform each)",
        time(iters, || {
            for f in &bundle.featurizers {
                black_box(f.transform(black_box(&passenger)));
            }
        }),
        handler,
    );
    let mut x = Vec::new();
    report(
        "  featurize, all folds, shared Prepared",
        time(iters, || {
            let q = titanic_model::prepared::Prepared::new(black_box(&passenger));
            for f in &bundle.featurizers {
                f.transform_into(&q, &mut x);
                black_box(&x);
            }
        }),
        handler,
    );
    report(
        "  MLP forwards, all folds",
        time(iters, || {
            for (fold, x) in bundle.ensemble.folds.iter().zip(&features) {
                black_box(fold.predict_proba(black_box(x)).ok());
            }
        }),
        handler,
    );
    report(
        "demo::predict (score + envelope encode)",
        time(iters, || {
            black_box(demo::predict(
                &model,
                Ok(black_box(&value)),
                false,
                Instant::now(),
            ));
        }),
        handler,
    );
    let answer = demo::predict(&model, Ok(&value), false, Instant::now());
    let mut line = Vec::new();
    report(
        "beacon record encode (writer thread)",
        time(iters, || {
            let record = beacon::Record {
                time: std::time::SystemTime::now(),
                method: Method::POST,
                route: "/predict",
                path: None,
                status: 200,
                latency_ms: 0.123,
                model_version: model.version.clone(),
                inputs: beacon::Json::Text(body.to_vec()),
                output: answer.output.clone(),
            };
            line.clear();
            black_box(record.encode(&[], &mut line).ok());
        }),
        handler,
    );
    report(
        "metrics observe (counter + histogram)",
        time(iters, || {
            state.metrics.observe(black_box("/predict"), 200, 0.000_5);
        }),
        handler,
    );
    drop(rt);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let lines = rt.block_on(b.stop(writer)).unwrap();
    println!("beacon lines written: {lines}");
}
