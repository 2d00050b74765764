// Two components with the same name in one module.
use pipeline_dsl::prelude::*;

/// Trains a tree.
#[component(name = "train")]
pub fn train_tree(depth: u32) -> Result<()> {
    let _ = depth;
    Ok(())
}

/// Trains a forest.
#[component(name = "train")]
pub fn train_forest(trees: u32) -> Result<()> {
    let _ = trees;
    Ok(())
}

fn main() {}
