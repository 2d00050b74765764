// A component without a return type.
use pipeline_dsl::prelude::*;

/// Logs.
#[component]
pub fn log(message: String) {
    println!("{message}");
}

fn main() {}
