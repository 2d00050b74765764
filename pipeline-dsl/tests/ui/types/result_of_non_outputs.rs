// A component returning `Result<f64>`: the value must be a `#[derive(Outputs)]` struct.
use pipeline_dsl::prelude::*;

/// Scores.
#[component]
pub fn score(n: u64) -> Result<f64> {
    Ok(n as f64)
}

fn main() {}
