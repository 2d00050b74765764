//! The model bundle (`model.json`): everything needed to serve predictions, plain serde.

use crate::card::ModelCard;
use crate::ensemble::Ensemble;
use crate::error::ModelError;
use crate::features::Featurizer;
use crate::metrics::MetricsSummary;
use crate::params::TrainParams;
use crate::passenger::Passenger;
use crate::prepared::Prepared;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Version of the `model.json` layout; bumped on any incompatible change (2: Embarked imputed
/// with the training mode, no `Unknown` level; 3: one featurizer per fold, fitted on that
/// fold's training rows, with the family/group survival table; the fields the model reads; the
/// model card).
pub const FORMAT_VERSION: u32 = 3;

/// Which request fields the model reads and how it fills in missing ones.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct FieldUse {
    /// Fields the features are computed from.
    pub needed: Vec<String>,
    /// `field: rule` for each field that is imputed when missing (or optional).
    pub imputed: Vec<String>,
}

impl FieldUse {
    /// What `featurizer` reads and imputes.
    pub fn of(featurizer: &Featurizer) -> Self {
        Self {
            needed: featurizer
                .required_fields()
                .iter()
                .map(|f| f.to_string())
                .collect(),
            imputed: featurizer
                .imputed_fields()
                .into_iter()
                .map(|(f, rule)| format!("{f}: {rule}"))
                .collect(),
        }
    }
}

/// Where a bundle came from (no wall-clock time, so identical inputs give identical bytes).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Provenance {
    /// Number of training passengers.
    pub training_rows: usize,
    /// SHA-256 (hex) of the training rows serialized as JSON.
    pub training_digest: String,
    /// Hyper-parameters used for every fold.
    pub params: TrainParams,
    /// Number of cross-validation folds (= fold models in the ensemble).
    pub folds: usize,
    /// Seed of the stratified fold assignment.
    pub fold_seed: u64,
    /// `name version` of the crate that trained the bundle.
    pub created_by: String,
}

/// A trained, servable model: featurizer + ensemble + how good it is + where it came from.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ModelBundle {
    /// Must equal [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Feature names, in the order the networks read them.
    pub feature_names: Vec<String>,
    /// The transform of each fold model, fitted on that fold's training rows only (same order
    /// as `ensemble.folds`).
    pub featurizers: Vec<Featurizer>,
    /// The fold models; prediction is the mean of their probabilities, each reading the
    /// features of its own featurizer.
    pub ensemble: Ensemble,
    /// Which request fields the model reads and which it imputes.
    pub fields: FieldUse,
    /// Probability at or above which a passenger is predicted to survive.
    pub threshold: f64,
    /// Out-of-fold metrics of the ensemble on its training rows: every row is predicted by the
    /// fold model, and the featurizer, that never saw it.
    pub metrics: MetricsSummary,
    /// Training provenance.
    pub provenance: Provenance,
    /// Data, features, validation scheme, metric spread over folds, known limits.
    pub card: ModelCard,
}

/// SHA-256 (lowercase hex) of the rows serialized as JSON.
pub fn rows_digest(rows: &[Passenger]) -> String {
    let json = serde_json::to_vec(rows).unwrap_or_default();
    Sha256::digest(&json)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl ModelBundle {
    /// Bundles the fold featurizers and fold ensemble with their out-of-fold metrics (whose
    /// threshold becomes the bundle's) and the provenance of `rows`.
    ///
    /// Errors if there are no featurizers.
    pub fn assemble(
        rows: &[Passenger],
        featurizers: Vec<Featurizer>,
        ensemble: Ensemble,
        metrics: MetricsSummary,
        fold_seed: u64,
        params: &TrainParams,
    ) -> Result<Self, ModelError> {
        let first = featurizers
            .first()
            .ok_or_else(|| ModelError::Bundle("no featurizer to bundle".into()))?;
        let card = ModelCard::new(rows, &ensemble, first.feature_names());
        Ok(Self {
            card,
            format_version: FORMAT_VERSION,
            feature_names: first.feature_names().to_vec(),
            fields: FieldUse::of(first),
            featurizers,
            threshold: metrics.threshold,
            provenance: Provenance {
                training_rows: rows.len(),
                training_digest: rows_digest(rows),
                params: params.clone(),
                folds: ensemble.folds.len(),
                fold_seed,
                created_by: concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION")).into(),
            },
            ensemble,
            metrics,
        })
    }

    /// Survival probability of one passenger (mean over the fold models, each reading its own
    /// featurizer's vector).
    pub fn predict_proba(&self, p: &Passenger) -> Result<f64, ModelError> {
        if self.ensemble.folds.is_empty() || self.ensemble.folds.len() != self.featurizers.len() {
            return Err(ModelError::Bundle(format!(
                "{} fold models but {} featurizers",
                self.ensemble.folds.len(),
                self.featurizers.len()
            )));
        }
        // What no featurizer changes is read once; one buffer serves every fold.
        let q = Prepared::new(p);
        let mut x = Vec::with_capacity(self.feature_names.len());
        let mut s = 0.0;
        for (fold, featurizer) in self.ensemble.folds.iter().zip(&self.featurizers) {
            featurizer.transform_into(&q, &mut x);
            s += fold.predict_proba(&x)?;
        }
        Ok(s / self.featurizers.len() as f64)
    }

    /// Whether the passenger is predicted to survive (`probability >= threshold`).
    pub fn predict(&self, p: &Passenger) -> Result<bool, ModelError> {
        Ok(self.predict_proba(p)? >= self.threshold)
    }

    /// Checks internal consistency: format version, feature names, network shapes.
    pub fn check(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::Bundle(m));
        if self.format_version != FORMAT_VERSION {
            return bad(format!(
                "format_version {} is not supported (this build reads {FORMAT_VERSION})",
                self.format_version
            ));
        }
        if self.featurizers.len() != self.ensemble.folds.len() {
            return bad(format!(
                "{} featurizers for {} fold models",
                self.featurizers.len(),
                self.ensemble.folds.len()
            ));
        }
        if let Some(i) = self
            .featurizers
            .iter()
            .position(|f| f.feature_names() != self.feature_names)
        {
            return bad(format!("feature_names disagree with featurizer {i}"));
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return bad(format!("threshold {} is not in [0, 1]", self.threshold));
        }
        self.ensemble
            .check(self.feature_names.len())
            .map_err(|e| ModelError::Bundle(e.to_string()))
    }

    /// Serializes as pretty JSON (deterministic for identical bundles).
    pub fn to_json(&self) -> Result<String, ModelError> {
        serde_json::to_string_pretty(self).map_err(|e| ModelError::Bundle(e.to_string()))
    }

    /// Parses and checks a `model.json`; a corrupt, truncated or incompatible file gives a
    /// [`ModelError::Bundle`] saying what and where.
    pub fn from_json(json: &str) -> Result<Self, ModelError> {
        let b: Self = serde_json::from_str(json).map_err(|e| {
            ModelError::Bundle(format!("model.json is not a valid model bundle: {e}"))
        })?;
        b.check()?;
        Ok(b)
    }
}
