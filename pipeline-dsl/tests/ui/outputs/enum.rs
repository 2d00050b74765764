// `#[derive(Outputs)]` on an enum: a component returns all its outputs at once.
use pipeline_dsl::prelude::*;

#[derive(Outputs)]
pub enum Trained {
    Model(Model<Vec<f64>>),
    Score(Param<f64>),
}

/// Trains; returning the enum adds no error of its own.
#[component]
pub fn train() -> Result<Trained> {
    Ok(Trained::Score(Param(0.5)))
}

fn main() {}
