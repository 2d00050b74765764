use super::*;

fn score(a: f64) -> Score {
    Score {
        accuracy: a,
        roc_auc: a + 0.05,
        brier: 1.0 - a,
    }
}

#[test]
fn figures_name_every_metric_once() {
    let spread = |a| ScoreSpread::of(&[score(a), score(a + 0.02)]);
    let v = Validation {
        development_rows: 600,
        held_out_rows: 300,
        holdout_seed: 1,
        folds: 5,
        fold_seeds: vec![1, 2],
        cv: ByFields {
            all_fields: spread(0.8),
            demo_fields: spread(0.7),
        },
        held_out: ByFields {
            all_fields: score(0.9),
            demo_fields: score(0.6),
        },
    };
    let f = v.figures("-");
    assert_eq!(f.len(), 18);
    let get = |n: &str| f.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
    assert!((get("cv-accuracy-all-fields-mean").unwrap() - 0.81).abs() < 1e-12);
    assert!((get("cv-roc-auc-demo-fields-sd").unwrap() - 0.01).abs() < 1e-12);
    assert_eq!(get("held-out-brier-demo-fields"), Some(1.0 - 0.6));
    assert_eq!(get("held-out-accuracy-all-fields"), Some(0.9));
    assert!(v
        .figures("_")
        .iter()
        .any(|(k, _)| k == "held_out_roc_auc_all_fields"));
}
