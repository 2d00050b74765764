// A misspelt Argo retry policy.
use pipeline_dsl::prelude::*;

/// Trains.
#[component(retries = 2, retry_policy = "OnFailur")]
pub fn train(depth: u32) -> Result<()> {
    let _ = depth;
    Ok(())
}

fn main() {}
