// A timeout that is not a Go duration fails on the literal, not when the workflow runs.
use pipeline_dsl::prelude::*;

/// Trains.
#[component(timeout = "10x")]
pub fn train(depth: u32) -> Result<()> {
    let _ = depth;
    Ok(())
}

fn main() {}
