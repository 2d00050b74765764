// A generic component: the command line cannot choose a type.
use pipeline_dsl::prelude::*;

/// Scales.
#[component]
pub fn scale<T: serde::Serialize>(factor: f64, value: T) -> Result<()> {
    let _ = (factor, value);
    Ok(())
}

fn main() {}
