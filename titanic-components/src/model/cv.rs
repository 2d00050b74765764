//! Stratified k-fold cross-validation.

use crate::model::ensemble::{Ensemble, FoldModel};
use crate::model::error::ModelError;
use crate::model::features::{FeatureSet, Featurizer};
use crate::model::params::TrainParams;
use crate::model::rng::SplitMix64;
use crate::model::train::train_fold;
use crate::passenger::Passenger;

/// Splits rows `0..labels.len()` into `k` validation folds with (almost) the same share of each
/// label; every row is in exactly one fold, each fold's indices are sorted.
///
/// Errors if `k < 2`, `k` exceeds the number of rows, or a label is not 0/1.
pub fn stratified_kfold(labels: &[u8], k: usize, seed: u64) -> Result<Vec<Vec<usize>>, ModelError> {
    if k < 2 || k > labels.len() {
        return Err(ModelError::InvalidData(format!(
            "cannot make {k} folds of {} rows (need 2 <= k <= rows)",
            labels.len()
        )));
    }
    if let Some(i) = labels.iter().position(|l| *l > 1) {
        return Err(ModelError::InvalidData(format!(
            "label {i} is {}, expected 0 or 1",
            labels[i]
        )));
    }
    let mut rng = SplitMix64::new(seed);
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for class in [0u8, 1] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut idx);
        for i in idx {
            folds[next % k].push(i);
            next += 1;
        }
    }
    folds.iter_mut().for_each(|f| f.sort_unstable());
    Ok(folds)
}

/// The training rows of fold `fold`: every row of `0..n` not in `folds[fold]`.
pub fn train_indices(folds: &[Vec<usize>], fold: usize, n: usize) -> Vec<usize> {
    let mut in_valid = vec![false; n];
    if let Some(f) = folds.get(fold) {
        f.iter()
            .filter(|&&i| i < n)
            .for_each(|&i| in_valid[i] = true);
    }
    (0..n).filter(|&i| !in_valid[i]).collect()
}

/// 0/1 labels of labelled rows; errors naming the first row without `Survived`.
pub fn labels(rows: &[Passenger]) -> Result<Vec<u8>, ModelError> {
    rows.iter()
        .enumerate()
        .map(|(i, p)| match p.survived {
            Some(s @ (0 | 1)) => Ok(s),
            other => Err(ModelError::InvalidData(format!(
                "row {i} (PassengerId {}): Survived is {other:?}, expected 0 or 1",
                p.passenger_id
            ))),
        })
        .collect()
}

/// Trains one [`FoldModel`] per stratified fold on precomputed features `x` and returns them
/// as an ensemble (whose fold models carry the out-of-fold predictions).
pub fn fit_ensemble(
    x: &[Vec<f32>],
    y: &[u8],
    k: usize,
    fold_seed: u64,
    params: &TrainParams,
) -> Result<Ensemble, ModelError> {
    let folds = stratified_kfold(y, k, fold_seed)?;
    let yf: Vec<f32> = y.iter().map(|&v| f32::from(v)).collect();
    let folds = (0..k)
        .map(|f| {
            train_fold(
                x,
                &yf,
                &train_indices(&folds, f, y.len()),
                &folds[f],
                params,
            )
        })
        .collect::<Result<_, _>>()?;
    Ok(Ensemble { folds })
}

/// Result of an honest cross-validation (see [`cross_validate`]).
#[derive(Debug, Clone)]
pub struct CvOutcome {
    /// Out-of-fold survival probability of every row.
    pub oof: Vec<f64>,
    /// The 0/1 labels, same order.
    pub labels: Vec<u8>,
    /// The models of each fold (each goes with the featurizer of the same index).
    pub folds: Vec<FoldModel>,
    /// The featurizer fitted on each fold's training rows.
    pub featurizers: Vec<Featurizer>,
}

impl CvOutcome {
    /// Out-of-fold probabilities recomputed from the fold models and featurizers for `rows` as
    /// a client would send them (e.g. with [`demo_fields`]); same order as `rows`.
    pub fn oof_for(&self, rows: &[Passenger]) -> Vec<f64> {
        let mut out = vec![f64::NAN; rows.len()];
        for (fold, featurizer) in self.folds.iter().zip(&self.featurizers) {
            for &i in &fold.valid_idx {
                if let Some(p) = rows.get(i) {
                    out[i] = fold.predict_unchecked(&featurizer.transform(p));
                }
            }
        }
        out
    }
}

/// A passenger as the demo's `/predict` body carries it: no `Ticket`, no `Cabin`.
pub fn demo_fields(p: &Passenger) -> Passenger {
    Passenger {
        ticket: String::new(),
        cabin: None,
        ..p.clone()
    }
}

/// The featurizer of one fold, fitted on its `train` rows only, and the feature vector of every
/// row: the training rows get their leave-one-out features, the `valid` rows the featurizer's
/// plain transform (as a new passenger would); other rows get zeros (training reads no other).
pub fn fold_features(
    rows: &[Passenger],
    train: &[usize],
    valid: &[usize],
    set: FeatureSet,
) -> Result<(Featurizer, Vec<Vec<f32>>), ModelError> {
    let train_rows: Vec<Passenger> = train.iter().map(|&i| rows[i].clone()).collect();
    let (featurizer, x_train) = Featurizer::fit_transform_with(&train_rows, set)?;
    let mut x = vec![Vec::new(); rows.len()];
    for (&i, xi) in train.iter().zip(x_train) {
        x[i] = xi;
    }
    for &i in valid {
        x[i] = featurizer.transform(&rows[i]);
    }
    // Rows in neither list are not read by training; give them a valid width.
    let width = featurizer.feature_names().len();
    x.iter_mut()
        .filter(|r| r.is_empty())
        .for_each(|r| *r = vec![0.0; width]);
    Ok((featurizer, x))
}

