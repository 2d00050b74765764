// A component returning its outputs without `Result`.
use pipeline_dsl::prelude::*;

#[derive(Outputs)]
pub struct Counted {
    /// The count.
    pub count: Param<u64>,
}

/// Counts.
#[component]
pub fn count(n: u64) -> Counted {
    Counted { count: Param(n) }
}

fn main() {}
