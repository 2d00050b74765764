// Three mistakes in one component are reported together, and the pipeline using it adds none.
use pipeline_dsl::prelude::*;

/// Trains.
#[component(cpus = "2")]
pub async fn train(depth: u32, &limit: &u32) -> Result<()> {
    let _ = (depth, limit);
    Ok(())
}

fn main() {
    let p = Pipeline::new("several");
    p.add(Train { depth: 3.into() });
}
