//! The conformance pipelines: each uses one feature of the DSL (its doc says which).

use super::components::*;
use pipeline_dsl::prelude::*;

/// The image and command every conformance pipeline uses.
pub fn base(name: &str) -> Pipeline {
    Pipeline::new(name)
        .image("ghcr.io/example/conformance:1.0.0")
        .command(&["conformance"])
}

/// `ingest`: the bundled source, `limit` rows.
pub fn ingested(p: &Pipeline, limit: u64) -> Task<IngestedHandles> {
    p.add(Ingest {
        source: Source::Bundled.into(),
        limit: limit.into(),
    })
}

/// [`ingested`] then `featurize`: how most pipelines start.
pub fn featurized(p: &Pipeline, limit: u64) -> Task<FeaturizedHandles> {
    let ingested = ingested(p, limit);
    p.add(Featurize {
        passengers: ingested.passengers,
    })
}

pub fn hyper() -> HyperParams {
    HyperParams {
        depth: 4,
        learning_rate: 0.1,
        features: vec!["age".into(), "fare".into()],
    }
}

pub fn folds(n: u32) -> Vec<FoldSpec> {
    (0..n)
        .map(|index| FoldSpec {
            index,
            seed: 1000 + u64::from(index),
            label: format!("fold {index}"),
        })
        .collect()
}

/// The tasks [`modelled`] adds.
pub struct Modelled {
    /// `featurize` of the split's training rows.
    pub featurized: Task<FeaturizedHandles>,
    /// One `train-fold` per fold.
    pub trained: FanOut<TrainedHandles>,
    /// `ensemble` of the fold models.
    pub ensembled: Task<EnsembledHandles>,
    /// `evaluate` of the ensemble on the split's validation rows.
    pub evaluated: Task<EvaluationHandles>,
}

/// The middle of the Titanic shape: `featurize` the split's training rows, train one model per
/// fold of [`folds`]`(n)` (the fan-out's options set by `configure`), `ensemble` them and
/// `evaluate` the ensemble on the split's validation rows.
pub fn modelled(
    p: &Pipeline,
    split: &Task<SplitOutputsHandles>,
    n: u32,
    configure: impl FnOnce(Task<TrainedHandles>) -> Task<TrainedHandles>,
) -> Modelled {
    let featurized = p.add(Featurize {
        passengers: split.train,
    });
    let trained = p
        .fan_out(folds(n), |fold| TrainFold {
            features: featurized.features,
            fold,
        })
        .configure(configure);
    let ensembled = p.add(Ensemble {
        models: trained.gather(|o| o.model),
    });
    let evaluated = p.add(Evaluate {
        model: ensembled.model,
        validation: split.validation,
    });
    Modelled {
        featurized,
        trained,
        ensembled,
        evaluated,
    }
}

/// One task, no parameters.
pub fn minimal() -> Pipeline {
    let p = base("minimal");
    p.add(Noop {});
    p
}

/// Pipeline parameters of every scalar kind: int, float, string, bool.
pub fn params_scalar() -> Pipeline {
    let p = base("params-scalar");
    let count = p.param("count", 3i64);
    let ratio = p.param("ratio", 0.25f64);
    let label = p.param("label", String::from("hello world"));
    let enabled = p.param("enabled", true);
    p.add(Scalars {
        count,
        ratio,
        label,
        enabled,
    });
    p
}

/// An enum parameter (its schemars `enum` becomes Argo's `enum`), a struct parameter, a list
/// parameter and described parameters.
pub fn params_enum_struct() -> Pipeline {
    let p = base("params-enum-struct");
    let source = p.param_described("source", Source::Bundled, "Where the passengers come from");
    let hyper = p.param("hyper", hyper());
    let tags = p.param("tags", vec![String::from("baseline"), String::from("cv")]);
    p.add(Configure {
        source,
        hyper,
        tags,
        note: None.into(),
    });
    p
}

