// A method as a component.
use pipeline_dsl::prelude::*;

pub struct Trainer;

impl Trainer {
    /// Trains.
    #[component]
    pub fn train(&self, depth: u32) -> Result<()> {
        let _ = depth;
        Ok(())
    }
}

fn main() {
    // The method is kept as written, so its callers compile.
    let _ = Trainer.train(3);
}
