// `#[derive(Outputs)]` on a tuple struct: outputs need names.
use pipeline_dsl::prelude::*;

#[derive(Outputs)]
pub struct Trained(pub Model<Vec<f64>>, pub Param<f64>);

fn main() {}
