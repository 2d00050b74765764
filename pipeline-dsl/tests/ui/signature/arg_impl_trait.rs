// An `impl Trait` argument.
use pipeline_dsl::prelude::*;

/// Greets.
#[component]
pub fn greet(name: impl std::fmt::Display) -> Result<()> {
    println!("hello {name}");
    Ok(())
}

fn main() {}