/// Literal values of every kind, including strings YAML would misread without quoting.
pub fn literals() -> Pipeline {
    let p = base("literals");
    p.add(Scalars {
        count: (-7i64).into(),
        ratio: 1e-3.into(),
        label: "a: b # c 'single' \"double\" ünïcödé".into(),
        enabled: false.into(),
    });
    p.add(Configure {
        source: Source::S3.into(),
        hyper: hyper().into(),
        tags: vec![String::from("x y"), String::from("007")].into(),
        note: Some(String::from("null")).into(),
    });
    for (name, message) in [
        ("echo-true", "true"),
        ("echo-number", "1.50"),
        ("echo-multiline", "first line\nsecond line"),
        ("echo-empty", ""),
        ("echo-dash", "- item"),
        ("echo-star", "*anchor"),
    ] {
        p.add(Echo {
            message: message.into(),
        })
        .named(name);
    }
    p
}

/// An output parameter feeding another task's parameters.
pub fn output_params() -> Pipeline {
    let p = base("output-params");
    let counted = p.add(Count { n: 5.into() });
    p.add(UseCount {
        count: counted.count.into(),
        label: counted.label.into(),
    });
    p
}

/// `when` on numeric outputs: `>=` against a pipeline parameter, `<` and `>` against literals.
pub fn when_numeric() -> Pipeline {
    let p = base("when-numeric");
    let threshold = p.param("threshold", 0.7f64);
    let counted = p.add(Count { n: 1.into() });
    p.add(Echo {
        message: "good".into(),
    })
    .named("good")
    .when(counted.score.ge(threshold));
    p.add(Echo {
        message: "bad".into(),
    })
    .named("bad")
    .when(counted.score.lt(0.5));
    p.add(Echo {
        message: "many".into(),
    })
    .named("many")
    .when(counted.count.gt(100u64));
    p
}

/// `when` on string outputs: `==` and `!=` against literals and a pipeline parameter.
pub fn when_string() -> Pipeline {
    let p = base("when-string");
    let wanted = p.param("wanted", String::from("gold"));
    let counted = p.add(Count { n: 1.into() });
    p.add(Echo {
        message: "gold".into(),
    })
    .named("is-gold")
    .when(counted.label.eq("gold"));
    p.add(Echo {
        message: "not silver".into(),
    })
    .named("not-silver")
    .when(counted.label.ne("silver"));
    p.add(Echo {
        message: "wanted".into(),
    })
    .named("is-wanted")
    .when(counted.label.eq(wanted));
    p
}

/// `and`, `or`, `not`, and two `when`s on one task (combined with `and`).
pub fn when_logic() -> Pipeline {
    let p = base("when-logic");
    let a = p.add(Count { n: 1.into() }).named("count-a");
    let b = p.add(Count { n: 2.into() }).named("count-b");
    p.add(Echo {
        message: "both".into(),
    })
    .named("both")
    .when(a.score.ge(0.5).and(a.label.eq("gold")));
    p.add(Echo {
        message: "either".into(),
    })
    .named("either")
    .when(a.score.lt(0.1).or(b.count.ge(10u64)));
    p.add(Echo {
        message: "neither".into(),
    })
    .named("neither")
    .when(a.score.ge(0.9).or(b.label.eq("x")).not());
    p.add(Echo {
        message: "stacked".into(),
    })
    .named("stacked")
    .when(a.score.gt(0.2))
    .when(b.count.le(3u64));
    p
}

/// `after`: ordering without a data dependency, and `after` on a task that is also a data
/// dependency (one `depends` term).
pub fn after_ordering() -> Pipeline {
    let p = base("after-ordering");
    let first = p
        .add(Echo {
            message: "first".into(),
        })
        .named("first");
    let second = p
        .add(Echo {
            message: "second".into(),
        })
        .named("second")
        .after(&first);
    let counted = p.add(Count { n: 3.into() });
    p.add(UseCount {
        count: counted.count.into(),
        label: "x".into(),
    })
    .after(&counted)
    .after(&second)
    .after(&first);
    p
}

