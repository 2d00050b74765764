use crate::model::cv::{demo_fields, fold_features, labels, stratified_kfold, train_indices};
use crate::model::features::{FeatureSet, Featurizer};
use crate::passenger::Passenger;
use pipeline_dsl::prelude::*;
use serde::{Deserialize, Serialize};
use std::num::NonZeroU32;

/// The features of one cross-validation fold, from a featurizer fitted on its training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldMatrix {
    /// Row indices of the fold's validation part (sorted).
    pub valid_idx: Vec<usize>,
    /// One standardized feature vector per passenger: leave-one-out for the fold's training
    /// rows, the plain transform (as for a new passenger) for its validation rows.
    pub rows: Vec<Vec<f32>>,
    /// The validation rows transformed from the demo's request fields only (no `Ticket`, no
    /// `Cabin`), same order as `valid_idx`.
    pub demo_valid: Vec<Vec<f32>>,
}

/// One cross-validation of the passengers: a fold assignment and the features of each fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repeat {
    /// Seed of the stratified fold assignment.
    pub fold_seed: u64,
    /// The features of each fold, in fold order.
    pub folds: Vec<FoldMatrix>,
}

/// The passengers as model inputs, fold by fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureMatrix {
    /// Column names, same order as each row.
    pub names: Vec<String>,
    /// Kaggle `PassengerId` of each row.
    pub passenger_ids: Vec<u32>,
    /// 0/1 survival label per passenger.
    pub labels: Vec<u8>,
    /// One cross-validation per fold seed; the first is the published ensemble's.
    pub repeats: Vec<Repeat>,
}

/// What `featurize` produces.
#[derive(Outputs)]
pub struct FeaturizeOutputs {
    /// The transform of each fold of the first fold seed, fitted on its training rows only
    /// (they travel inside the published model bundle).
    pub featurizer: Json<Vec<Featurizer>>,
    /// Every passenger transformed, fold by fold, for each fold seed.
    pub features: Json<FeatureMatrix>,
}

/// Assigns the passengers to stratified folds, once per fold seed, and for each fold fits the
/// feature transform on the fold's training rows only and applies it, so that every
/// out-of-fold figure is honest: the demo's baseline (fill Embarked, impute Age/Fare, one-hot
/// Sex/Embarked) plus engineered features computable from the demo's request (title, fare per
/// person (fare over family size), the family/group survival signal learned leave-one-out),
/// standardized. Validation rows are also transformed from the demo's fields only.
///
/// # Parameters
/// - `folds`: number of stratified folds.
/// - `fold_seed`: seed of the first fold assignment (the published ensemble's).
/// - `repeats`: number of fold assignments (at least one), with seeds `fold_seed`,
///   `fold_seed + 1`, ...
#[component(cpu = "250m", memory = "256Mi")]
pub fn featurize(
    passengers: Input<Dataset<Passenger>>,
    folds: u32,
    fold_seed: u64,
    repeats: NonZeroU32,
) -> Result<FeaturizeOutputs> {
    let rows = passengers.rows();
    let labels = labels(rows)?;
    let demo: Vec<Passenger> = rows.iter().map(demo_fields).collect();
    let mut published = Vec::new();
    let mut all = Vec::new();
    for r in 0..u64::from(repeats.get()) {
        let seed = fold_seed.wrapping_add(r);
        let assignment = stratified_kfold(&labels, folds as usize, seed)?;
        let mut matrices = Vec::new();
        for (f, valid) in assignment.iter().enumerate() {
            let train = train_indices(&assignment, f, rows.len());
            let (featurizer, x) = fold_features(rows, &train, valid, FeatureSet::Engineered)?;
            matrices.push(FoldMatrix {
                valid_idx: valid.clone(),
                rows: x,
                demo_valid: valid
                    .iter()
                    .map(|&i| featurizer.transform(&demo[i]))
                    .collect(),
            });
            if r == 0 {
                published.push(featurizer);
            }
        }
        all.push(Repeat {
            fold_seed: seed,
            folds: matrices,
        });
    }
    let features = FeatureMatrix {
        names: published[0].feature_names().to_vec(),
        passenger_ids: rows.iter().map(|p| p.passenger_id).collect(),
        labels,
        repeats: all,
    };
    Ok(FeaturizeOutputs {
        featurizer: Json(published),
        features: Json(features),
    })
}
