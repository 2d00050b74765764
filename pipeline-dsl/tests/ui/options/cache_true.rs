// `cache = true` is what every component does without the option: the macro says which values mean
// something.
use pipeline_dsl::prelude::*;

/// Publishes.
#[component(cache = true)]
pub fn publish(url: String) -> Result<()> {
    let _ = url;
    Ok(())
}

fn main() {}
