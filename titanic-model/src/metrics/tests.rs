use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn confusion_and_ratios_by_hand() {
    let m = ConfusionMatrix::new(&[1, 1, 0, 0, 1], &[0.9, 0.4, 0.6, 0.1, 0.5], 0.5).unwrap();
    assert_eq!(
        m,
        ConfusionMatrix {
            tp: 2,
            fp: 1,
            tn: 1,
            fn_: 1
        }
    );
    assert!(close(m.accuracy().unwrap(), 0.6));
    assert!(close(m.precision().unwrap(), 2.0 / 3.0));
    assert!(close(m.recall().unwrap(), 2.0 / 3.0));
    assert!(close(m.f1().unwrap(), 2.0 / 3.0));
}

#[test]
fn undefined_ratios_are_none() {
    // Nothing predicted positive: precision and F1 undefined, recall 0.
    let m = ConfusionMatrix::new(&[1, 0], &[0.1, 0.2], 0.5).unwrap();
    assert_eq!((m.precision(), m.recall(), m.f1()), (None, Some(0.0), None));
    // No actual positive: recall undefined.
    let m = ConfusionMatrix::new(&[0, 0], &[0.9, 0.2], 0.5).unwrap();
    assert_eq!((m.precision(), m.recall()), (Some(0.0), None));
    // Everything wrong but defined: F1 is 0.
    let m = ConfusionMatrix::new(&[1, 0], &[0.1, 0.9], 0.5).unwrap();
    assert_eq!(m.f1(), Some(0.0));
    assert_eq!(ConfusionMatrix::default().accuracy(), None);
}

#[test]
fn roc_auc_and_average_precision_by_hand() {
    let (y, s) = ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    assert!(close(roc_auc(&y, &s).unwrap(), 0.75));
    assert!(close(
        average_precision(&y, &s).unwrap(),
        (0.5 * 1.0) + (0.5 * 2.0 / 3.0)
    ));
    assert_eq!(
        roc_curve(&y, &s).unwrap(),
        vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]
    );
    let pr = pr_curve(&y, &s).unwrap();
    assert_eq!(pr.first(), Some(&(0.0, 1.0)));
    assert_eq!(pr.last(), Some(&(1.0, 0.5)));
    // Perfect and inverted rankings.
    assert!(close(roc_auc(&[0, 1], &[0.2, 0.7]).unwrap(), 1.0));
    assert!(close(roc_auc(&[0, 1], &[0.7, 0.2]).unwrap(), 0.0));
}

#[test]
fn ties_count_one_half() {
    assert!(close(roc_auc(&[0, 1], &[0.5, 0.5]).unwrap(), 0.5));
    let (y, s) = ([0, 1, 1, 0], [0.2, 0.6, 0.6, 0.6]);
    assert!(close(roc_auc(&y, &s).unwrap(), 0.75));
    assert!(close(average_precision(&y, &s).unwrap(), 2.0 / 3.0));
    // A constant scorer is chance level whatever the class balance.
    assert!(close(roc_auc(&[0, 0, 0, 1], &[0.3; 4]).unwrap(), 0.5));
    assert!(close(
        average_precision(&[0, 0, 0, 1], &[0.3; 4]).unwrap(),
        0.25
    ));
}

#[test]
fn degenerate_inputs_are_errors_not_panics() {
    assert_eq!(roc_auc(&[], &[]), Err(MetricsError::Empty));
    assert_eq!(
        roc_auc(&[1, 1], &[0.2, 0.3]),
        Err(MetricsError::SingleClass { positives: 2, n: 2 })
    );
    assert!(matches!(
        average_precision(&[0, 0], &[0.2, 0.3]),
        Err(MetricsError::SingleClass { .. })
    ));
    assert!(matches!(
        roc_curve(&[0], &[0.2]),
        Err(MetricsError::SingleClass { .. })
    ));
    assert!(matches!(
        pr_curve(&[1], &[0.2]),
        Err(MetricsError::SingleClass { .. })
    ));
    assert!(matches!(
        roc_auc(&[0, 1], &[0.2]),
        Err(MetricsError::LengthMismatch { .. })
    ));
    assert_eq!(
        roc_auc(&[0, 2], &[0.2, 0.3]),
        Err(MetricsError::BadLabel { index: 1, value: 2 })
    );
    assert_eq!(
        roc_auc(&[0, 1], &[0.2, f64::NAN]),
        Err(MetricsError::NonFinite(1))
    );
    assert_eq!(
        ConfusionMatrix::new(&[], &[], 0.5),
        Err(MetricsError::Empty)
    );
    assert!(MetricsSummary::compute(&[1, 1], &[0.9, 0.8], 0.5).is_err());
}

#[test]
fn log_loss_and_summary() {
    assert!(close(
        log_loss(&[1, 0], &[0.5, 0.5]).unwrap(),
        std::f64::consts::LN_2
    ));
    assert!(log_loss(&[1, 0], &[0.0, 1.0]).unwrap().is_finite());
    let s = MetricsSummary::compute(&[0, 0, 1, 1], &[0.1, 0.4, 0.35, 0.8], 0.5).unwrap();
    assert_eq!((s.n, s.confusion.tp, s.confusion.tn), (4, 1, 2));
    assert!(close(s.accuracy, 0.75) && close(s.roc_auc, 0.75));
    let back: MetricsSummary = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn brier_and_reliability() {
    let y = [1, 0, 1, 0];
    let p = [0.9, 0.1, 0.6, 0.3];
    let b = brier(&y, &p).unwrap();
    assert!((b - (0.01 + 0.01 + 0.16 + 0.09) / 4.0).abs() < 1e-12);
    assert_eq!(brier(&y, &[0.5; 4]).unwrap(), 0.25);
    let r = reliability(&y, &p, 2).unwrap();
    assert_eq!(r.len(), 2);
    assert!((r[0].0 - 0.2).abs() < 1e-12 && r[0].1 == 0.0 && r[0].2 == 2);
    assert!((r[1].0 - 0.75).abs() < 1e-12 && r[1].1 == 1.0 && r[1].2 == 2);
    assert!(brier(&y, &p[..3]).is_err());
}
