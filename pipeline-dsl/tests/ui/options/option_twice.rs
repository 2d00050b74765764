// The same option twice.
use pipeline_dsl::prelude::*;

/// Trains.
#[component(cpu = "1", cpu = "2")]
pub fn train(depth: u32) -> Result<()> {
    let _ = depth;
    Ok(())
}

fn main() {}