/// A fan-out over a `Vec` of structs, gathered into a `Collection`.
pub fn fan_out_structs() -> Pipeline {
    let p = base("fan-out-structs");
    let featurized = featurized(&p, 100);
    let trained = p.fan_out(folds(3), |fold| TrainFold {
        features: featurized.features,
        fold,
    });
    p.add(Ensemble {
        models: trained.gather(|o| o.model),
    });
    p
}

/// A fan-out over a range with a pipeline parameter, per-item options, gathered.
pub fn fan_out_range() -> Pipeline {
    let p = base("fan-out-range");
    let depth = p.param("depth", 3u32);
    let featurized = featurized(&p, 100);
    let seeds = p
        .fan_out(0..4u32, |seed| TrainSeed {
            features: featurized.features,
            seed,
            depth,
        })
        .configure(|t| t.retries(2).cpu("2").memory("2Gi"));
    p.add(Ensemble {
        models: seeds.gather(|o| o.model),
    });
    p
}

/// An exit handler reading `workflow.status`, `workflow.name`, `workflow.failures` and a pipeline
/// parameter; two exit tasks.
pub fn exit_handler() -> Pipeline {
    let p = base("exit-handler");
    let channel = p.param("channel", String::from("#ml-alerts"));
    p.add(Noop {});
    p.on_exit(Notify {
        status: p.workflow_status(),
        workflow: p.workflow_name(),
        failures: p.workflow_failures(),
        channel,
    });
    p.on_exit(Echo {
        message: "cleanup".into(),
    })
    .named("cleanup");
    p
}

/// Retries: a plain limit, full backoff with factor/policy/max duration, a policy only,
/// component-level retries, and a task overriding them.
pub fn retries() -> Pipeline {
    let p = base("retries");
    let echo = |m: &str| Echo { message: m.into() };
    p.add(echo("simple")).named("simple").retries(3);
    p.add(echo("backoff")).named("backoff").retry(
        Retry::new(5)
            .backoff("10s")
            .factor(3)
            .policy(RetryPolicy::OnError)
            .max_duration("10m"),
    );
    p.add(echo("transient"))
        .named("transient")
        .retry(Retry::new(2).policy(RetryPolicy::OnTransientError));
    p.add(Flaky {
        attempt_note: "component default".into(),
    });
    p.add(Flaky {
        attempt_note: "overridden".into(),
    })
    .named("flaky-override")
    .retry(Retry::new(1).policy(RetryPolicy::OnFailure));
    p
}

/// Timeouts: per task, from the component, and a task overriding the component's.
pub fn timeouts() -> Pipeline {
    let p = base("timeouts");
    p.add(Echo {
        message: "quick".into(),
    })
    .named("quick")
    .timeout("30s");
    p.add(Flaky {
        attempt_note: "component timeout".into(),
    });
    p.add(GpuStep { epochs: 3.into() }).timeout("6h");
    p
}

/// CPU/memory requests and limits and GPUs, per task and per component.
pub fn resources() -> Pipeline {
    let p = base("resources");
    let echo = |m: &str| Echo { message: m.into() };
    p.add(echo("small"))
        .named("small")
        .cpu("100m")
        .memory("64Mi");
    p.add(echo("limited"))
        .named("limited")
        .cpu("1")
        .cpu_limit("2")
        .memory("1Gi")
        .memory_limit("2Gi");
    p.add(echo("accelerated"))
        .named("accelerated")
        .gpu(1)
        .cpu("2")
        .memory("8Gi");
    p.add(GpuStep { epochs: 10.into() });
    p
}

/// Node selectors and tolerations.
pub fn scheduling() -> Pipeline {
    let p = base("scheduling");
    p.add(GpuStep { epochs: 1.into() })
        .node_selector("cloud.google.com/gke-accelerator", "nvidia-tesla-t4")
        .toleration("nvidia.com/gpu", "present", "NoSchedule");
    p.add(Echo {
        message: "spot".into(),
    })
    .named("spot")
    .node_selector("pool", "spot")
    .node_selector("topology.kubernetes.io/zone", "europe-west1-b")
    .toleration("spot", "true", "NoExecute")
    .toleration("dedicated", "ml", "PreferNoSchedule");
    p
}