/// Stratified k-fold CV from raw passengers, fitting a featurizer on each fold's training rows
/// only, so the out-of-fold predictions estimate performance on unseen passengers.
pub fn cross_validate(
    rows: &[Passenger],
    k: usize,
    fold_seed: u64,
    params: &TrainParams,
    set: FeatureSet,
) -> Result<CvOutcome, ModelError> {
    let y = labels(rows)?;
    let folds = stratified_kfold(&y, k, fold_seed)?;
    let yf: Vec<f32> = y.iter().map(|&v| f32::from(v)).collect();
    let mut out = CvOutcome {
        oof: vec![f64::NAN; rows.len()],
        labels: y,
        folds: vec![],
        featurizers: vec![],
    };
    for (f, valid) in folds.iter().enumerate() {
        let train = train_indices(&folds, f, rows.len());
        let (featurizer, x) = fold_features(rows, &train, valid, set)?;
        let model = train_fold(&x, &yf, &train, valid, params)?;
        for (&i, &p) in valid.iter().zip(&model.oof) {
            out.oof[i] = p;
        }
        out.folds.push(model);
        out.featurizers.push(featurizer);
    }
    Ok(out)
}

/// A held-out split that mimics Kaggle's test set: a random `fraction` of the rows (stratified
/// on the label), so families and ticket groups fall on both sides as they do between
/// `train.csv` and `test.csv`. Returns `(development, held_out)` row indices, sorted.
pub fn holdout_split(
    labels: &[u8],
    fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), ModelError> {
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(ModelError::InvalidData(format!(
            "held-out fraction {fraction} is not in (0, 1)"
        )));
    }
    let mut rng = SplitMix64::new(seed);
    let (mut dev, mut held) = (Vec::new(), Vec::new());
    for class in [0u8, 1] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut idx);
        let cut = (idx.len() as f64 * fraction).round() as usize;
        held.extend_from_slice(&idx[..cut]);
        dev.extend_from_slice(&idx[cut..]);
    }
    dev.sort_unstable();
    held.sort_unstable();
    Ok((dev, held))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_partition_and_stratify() {
        let labels: Vec<u8> = (0..103).map(|i| u8::from(i % 3 == 0)).collect();
        let folds = stratified_kfold(&labels, 5, 9).unwrap();
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        for f in &folds {
            assert!((20..=21).contains(&f.len()));
            let pos = f.iter().filter(|&&i| labels[i] == 1).count();
            assert!((6..=8).contains(&pos), "fold has {pos} positives");
        }
        assert_eq!(folds, stratified_kfold(&labels, 5, 9).unwrap());
        assert_ne!(folds, stratified_kfold(&labels, 5, 10).unwrap());
        let train = train_indices(&folds, 0, 103);
        assert_eq!(train.len() + folds[0].len(), 103);
        assert!(train.iter().all(|i| !folds[0].contains(i)));
    }

    #[test]
    fn cross_validate_fits_one_featurizer_per_fold() {
        let rows: Vec<Passenger> = crate::passenger::bundled()
            .unwrap()
            .into_iter()
            .take(120)
            .collect();
        let params = TrainParams::small(4, 15, 1);
        let cv = cross_validate(&rows, 3, 2, &params, FeatureSet::Baseline).unwrap();
        assert_eq!(
            (cv.folds.len(), cv.featurizers.len(), cv.oof.len()),
            (3, 3, 120)
        );
        assert!(cv.oof.iter().all(|p| (0.0..=1.0).contains(p)));
        assert_ne!(cv.featurizers[0], cv.featurizers[1]);
        assert_eq!(cv.oof_for(&rows), cv.oof);
        let x = cv.featurizers[0].transform_all(&rows);
        let y = labels(&rows).unwrap();
        let e = fit_ensemble(&x, &y, 3, 2, &params).unwrap();
        assert!(e.oof(120).iter().all(|p| p.is_finite()));
        let mut unlabeled = rows.clone();
        unlabeled[5].survived = None;
        assert!(cross_validate(&unlabeled, 3, 2, &params, FeatureSet::Baseline).is_err());
    }

    #[test]
    fn holdout_is_a_stratified_partition() {
        let labels: Vec<u8> = (0..90).map(|i| u8::from(i % 3 == 0)).collect();
        let (dev, held) = holdout_split(&labels, 1.0 / 3.0, 4).unwrap();
        assert_eq!((dev.len(), held.len()), (60, 30));
        assert_eq!(held.iter().filter(|&&i| labels[i] == 1).count(), 10);
        let mut all = [dev.clone(), held.clone()].concat();
        all.sort_unstable();
        assert_eq!(all, (0..90).collect::<Vec<_>>());
        assert_eq!(holdout_split(&labels, 1.0 / 3.0, 4).unwrap().1, held);
        assert_ne!(holdout_split(&labels, 1.0 / 3.0, 5).unwrap().1, held);
        assert!(holdout_split(&labels, 1.0, 4).is_err());
    }

    #[test]
    fn bad_fold_requests_are_errors() {
        assert!(stratified_kfold(&[0, 1], 1, 0).is_err());
        assert!(stratified_kfold(&[0, 1], 3, 0).is_err());
        assert!(stratified_kfold(&[], 2, 0).is_err());
        assert!(stratified_kfold(&[0, 2, 1], 2, 0).is_err());
        assert_eq!(stratified_kfold(&[1, 1, 1], 3, 0).unwrap().len(), 3);
        assert_eq!(train_indices(&[], 4, 3), vec![0, 1, 2]);
    }
}
