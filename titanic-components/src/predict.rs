//! Batch scoring: `titanic predict --model model.json --input test.csv --output submission.csv`.

use crate::model::bundle::ModelBundle;
use crate::passenger::{validate, Passenger, PassengerError};
use pipeline_dsl::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why passengers could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum PredictError {
    /// The model file is missing or corrupt.
    #[error("model {}: {message}", path.display())]
    Model {
        /// The model file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The passengers file is missing or malformed (names the line and column).
    #[error(transparent)]
    Input(#[from] ArtifactError),
    /// A passenger fails the domain check (names the row and column).
    #[error(transparent)]
    Invalid(#[from] PassengerError),
    /// A passenger could not be scored.
    #[error("passenger {passenger_id}: {message}")]
    Score {
        /// Kaggle id of the passenger.
        passenger_id: u32,
        /// What went wrong.
        message: String,
    },
    /// The submission could not be written.
    #[error("{}: {message}", path.display())]
    Output {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// One line of a Kaggle submission.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Prediction {
    /// Kaggle id of the passenger.
    #[serde(rename = "PassengerId")]
    pub passenger_id: u32,
    /// 1 if predicted to survive.
    #[serde(rename = "Survived")]
    pub survived: u8,
}

/// One line of a submission with the probability (`titanic predict --probability`): the
/// inference server answers the same number, bit for bit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoredPrediction {
    /// Kaggle id of the passenger.
    #[serde(rename = "PassengerId")]
    pub passenger_id: u32,
    /// 1 if predicted to survive.
    #[serde(rename = "Survived")]
    pub survived: u8,
    /// Survival probability (mean over the ensemble).
    #[serde(rename = "SurvivalChance")]
    pub survival_chance: f64,
}

/// Reads a model bundle, naming the file in errors.
pub fn load_model(path: &Path) -> Result<ModelBundle, PredictError> {
    let model_error = |message: String| PredictError::Model {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| model_error(e.to_string()))?;
    ModelBundle::from_json(&text).map_err(|e| model_error(e.to_string()))
}

/// Scores every passenger of `input` (Kaggle `test.csv` format) and writes a Kaggle submission
/// (`PassengerId,Survived`, plus `SurvivalChance` with `probability`) to `output`, or to stdout
/// when `output` is `-`. Refuses an `output` that is the input or the model (it would destroy
/// them). Returns how many passengers were scored.
pub fn predict_file(
    model: &Path,
    input: &Path,
    output: &Path,
    probability: bool,
) -> Result<usize, PredictError> {
    let to_stdout = output == Path::new("-");
    if !to_stdout {
        for (what, path) in [("input", input), ("model", model)] {
            if same_file(output, path) {
                return Err(PredictError::Output {
                    path: output.to_owned(),
                    message: format!(
                        "is the {what} ({}): refusing to overwrite it; choose another --output, or `-` for stdout",
                        path.display()
                    ),
                });
            }
        }
    }
    let bundle = load_model(model)?;
    let passengers = Dataset::<Passenger>::read(input)?;
    let scored = score_all(&bundle, passengers.rows())?;
    let n = scored.len();
    let output_error = |message: String| PredictError::Output {
        path: output.to_owned(),
        message,
    };
    let csv = if probability {
        Dataset::new(scored).to_csv()
    } else {
        let plain = scored.into_iter().map(|s| Prediction {
            passenger_id: s.passenger_id,
            survived: s.survived,
        });
        Dataset::new(plain.collect()).to_csv()
    }
    .map_err(|e| output_error(e.to_string()))?;
    if to_stdout {
        let mut out = std::io::stdout().lock();
        match out.write_all(&csv).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(output_error(e.to_string()))
            }
            _ => {}
        }
    } else {
        write_atomic(output, &csv).map_err(|e| output_error(e.to_string()))?;
    }
    Ok(n)
}

/// True when `a` and `b` are one existing file (the same path, a symlink or a hard link).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Checks the passengers' domain (as `ingest` and the inference server do), then scores them
/// with the bundle's own threshold.
pub fn predict_all(
    bundle: &ModelBundle,
    passengers: &[Passenger],
) -> Result<Vec<Prediction>, PredictError> {
    Ok(score_all(bundle, passengers)?
        .into_iter()
        .map(|s| Prediction {
            passenger_id: s.passenger_id,
            survived: s.survived,
        })
        .collect())
}

/// [`predict_all`] with each passenger's probability.
pub fn score_all(
    bundle: &ModelBundle,
    passengers: &[Passenger],
) -> Result<Vec<ScoredPrediction>, PredictError> {
    validate(passengers)?;
    passengers
        .iter()
        .map(|p| {
            let chance = bundle.predict_proba(p).map_err(|e| PredictError::Score {
                passenger_id: p.passenger_id,
                message: e.to_string(),
            })?;
            Ok(ScoredPrediction {
                passenger_id: p.passenger_id,
                survived: u8::from(chance >= bundle.threshold),
                survival_chance: chance,
            })
        })
        .collect()
}
