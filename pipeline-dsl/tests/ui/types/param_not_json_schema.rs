// A parameter type with serde but without `schemars::JsonSchema` (the common slip).
use pipeline_dsl::prelude::*;

#[derive(serde::Serialize, serde::Deserialize)]
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
