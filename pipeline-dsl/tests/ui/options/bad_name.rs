// A component name that is not a valid command-line and Argo template name.
use pipeline_dsl::prelude::*;

/// Trains.
#[component(name = "Train_Model")]
pub fn train(depth: u32) -> Result<()> {
    let _ = depth;
    Ok(())
}

fn main() {}
