//! Two components linked into one binary under the same name, from different modules: running
//! by name would be ambiguous, so the registry, the compiler and the components binary refuse
//! the whole binary (every name, not only the shared one), naming both definitions (the macro
//! cannot see across modules or crates).

use pipeline_dsl::component::{find, registered};
use pipeline_dsl::prelude::*;
use pipeline_dsl::runtime::run_component;
use pipeline_dsl::{RunContext, RunError};

mod trees {
    use pipeline_dsl::prelude::*;

    /// Trains a tree.
    #[component(name = "train")]
    pub fn train_tree(depth: u32) -> Result<()> {
        let _ = depth;
        Ok(())
    }
}

mod forests {
    use pipeline_dsl::prelude::*;

    /// Trains a forest.
    #[component(name = "train")]
    pub fn train_forest(trees: u32) -> Result<()> {
        let _ = trees;
        Ok(())
    }
}

/// Scores; its name is its own.
#[component]
pub fn score() -> Result<()> {
    Ok(())
}

#[test]
fn find_names_both_definitions() {
    let err = find("train").unwrap_err();
    assert_eq!(err.name, "train");
    assert_eq!(err.first.function, "duplicate_names::forests::train_forest");
    assert_eq!(err.second.function, "duplicate_names::trees::train_tree");
    let message = err.to_string();
    for part in [
        "two components are named `train`",
        "`duplicate_names::forests::train_forest` (",
        "duplicate_names.rs:27)",
        "`duplicate_names::trees::train_tree` (",
        "duplicate_names.rs:16)",
    ] {
        assert!(message.contains(part), "{part:?} not in {message:?}");
    }
}

#[test]
fn a_duplicate_refuses_every_name() {
    // The binary is misbuilt: even a unique or unknown name names the duplicate.
    for name in ["score", "nothing"] {
        let err = find(name).unwrap_err();
        assert_eq!(err.name, "train", "{name}");
    }
}

#[test]
fn the_list_of_components_is_refused() {
    let err = registered().expect_err("a duplicate");
    assert_eq!(err.name, "train");
}

#[test]
fn a_pipeline_using_the_name_does_not_compile() {
    let p = Pipeline::new("dupes");
    p.add(trees::TrainTree { depth: 3.into() });
    let err = p.compile().unwrap_err().to_string();
    assert!(err.contains("two components are named `train`"), "{err}");
}

#[test]
fn the_components_binary_runs_none_of_them() {
    for component in ["train", "score"] {
        let ctx = RunContext {
            component: component.into(),
            ..Default::default()
        };
        match run_component(&ctx) {
            Err(RunError::Duplicate(e)) => assert_eq!(e.name, "train"),
            other => panic!("{component}: expected a duplicate-name error, got {other:?}"),
        }
    }
}

#[test]
fn a_pipeline_not_using_the_name_does_not_compile_either() {
    let p = Pipeline::new("unique");
    p.add(Score {});
    let err = p.compile().unwrap_err().to_string();
    assert!(err.contains("two components are named `train`"), "{err}");
}
