use crate::model::features::Featurizer;
use crate::passenger::Passenger;
use pipeline_dsl::prelude::*;
use serde::{Deserialize, Serialize};

/// The passengers as model inputs: one standardized feature vector and label per passenger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureMatrix {
    /// Column names, same order as each row.
    pub names: Vec<String>,
    /// Kaggle `PassengerId` of each row.
    pub passenger_ids: Vec<u32>,
    /// One feature vector per passenger.
    pub rows: Vec<Vec<f32>>,
    /// 0/1 survival label per passenger.
    pub labels: Vec<u8>,
}

/// What `featurize` produces.
#[derive(Outputs)]
pub struct FeaturizeOutputs {
    /// The fitted transform (it travels inside the published model bundle).
    pub featurizer: Json<Featurizer>,
    /// Every passenger transformed.
    pub features: Json<FeatureMatrix>,
}

/// Fits the feature transform on the passengers and applies it: the demo's baseline (drop
/// Cabin/Name/PassengerId/Ticket, fill Embarked, impute Age/Fare, one-hot Sex/Embarked) plus
/// engineered features (title, family size, ticket group, deck, ...), standardized.
#[component(cpu = "250m", memory = "256Mi")]
pub fn featurize(passengers: Input<Dataset<Passenger>>) -> Result<FeaturizeOutputs> {
    let rows = passengers.rows();
    let featurizer = Featurizer::fit(rows)?;
    let labels = rows
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.survived
                .ok_or_else(|| format!("row {i}: column Survived is missing"))
        })
        .collect::<std::result::Result<Vec<u8>, String>>()?;
    let features = FeatureMatrix {
        names: featurizer.feature_names().to_vec(),
        passenger_ids: rows.iter().map(|p| p.passenger_id).collect(),
        rows: featurizer.transform_all(rows),
        labels,
    };
    Ok(FeaturizeOutputs {
        featurizer: Json(featurizer),
        features: Json(features),
    })
}
