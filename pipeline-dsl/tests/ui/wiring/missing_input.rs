// A task struct without one of the component's inputs.
use pipeline_dsl::prelude::*;

/// Splits.
#[component]
pub fn split(validation_fraction: f64, seed: u64) -> Result<()> {
    let _ = (validation_fraction, seed);
    Ok(())
}

fn main() {
    let p = Pipeline::new("missing-input");
    p.add(Split { validation_fraction: 0.2.into() });
}
