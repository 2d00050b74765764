// An outputs struct field that is neither an artifact nor a `Param<T>`.
use pipeline_dsl::prelude::*;

#[derive(Outputs)]
pub struct Scored {
    /// The score.
    pub score: f64,
}

fn main() {}
