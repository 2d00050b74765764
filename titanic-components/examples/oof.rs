//! Out-of-fold benchmark on the 891 bundled passengers.
//!
//! Mean OOF accuracy (threshold 0.5) and ROC AUC over five stratified 5-fold splits with
//! different fold seeds, plus the wall time of training all folds of one split.
//!
//! `cargo run --release --example oof [-- [baseline] [JSON TrainParams]]`, or `bench/titanic.sh`.

use std::time::Instant;
use titanic_components::model::cv::cross_validate;
use titanic_components::model::features::FeatureSet;
use titanic_components::model::metrics::{roc_auc, ConfusionMatrix};
use titanic_components::model::params::TrainParams;
use titanic_components::passenger::bundled;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let set = if args.iter().any(|a| a == "baseline") {
        FeatureSet::Baseline
    } else {
        FeatureSet::Engineered
    };
    let params: TrainParams = match args.iter().find(|a| a.starts_with('{')) {
        Some(j) => serde_json::from_str(j)?,
        None => TrainParams::default(),
    };
    let rows = bundled()?;
    println!(
        "features: {set:?}; params: {}",
        serde_json::to_string(&params)?
    );
    let (mut accs, mut aucs, mut times) = (Vec::new(), Vec::new(), Vec::new());
    for fold_seed in 1..=5u64 {
        let t = Instant::now();
        let cv = cross_validate(&rows, 5, fold_seed, &params, set)?;
        let secs = t.elapsed().as_secs_f64();
        let acc = ConfusionMatrix::new(&cv.labels, &cv.oof, 0.5)?
            .accuracy()
            .unwrap_or(0.0);
        let auc = roc_auc(&cv.labels, &cv.oof)?;
        let epochs: Vec<usize> = cv
            .folds
            .iter()
            .flat_map(|f| f.curves.iter().map(|c| c.valid.len()))
            .collect();
        println!("fold seed {fold_seed}: accuracy {acc:.4}  roc_auc {auc:.4}  5-fold train {secs:.3} s  epochs {epochs:?}");
        accs.push(acc);
        aucs.push(auc);
        times.push(secs);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let std =
        |v: &[f64]| (v.iter().map(|x| (x - mean(v)).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
    println!(
        "MEAN over 5 fold seeds: accuracy {:.4} (sd {:.4})  roc_auc {:.4} (sd {:.4})  train time per 5 folds: first {:.3} s, mean {:.3} s",
        mean(&accs), std(&accs), mean(&aucs), std(&aucs), times[0], mean(&times)
    );
    Ok(())
}