/// Plain and secret environment variables, per task and per component, with a task overriding a
/// component's variable.
pub fn env_secrets() -> Pipeline {
    let p = base("env-secrets");
    p.add(Echo {
        message: "env".into(),
    })
    .named("with-env")
    .env("FOO", "bar")
    .env("EMPTY", "")
    .secret_env("MLFLOW_TRACKING_TOKEN", "mlflow", "token");
    p.add(External {
        script: "print(1)".into(),
    })
    .env("EXTRA", "1");
    p.add(AllOptions { depth: 2.into() })
        .env("LOG_LEVEL", "info")
        .secret_env("API_TOKEN", "other-secrets", "token");
    p
}

/// Argo memoization on tasks without artifact inputs: per task, per component, and on a task
/// reading another task's output parameter.
pub fn caching() -> Pipeline {
    let p = base("caching");
    let key = p.param("key", String::from("passengers-v1"));
    let looked_up = p.add(CachedLookup { key });
    p.add(Count { n: 7.into() }).cache("720h");
    p.add(UseCount {
        count: looked_up.count.into(),
        label: looked_up.label.into(),
    })
    .cache("1h");
    p.add(Noop {}).cache("10m");
    p
}

/// Per-task image overrides, a component's own image, and a task overriding that.
pub fn image_override() -> Pipeline {
    let p = base("image-override");
    let echo = |m: &str| Echo { message: m.into() };
    p.add(echo("default")).named("default-image");
    p.add(echo("custom"))
        .named("custom-image")
        .image("ghcr.io/example/other:0.3.0");
    p.add(External {
        script: "print(2)".into(),
    });
    p.add(External {
        script: "print(3)".into(),
    })
    .named("external-override")
    .image("python:3.13-slim");
    p
}

/// One component in several tasks: identical options share a template, different options get
/// their own template variant.
pub fn template_variants() -> Pipeline {
    let p = base("template-variants");
    let echo = |m: &str| Echo { message: m.into() };
    p.add(echo("a")).named("a");
    p.add(echo("b")).named("b");
    p.add(echo("c")).named("c").cpu("2");
    p.add(echo("d")).named("d").retries(2).memory("1Gi");
    p.add(echo("e")).named("e").cpu("2");
    p
}

/// Automatic task names: the same component added many times without `.named`.
pub fn auto_names() -> Pipeline {
    let p = base("auto-names");
    let first = p.add(Noop {});
    let mut previous = p.add(Noop {}).after(&first);
    for _ in 0..8 {
        previous = p.add(Noop {}).after(&previous);
    }
    p
}

/// Workflow-wide settings: artifact repository, service account, parallelism, labels,
/// description. Also rendered as a WorkflowTemplate and a CronWorkflow.
pub fn workflow_settings() -> Pipeline {
    let p = base("workflow-settings")
        .description("Nightly retraining of the passenger model.\nOwned by the ML team.")
        .artifact_repository("artifact-repositories", "default-v1-s3-artifact-repository")
        .service_account("pipeline-runner")
        .parallelism(4)
        .label("team", "ml")
        .label("app.kubernetes.io/part-of", "mlops-titanic");
    let n = p.param("n", 10u64);
    let counted = p.add(Count { n });
    p.add(UseCount {
        count: counted.count.into(),
        label: counted.label.into(),
    });
    p
}

/// A diamond: one source, two branches, a join.
pub fn diamond() -> Pipeline {
    let p = base("diamond");
    let ingested = p.add(Ingest {
        source: Source::Http.into(),
        limit: 50.into(),
    });
    let split = p.add(Split {
        passengers: ingested.passengers,
        validation_fraction: 0.25.into(),
        seed: 7.into(),
    });
    let left = p
        .add(Featurize {
            passengers: split.train,
        })
        .named("featurize-train");
    let right = p
        .add(Featurize {
            passengers: split.validation,
        })
        .named("featurize-validation");
    p.add(Echo {
        message: "joined".into(),
    })
    .named("join")
    .after(&left)
    .after(&right);
    p
}

