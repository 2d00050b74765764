// A `Dataset<Features>` output wired into a `Dataset<Passenger>` input.
use pipeline_dsl::prelude::*;

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Passenger {
    pub age: f64,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Features {
    pub x: Vec<f64>,
}

#[derive(Outputs)]
pub struct Featurized {
    /// Feature rows.
    pub features: Dataset<Features>,
}

/// Makes features.
#[component]
pub fn featurize() -> Result<Featurized> {
    Ok(Featurized { features: Vec::new().into() })
}

/// Splits passengers.
#[component]
pub fn split(passengers: Input<Dataset<Passenger>>) -> Result<()> {
    let _ = passengers;
    Ok(())
}

fn main() {
    let p = Pipeline::new("wrong-artifact");
    let f = p.add(Featurize {});
    p.add(Split { passengers: f.features });
}
