// A borrowed argument: a component runs in its own process, so its arguments are owned.
use pipeline_dsl::prelude::*;

/// Greets.
#[component]
pub fn greet(name: &str) -> Result<()> {
    println!("hello {name}");
    Ok(())
}

fn main() {}
