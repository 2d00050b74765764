// A memory request that is not a Kubernetes quantity fails on the literal, not when Argo or the
// cluster reads the manifest (bytes are not a unit: `512M` or `512Mi`).
use pipeline_dsl::prelude::*;

/// Trains.
#[component(cpu = "500m", memory = "512MB")]
pub fn train(depth: u32) -> Result<()> {
    let _ = depth;
    Ok(())
}

fn main() {}
