//! Batch scoring: `titanic predict --model model.json --input test.csv --output submission.csv`.

use crate::model::bundle::ModelBundle;
use crate::passenger::Passenger;
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
/// (`PassengerId,Survived`) to `output`, or to stdout when `output` is `-`. Refuses an `output`
/// that is the input or the model (it would destroy them). Returns how many passengers were
/// scored.
pub fn predict_file(model: &Path, input: &Path, output: &Path) -> Result<usize, PredictError> {
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
    let predictions = predict_all(&bundle, passengers.rows())?;
    let output_error = |message: String| PredictError::Output {
        path: output.to_owned(),
        message,
    };
    let predictions_len = predictions.len();
    let dataset = Dataset::new(predictions);
    if to_stdout {
        let bytes = dataset.to_csv().map_err(|e| output_error(e.to_string()))?;
        let mut out = std::io::stdout().lock();
        match out.write_all(&bytes).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(output_error(e.to_string()))
            }
            _ => {}
        }
    } else {
        dataset
            .write(output)
            .map_err(|e| output_error(e.to_string()))?;
    }
    Ok(predictions_len)
}

/// True when `a` and `b` are one existing file (the same path, a symlink or a hard link).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Scores passengers with the bundle's own threshold.
pub fn predict_all(
    bundle: &ModelBundle,
    passengers: &[Passenger],
) -> Result<Vec<Prediction>, PredictError> {
    passengers
        .iter()
        .map(|p| {
            let survived = bundle.predict(p).map_err(|e| PredictError::Score {
                passenger_id: p.passenger_id,
                message: e.to_string(),
            })?;
            Ok(Prediction {
                passenger_id: p.passenger_id,
                survived: u8::from(survived),
            })
        })
        .collect()
}
