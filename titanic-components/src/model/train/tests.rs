use super::*;

/// A small separable-ish problem: label = x0 + 0.5 x1 > 0 (with a few flips).
fn toy(n: usize) -> (Vec<Vec<f32>>, Vec<f32>) {
    let mut rng = SplitMix64::new(3);
    let x: Vec<Vec<f32>> = (0..n)
        .map(|_| (0..4).map(|_| rng.uniform(-1.0, 1.0)).collect())
        .collect();
    let y = x
        .iter()
        .enumerate()
        .map(|(i, r)| f32::from(u8::from((r[0] + 0.5 * r[1] > 0.0) != (i % 17 == 0))))
        .collect();
    (x, y)
}

fn quick() -> TrainParams {
    TrainParams::small(8, 60, 2)
}

#[test]
fn learns_and_is_deterministic() {
    let (x, y) = toy(200);
    let train: Vec<usize> = (0..150).collect();
    let valid: Vec<usize> = (150..200).collect();
    let a = train_fold(&x, &y, &train, &valid, &quick()).unwrap();
    let b = train_fold(&x, &y, &train, &valid, &quick()).unwrap();
    assert!(
        a == b,
        "two runs must give identical weights, curves and predictions"
    );
    assert_eq!((a.members.len(), a.curves.len(), a.oof.len()), (2, 2, 50));
    let c = &a.curves[0];
    assert!(
        c.valid[c.best_epoch] < c.valid[0],
        "validation loss improved"
    );
    let acc = valid
        .iter()
        .zip(&a.oof)
        .filter(|(&i, &p)| (p > 0.5) == (y[i] == 1.0))
        .count();
    assert!(acc >= 40, "accuracy {acc}/50");
    let other = train_fold(&x, &y, &train, &valid, &TrainParams { seed: 7, ..quick() }).unwrap();
    assert!(a.members != other.members);
}

#[test]
fn plain_forward_matches_burn() {
    let (x, _) = toy(64);
    let init = MlpWeights::init(&[4, 16, 8, 1], &mut SplitMix64::new(11));
    let device = Device::flex();
    let net = BurnMlp::from_weights(&init, &device);
    assert_eq!(net.to_weights().unwrap(), init);
    let idx: Vec<usize> = (0..64).collect();
    let z = net
        .forward(matrix(&x, &idx, &device), &[])
        .into_data()
        .try_into_vec::<f32>()
        .unwrap();
    for (i, zi) in z.iter().enumerate() {
        assert!((zi - init.logit(&x[i]).unwrap()).abs() < 1e-5, "row {i}");
    }
}

#[test]
fn mini_batches_and_no_validation() {
    let (x, y) = toy(100);
    let all: Vec<usize> = (0..100).collect();
    let p = TrainParams {
        batch_size: 32,
        max_epochs: 5,
        n_seeds: 1,
        dropout: 0.0,
        ..quick()
    };
    let f = train_fold(&x, &y, &all, &[], &p).unwrap();
    assert_eq!((f.curves[0].train.len(), f.oof.len()), (5, 0));
}

#[test]
fn bad_inputs_are_errors() {
    let (x, y) = toy(10);
    let all: Vec<usize> = (0..10).collect();
    let p = quick();
    assert!(train_fold(&[], &[], &[], &[], &p).is_err());
    assert!(train_fold(&x, &y[..9], &all, &[], &p).is_err());
    assert!(train_fold(&x, &y, &[], &all, &p).is_err());
    assert!(train_fold(&x, &y, &[0, 10], &[], &p).is_err());
    let mut bad_y = y.clone();
    bad_y[0] = 0.5;
    assert!(train_fold(&x, &bad_y, &all, &[], &p).is_err());
    let mut ragged = x.clone();
    ragged[3].pop();
    assert!(train_fold(&ragged, &y, &all, &[], &p).is_err());
    let mut nan = x.clone();
    nan[2][1] = f32::NAN;
    assert!(train_fold(&nan, &y, &all, &[], &p).is_err());
    assert!(train_fold(&x, &y, &all, &[], &TrainParams { dropout: 2.0, ..p }).is_err());
}
