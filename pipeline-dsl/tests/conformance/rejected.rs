//! Wiring Argo cannot run is refused by the compiler with a clear `CompileError`.

use super::components::*;
use super::pipelines::{base, featurized, folds, hyper, ingested};
use pipeline_dsl::compile::CompileError;
use pipeline_dsl::prelude::*;

fn compile_error(p: &Pipeline) -> String {
    match p.compile() {
        Ok(_) => panic!("pipeline `{}` compiled, but it should not", p.name()),
        Err(e @ CompileError::Pipeline { .. }) => e.to_string(),
        Err(other) => panic!("expected a wiring error, got: {other}"),
    }
}

#[test]
fn rejects_gathering_from_a_task_that_is_not_a_fan_out() {
    let p = base("bad-gather");
    let featurized = featurized(&p, 10);
    let trained = p.add(Train {
        features: featurized.features,
        hyper: hyper().into(),
    });
    let folds = p.fan_out(folds(2), |fold| TrainFold {
        features: featurized.features,
        fold,
    });
    // The closure picks the output of `train`, which is a plain task.
    p.add(Ensemble {
        models: folds.gather(|_| trained.model),
    });
    let message = compile_error(&p);
    assert_eq!(
        message,
        "pipeline `bad-gather`: task `ensemble` gathers `models` from `train`, which is not a fan-out"
    );
}

#[test]
fn rejects_taking_a_fan_out_artifact_directly() {
    let p = base("bad-fan-in");
    let featurized = featurized(&p, 10);
    let seeds = p.fan_out(0..3u32, |seed| TrainSeed {
        features: featurized.features,
        seed,
        depth: 2.into(),
    });
    // One model where the fan-out produced one per item: Argo does not aggregate artifacts.
    p.add(UseModel { model: seeds.model });
    let message = compile_error(&p);
    assert_eq!(
        message,
        "pipeline `bad-fan-in`: task `use-model` takes `model` from fan-out `train-seed` directly; \
         Argo does not aggregate looped artifacts: use `FanOut::gather` and an `Input<Collection<_>>`"
    );
}

#[test]
fn rejects_an_exit_task_reading_task_outputs() {
    let p = base("bad-exit");
    let counted = p.add(Count { n: 1.into() });
    p.on_exit(UseCount {
        count: counted.count.into(),
        label: "x".into(),
    });
    let message = compile_error(&p);
    assert!(
        message.starts_with(
            "pipeline `bad-exit`: exit handler task `use-count` reads other tasks' outputs"
        ) && message.contains("workflow_status"),
        "{message}"
    );

    // Artifacts are outputs too.
    let p = base("bad-exit-artifact");
    let ingested = ingested(&p, 1);
    p.on_exit(Featurize {
        passengers: ingested.passengers,
    });
    let message = compile_error(&p);
    assert!(
        message.contains("exit handler task `featurize` reads other tasks' outputs"),
        "{message}"
    );
}

#[test]
fn rejects_cache_on_a_task_with_artifact_inputs() {
    let p = base("bad-cache");
    let ingested = ingested(&p, 1);
    p.add(Featurize {
        passengers: ingested.passengers,
    })
    .cache("24h");
    let message = compile_error(&p);
    assert!(
        message.starts_with(
            "pipeline `bad-cache`: task `featurize` asks for Argo caching but takes artifacts"
        ),
        "{message}"
    );
}

#[test]
fn rejects_duplicate_task_names() {
    let p = base("bad-names");
    p.add(Noop {}).named("step");
    p.add(Echo {
        message: "x".into(),
    })
    .named("step");
    let message = compile_error(&p);
    assert_eq!(
        message,
        "pipeline `bad-names`: two tasks are named `step`; rename one with `.named(..)`"
    );
}

#[test]
fn rejects_an_empty_pipeline() {
    let message = compile_error(&base("empty"));
    assert_eq!(
        message,
        "pipeline `empty`: has no tasks: add one with `Pipeline::add`"
    );

    // An exit handler alone is not a pipeline either.
    let p = base("only-exit");
    p.on_exit(Echo {
        message: "bye".into(),
    });
    let message = compile_error(&p);
    assert!(message.contains("has no tasks"), "{message}");
}
