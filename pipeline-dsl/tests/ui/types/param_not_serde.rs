// A parameter type that is neither serde nor JsonSchema.
use pipeline_dsl::prelude::*;

pub struct Settings {
    pub depth: u32,
}

/// Trains.
#[component]
pub fn train(settings: Settings) -> Result<()> {
    let _ = settings.depth;
    Ok(())
}

fn main() {}
