// A `Value<String>` pipeline parameter passed where a `Value<u64>` is expected.
use pipeline_dsl::prelude::*;

/// Seeds.
#[component]
pub fn seed(seed: u64) -> Result<()> {
    let _ = seed;
    Ok(())
}

fn main() {
    let p = Pipeline::new("wrong-value");
    let seed = p.param("seed", String::from("42"));
    p.add(Seed { seed });
}
