// A destructuring pattern as an argument: arguments are named inputs and parameters.
use pipeline_dsl::prelude::*;

/// Adds.
#[component]
pub fn add((a, b): (u32, u32)) -> Result<()> {
    let _ = a + b;
    Ok(())
}

fn main() {}
