// A misspelt `#[component(...)]` option.
use pipeline_dsl::prelude::*;

/// Trains.
#[component(retries = 2, cpus = "500m")]
pub fn train(depth: u32) -> Result<()> {
    let _ = depth;
    Ok(())
}

fn main() {}
