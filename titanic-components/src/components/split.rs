use super::HoldoutFraction;
use crate::model::cv::{holdout_split, labels};
use crate::passenger::Passenger;
use pipeline_dsl::prelude::*;

/// What `split` produces.
#[derive(Outputs)]
pub struct SplitOutputs {
    /// The passengers everything is developed on: cross-validation and the published ensemble.
    pub development: Dataset<Passenger>,
    /// The passengers held out and scored once, at the end, by the published model.
    pub held_out: Dataset<Passenger>,
}

/// Holds out a Kaggle-like test part before anything is fitted: a random share of the labelled
/// passengers, stratified on `Survived`, so families and ticket groups fall on both sides as
/// they do between `train.csv` and `test.csv`. It is scored once by the published model and
/// chooses nothing.
///
/// # Parameters
/// - `fraction`: share held out, in (0, 1) (Kaggle's test set is 418 of 1309 passengers); any
///   other value is refused before the run starts.
/// - `seed`: seed of the split; the same seed gives the same split.
#[component(cpu = "100m", memory = "128Mi")]
pub fn split(
    passengers: Input<Dataset<Passenger>>,
    fraction: HoldoutFraction,
    seed: u64,
) -> Result<SplitOutputs> {
    let fraction = f64::from(fraction);
    let rows = passengers.rows();
    let (dev, held) = holdout_split(&labels(rows)?, fraction, seed)?;
    if dev.len() < 10 || held.is_empty() {
        return Err(format!(
            "a held-out fraction of {fraction} leaves {} development and {} held-out passengers",
            dev.len(),
            held.len()
        )
        .into());
    }
    let pick = |idx: &[usize]| Dataset::new(idx.iter().map(|&i| rows[i].clone()).collect());
    Ok(SplitOutputs {
        development: pick(&dev),
        held_out: pick(&held),
    })
}