/// Every built-in artifact kind produced and consumed: Dataset, Json, Model, Metrics, Png, Html,
/// Markdown and Collection.
pub fn artifact_kinds() -> Pipeline {
    let p = base("artifact-kinds").artifact_repository("artifact-repositories", "default");
    let ingested = ingested(&p, 891);
    let split = p.add(Split {
        passengers: ingested.passengers,
        validation_fraction: 0.2.into(),
        seed: 42.into(),
    });
    let Modelled {
        featurized,
        trained,
        ensembled,
        evaluated,
    } = modelled(&p, &split, 2, |t| t);
    p.add(Archive {
        passengers: ingested.passengers,
        featurizer: featurized.featurizer,
        model: ensembled.model,
        metrics: evaluated.metrics,
        roc: evaluated.roc,
        report: evaluated.report,
        summary: evaluated.summary,
        models: trained.gather(|o| o.model),
    });
    p
}

/// Every `#[component(...)]` option, and a task overriding some of them.
pub fn component_options() -> Pipeline {
    let p = base("component-options");
    p.add(AllOptions { depth: 3.into() });
    p.add(AllOptions { depth: 5.into() })
        .named("kitchen-sink-small")
        .cpu("250m")
        .memory("256Mi")
        .image("ghcr.io/example/kitchen-sink:2.2.0")
        .cache("1h");
    p
}

/// A single-train pipeline with a struct parameter feeding an artifact-consuming task.
pub fn single_model() -> Pipeline {
    let p = base("single-model");
    let hyper = p.param("hyper", hyper());
    let featurized = featurized(&p, 891);
    p.add(Train {
        features: featurized.features,
        hyper,
    });
    p
}

/// The Titanic shape end to end: ingest, split, featurize, k-fold fan-out, ensemble, evaluate,
/// publish gated on accuracy and verdict, exit handler. Rendered as all three kinds.
pub fn titanic_like() -> Pipeline {
    let p = base("titanic-like")
        .description("Titanic survival: train, evaluate, publish.")
        .artifact_repository("artifact-repositories", "default-v1-s3-artifact-repository")
        .service_account("pipeline-runner")
        .label("app", "titanic");
    let source = p.param("source", Source::Bundled);
    let limit = p.param("limit", 891u64);
    let fraction = p.param("validation-fraction", 0.2f64);
    let threshold = p.param("threshold", 0.75f64);
    let bucket = p.param("bucket", String::from("s3://mybucket/models"));
    let ingested = p.add(Ingest { source, limit });
    let split = p.add(Split {
        passengers: ingested.passengers,
        validation_fraction: fraction,
        seed: 42.into(),
    });
    let Modelled {
        ensembled,
        evaluated,
        ..
    } = modelled(&p, &split, 5, |t| {
        t.retries(2).cpu("1").memory("1Gi").timeout("30m")
    });
    p.add(Publish {
        model: ensembled.model,
        bucket,
    })
    .when(
        evaluated
            .accuracy
            .ge(threshold)
            .and(evaluated.verdict.eq("pass")),
    )
    .retry(Retry::new(3).backoff("30s").policy(RetryPolicy::OnError));
    p.on_exit(Notify {
        status: p.workflow_status(),
        workflow: p.workflow_name(),
        failures: p.workflow_failures(),
        channel: "#ml".into(),
    });
    p
}

/// A wide layer joined by one task: 12 parallel tasks, a fan-in through `after`.
pub fn wide_layer() -> Pipeline {
    let p = base("wide-layer").parallelism(3);
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            p.add(Count {
                n: (i as u64).into(),
            })
            .named(&format!("count-{i:02}"))
        })
        .collect();
    let mut join = p
        .add(Echo {
            message: "all done".into(),
        })
        .named("join");
    for t in &tasks {
        join = join.after(t);
    }
    p
}
