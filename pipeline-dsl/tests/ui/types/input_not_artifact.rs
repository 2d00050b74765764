// `Input<T>` where `T` is not an artifact type.
use pipeline_dsl::prelude::*;

/// Sums.
#[component]
pub fn sum(values: Input<Vec<f64>>) -> Result<()> {
    let _ = values;
    Ok(())
}

fn main() {}
