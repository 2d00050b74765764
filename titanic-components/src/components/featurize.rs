use crate::model::cv::{fold_features, labels, stratified_kfold, train_indices};
use crate::model::features::{FeatureSet, Featurizer};
use crate::passenger::Passenger;
use pipeline_dsl::prelude::*;
use serde::{Deserialize, Serialize};

/// The features of one cross-validation fold, from a featurizer fitted on its training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldMatrix {
    /// Row indices of the fold's validation part (sorted).
    pub valid_idx: Vec<usize>,
    /// One standardized feature vector per passenger: leave-one-out for the fold's training
    /// rows, the plain transform (as for a new passenger) for its validation rows.
    pub rows: Vec<Vec<f32>>,
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
    /// The features of each stratified fold, in fold order.
    pub folds: Vec<FoldMatrix>,
}

/// What `featurize` produces.
#[derive(Outputs)]
pub struct FeaturizeOutputs {
    /// The transform of each fold, fitted on its training rows only (they travel inside the
    /// published model bundle).
    pub featurizer: Json<Vec<Featurizer>>,
    /// Every passenger transformed, fold by fold.
    pub features: Json<FeatureMatrix>,
}

/// Assigns the passengers to stratified folds and, for each fold, fits the feature transform on
/// the fold's training rows only and applies it, so that every out-of-fold figure is honest:
/// the demo's baseline (fill Embarked, impute Age/Fare, one-hot Sex/Embarked) plus engineered
/// features computable from the demo's request (title, fare per person (fare over family size), the
/// family/group survival signal learned leave-one-out), standardized.
///
/// # Parameters
/// - `folds`: number of stratified folds.
/// - `fold_seed`: seed of the fold assignment.
#[component(cpu = "250m", memory = "256Mi")]
pub fn featurize(
    passengers: Input<Dataset<Passenger>>,
    folds: u32,
    fold_seed: u64,
) -> Result<FeaturizeOutputs> {
    let rows = passengers.rows();
    let labels = labels(rows)?;
    let assignment = stratified_kfold(&labels, folds as usize, fold_seed)?;
    let mut featurizers = Vec::new();
    let mut matrices = Vec::new();
    for (f, valid) in assignment.iter().enumerate() {
        let train = train_indices(&assignment, f, rows.len());
        let (featurizer, x) = fold_features(rows, &train, valid, FeatureSet::Engineered)?;
        featurizers.push(featurizer);
        matrices.push(FoldMatrix {
            valid_idx: valid.clone(),
            rows: x,
        });
    }
    let features = FeatureMatrix {
        names: featurizers[0].feature_names().to_vec(),
        passenger_ids: rows.iter().map(|p| p.passenger_id).collect(),
        labels,
        folds: matrices,
    };
    Ok(FeaturizeOutputs {
        featurizer: Json(featurizers),
        features: Json(features),
    })
}
