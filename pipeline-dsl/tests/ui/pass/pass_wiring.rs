// The correctly wired counterpart of the compile-fail cases: it compiles and the pipeline compiles.
use pipeline_dsl::prelude::*;

#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, Clone, Debug)]
pub struct Settings {
    pub depth: u32,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Passenger {
    pub age: f64,
}

#[derive(Outputs)]
pub struct Loaded {
    /// Passengers.
    pub passengers: Dataset<Passenger>,
}

/// Loads.
#[component(name = "load", retries = 2, cpu = "500m")]
pub fn load() -> Result<Loaded> {
    Ok(Loaded { passengers: Vec::new().into() })
}

#[derive(Outputs)]
pub struct Trained {
    /// The model.
    pub model: Model<Vec<f64>>,
    /// The score.
    pub score: Param<f64>,
}

/// Trains.
#[component]
pub fn train(passengers: Input<Dataset<Passenger>>, settings: Settings, seed: u64) -> Result<Trained> {
    let _ = (passengers, settings, seed);
    Ok(Trained { model: Model(vec![]), score: Param(0.5) })
}

fn main() {
    let p = Pipeline::new("pass");
    let seed = p.param("seed", 42u64);
    let loaded = p.add(Load {});
    let trained = p.add(Train {
        passengers: loaded.passengers,
        settings: Settings { depth: 3 }.into(),
        seed,
    });
    let _ = trained.score.ge(0.5);
    p.compile().unwrap();
}
