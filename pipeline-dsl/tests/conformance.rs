//! Conformance set: small pipelines that together use every feature of the DSL, compiled to Argo
//! manifests.
//!
//! `conformance_manifests` compiles each pipeline, checks the manifest mentions the feature the
//! pipeline is about, checks determinism (two builds of the same pipeline, and two compiles of one
//! build, give byte-identical YAML) and writes the YAML into `$CONFORMANCE_DIR` (default
//! `<workspace>/target/conformance`; a relative path is taken from the current directory, which
//! is `pipeline-dsl/` under `cargo test`):
//!
//! - `<case>.workflow.yaml` for every case,
//! - `<case>.workflow-template.yaml` / `<case>.cron-workflow.yaml` for the cases that ask for them.
//!
//! Validate them offline with `scripts/validate_manifests.py "$CONFORMANCE_DIR"` (Hera models and,
//! when `../shared/argo` is there, the full CRD schema).
//!
//! The other tests check that the compiler rejects wiring Argo cannot run with a clear
//! `CompileError`.

#[path = "conformance/components.rs"]
mod components;

use components::*;
use pipeline_dsl::compile::CompileError;
use pipeline_dsl::prelude::*;
use std::path::{Path, PathBuf};

/// The image and command every conformance pipeline uses.
fn base(name: &str) -> Pipeline {
    Pipeline::new(name)
        .image("ghcr.io/example/conformance:1.0.0")
        .command(&["conformance"])
}

fn hyper() -> HyperParams {
    HyperParams {
        depth: 4,
        learning_rate: 0.1,
        features: vec!["age".into(), "fare".into()],
    }
}

fn folds(n: u32) -> Vec<FoldSpec> {
    (0..n)
        .map(|index| FoldSpec {
            index,
            seed: 1000 + u64::from(index),
            label: format!("fold {index}"),
        })
        .collect()
}

// ---------------------------------------------------------------- the pipelines

/// One task, no parameters.
fn minimal() -> Pipeline {
    let p = base("minimal");
    p.add(Noop {});
    p
}

/// Pipeline parameters of every scalar kind: int, float, string, bool.
fn params_scalar() -> Pipeline {
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
fn params_enum_struct() -> Pipeline {
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
fn literals() -> Pipeline {
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
fn output_params() -> Pipeline {
    let p = base("output-params");
    let counted = p.add(Count { n: 5.into() });
    p.add(UseCount {
        count: counted.count.into(),
        label: counted.label.into(),
    });
    p
}

/// `when` on numeric outputs: `>=` against a pipeline parameter, `<` and `>` against literals.
fn when_numeric() -> Pipeline {
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
fn when_string() -> Pipeline {
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
fn when_logic() -> Pipeline {
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
fn after_ordering() -> Pipeline {
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
fn fan_out_structs() -> Pipeline {
    let p = base("fan-out-structs");
    let ingested = p.add(Ingest {
        source: Source::Bundled.into(),
        limit: 100.into(),
    });
    let featurized = p.add(Featurize {
        passengers: ingested.passengers,
    });
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
fn fan_out_range() -> Pipeline {
    let p = base("fan-out-range");
    let depth = p.param("depth", 3u32);
    let ingested = p.add(Ingest {
        source: Source::Bundled.into(),
        limit: 100.into(),
    });
    let featurized = p.add(Featurize {
        passengers: ingested.passengers,
    });
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
fn exit_handler() -> Pipeline {
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
fn retries() -> Pipeline {
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
fn timeouts() -> Pipeline {
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
fn resources() -> Pipeline {
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
fn scheduling() -> Pipeline {
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
fn env_secrets() -> Pipeline {
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
fn caching() -> Pipeline {
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
fn image_override() -> Pipeline {
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
fn template_variants() -> Pipeline {
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
fn auto_names() -> Pipeline {
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
fn workflow_settings() -> Pipeline {
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
fn diamond() -> Pipeline {
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
fn artifact_kinds() -> Pipeline {
    let p = base("artifact-kinds").artifact_repository("artifact-repositories", "default");
    let ingested = p.add(Ingest {
        source: Source::Bundled.into(),
        limit: 891.into(),
    });
    let split = p.add(Split {
        passengers: ingested.passengers,
        validation_fraction: 0.2.into(),
        seed: 42.into(),
    });
    let featurized = p.add(Featurize {
        passengers: split.train,
    });
    let trained = p.fan_out(folds(2), |fold| TrainFold {
        features: featurized.features,
        fold,
    });
    let ensembled = p.add(Ensemble {
        models: trained.gather(|o| o.model),
    });
    let evaluated = p.add(Evaluate {
        model: ensembled.model,
        validation: split.validation,
    });
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
fn component_options() -> Pipeline {
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
fn single_model() -> Pipeline {
    let p = base("single-model");
    let hyper = p.param("hyper", hyper());
    let ingested = p.add(Ingest {
        source: Source::Bundled.into(),
        limit: 891.into(),
    });
    let featurized = p.add(Featurize {
        passengers: ingested.passengers,
    });
    p.add(Train {
        features: featurized.features,
        hyper,
    });
    p
}

/// The Titanic shape end to end: ingest, split, featurize, k-fold fan-out, ensemble, evaluate,
/// publish gated on accuracy and verdict, exit handler. Rendered as all three kinds.
fn titanic_like() -> Pipeline {
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
    let featurized = p.add(Featurize {
        passengers: split.train,
    });
    let trained = p
        .fan_out(folds(5), |fold| TrainFold {
            features: featurized.features,
            fold,
        })
        .configure(|t| t.retries(2).cpu("1").memory("1Gi").timeout("30m"));
    let ensembled = p.add(Ensemble {
        models: trained.gather(|o| o.model),
    });
    let evaluated = p.add(Evaluate {
        model: ensembled.model,
        validation: split.validation,
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
fn wide_layer() -> Pipeline {
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

// ---------------------------------------------------------------- the table

/// Which Argo kinds a case is rendered as, besides `Workflow`.
#[derive(Clone, Copy)]
enum Kind {
    Template,
    Cron,
}

struct Case {
    name: &'static str,
    build: fn() -> Pipeline,
    extra: &'static [Kind],
    /// Text the Workflow YAML must contain: evidence that the feature made it into the manifest.
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "minimal",
        build: minimal,
        extra: &[],
        expect: &["entrypoint: main", "template: noop"],
    },
    Case {
        name: "params-scalar",
        build: params_scalar,
        extra: &[],
        expect: &[
            "value: '0.25'",
            "value: 'true'",
            "value: hello world",
            "{{workflow.parameters.count}}",
            "{{workflow.parameters.enabled}}",
        ],
    },
    Case {
        name: "params-enum-struct",
        build: params_enum_struct,
        extra: &[],
        expect: &[
            "enum:\n          - bundled\n          - s3\n          - http",
            "description: Where the passengers come from",
            "value: '{\"depth\":4,\"features\":[\"age\",\"fare\"],\"learning_rate\":0.1}'",
            "value: '[\"baseline\",\"cv\"]'",
            "description: Hyper-parameters of the learner.",
        ],
    },
    Case {
        name: "literals",
        build: literals,
        extra: &[],
        expect: &[
            "value: '-7'",
            "value: 'a: b # c ''single'' \"double\" ünïcödé'",
            "value: 'null'",
            "value: ''",
            "value: '- item'",
            "value: '*anchor'",
            "value: |-\n                    first line\n                    second line",
        ],
    },
    Case {
        name: "output-params",
        build: output_params,
        extra: &[],
        expect: &[
            "value: '{{tasks.count.outputs.parameters.count}}'",
            "value: '{{tasks.count.outputs.parameters.label}}'",
            "depends: count.Succeeded",
            "valueFrom:\n              path: /scratch/out/count\n              default: '0'",
        ],
    },
    Case {
        name: "when-numeric",
        build: when_numeric,
        extra: &[],
        expect: &[
            "when: '{{=(tasks.count.outputs.parameters.score matches ''^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$'' && workflow.parameters.threshold matches ''^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$'') ? asFloat(tasks.count.outputs.parameters.score) >= asFloat(workflow.parameters.threshold) : false}}'",
            "? asFloat(tasks.count.outputs.parameters.score) < 0.5 : false}}'",
            "? asFloat(tasks.count.outputs.parameters.count) > 100 : false}}'",
        ],
    },
    Case {
        name: "when-string",
        build: when_string,
        extra: &[],
        expect: &[
            "when: '{{=tasks.count.outputs.parameters.label == ''gold''}}'",
            "when: '{{=tasks.count.outputs.parameters.label != ''silver''}}'",
            "when: '{{=tasks.count.outputs.parameters.label == workflow.parameters.wanted}}'",
        ],
    },
    Case {
        name: "when-logic",
        build: when_logic,
        extra: &[],
        expect: &[
            ") && (",
            ") || (",
            "when: '{{=!((",
            "depends: 'count-a.Succeeded && count-b.Succeeded'",
        ],
    },
    Case {
        name: "after-ordering",
        build: after_ordering,
        extra: &[],
        expect: &[
            "depends: first\n",
            "depends: 'count.Succeeded && first && second'",
        ],
    },
    Case {
        name: "fan-out-structs",
        build: fan_out_structs,
        extra: &[],
        expect: &[
            "withItems:",
            "value: '{{item.value}}'",
            "value: '{{item.key}}'",
            "label: fold 2",
            "key: '{{workflow.name}}/train-fold/model/'",
            "key: '{{workflow.name}}/train-fold/model/{{inputs.parameters.item-key}}'",
            "depends: train-fold.Succeeded",
        ],
    },
    Case {
        name: "fan-out-range",
        build: fan_out_range,
        extra: &[],
        expect: &[
            "withItems:",
            "- key: '00003'\n                value: 3",
            "value: '{{workflow.parameters.depth}}'",
            "key: '{{workflow.name}}/train-seed/model/'",
            "limit: '2'",
            "cpu: '2'",
        ],
    },
    Case {
        name: "exit-handler",
        build: exit_handler,
        extra: &[],
        expect: &[
            "onExit: exit-handler",
            "- name: exit-handler",
            "value: '{{workflow.status}}'",
            "value: '{{workflow.name}}'",
            "value: '{{workflow.failures}}'",
            "value: '{{workflow.parameters.channel}}'",
            "- name: cleanup",
        ],
    },
    Case {
        name: "retries",
        build: retries,
        extra: &[],
        expect: &[
            "limit: '3'\n        retryPolicy: OnFailure",
            "retryPolicy: OnError\n        backoff:\n          duration: '10s'\n          factor: '3'\n          maxDuration: '10m'",
            "retryPolicy: OnTransientError",
            "retryPolicy: Always",
            "template: echo-backoff",
        ],
    },
    Case {
        name: "timeouts",
        build: timeouts,
        extra: &[],
        expect: &[
            "timeout: '30s'",
            "timeout: '10m'",
            "timeout: '6h'",
        ],
    },
    Case {
        name: "resources",
        build: resources,
        extra: &[],
        expect: &[
            "cpu: '100m'",
            "memory: '64Mi'",
            "limits:",
            "memory: '2Gi'",
            "nvidia.com/gpu: '1'",
            "nvidia.com/gpu: '2'",
        ],
    },
    Case {
        name: "scheduling",
        build: scheduling,
        extra: &[],
        expect: &[
            "nodeSelector:",
            "cloud.google.com/gke-accelerator: nvidia-tesla-t4",
            "pool: spot",
            "tolerations:",
            "effect: NoSchedule",
            "effect: NoExecute",
            "effect: PreferNoSchedule",
            "operator: Equal",
        ],
    },
    Case {
        name: "env-secrets",
        build: env_secrets,
        extra: &[],
        expect: &[
            "name: FOO\n            value: bar",
            "name: MLFLOW_TRACKING_TOKEN",
            "secretKeyRef:",
            "name: mlflow",
            "name: PYTHONUNBUFFERED",
            "name: LOG_LEVEL\n            value: info",
            "name: other-secrets",
        ],
    },
    Case {
        name: "caching",
        build: caching,
        extra: &[Kind::Template],
        expect: &[
            "memoize:",
            "maxAge: '720h'",
            "maxAge: '24h'",
            "maxAge: '1h'",
            "sprig.sha256sum",
            "name: memo-count",
        ],
    },
    Case {
        name: "image-override",
        build: image_override,
        extra: &[],
        expect: &[
            "image: ghcr.io/example/other:0.3.0",
            "image: python:3.12-slim",
            "image: python:3.13-slim",
            "image: ghcr.io/example/conformance:1.0.0",
        ],
    },
    Case {
        name: "template-variants",
        build: template_variants,
        extra: &[],
        expect: &[
            "- name: a\n            template: echo\n",
            "- name: b\n            template: echo\n",
            "- name: c\n            template: echo-c\n",
            "- name: d\n            template: echo-d\n",
            "- name: e\n            template: echo-c\n",
        ],
    },
    Case {
        name: "auto-names",
        build: auto_names,
        extra: &[],
        expect: &[
            "- name: noop-2",
            "- name: noop-10",
            "depends: noop-9",
        ],
    },
    Case {
        name: "workflow-settings",
        build: workflow_settings,
        extra: &[Kind::Template, Kind::Cron],
        expect: &[
            "parallelism: 4",
            "serviceAccountName: pipeline-runner",
            "artifactRepositoryRef:\n    configMap: artifact-repositories\n    key: default-v1-s3-artifact-repository",
            "team: ml",
            "app.kubernetes.io/part-of: mlops-titanic",
            "workflows.argoproj.io/description:",
        ],
    },
    Case {
        name: "diamond",
        build: diamond,
        extra: &[],
        expect: &[
            "from: '{{tasks.split.outputs.artifacts.train}}'",
            "from: '{{tasks.split.outputs.artifacts.validation}}'",
            "depends: 'featurize-train && featurize-validation'",
        ],
    },
    Case {
        name: "artifact-kinds",
        build: artifact_kinds,
        extra: &[],
        expect: &[
            "name: passengers",
            "name: featurizer",
            "name: metrics",
            "name: roc",
            "name: report",
            "name: summary",
            "key: '{{workflow.name}}/train-fold/model/'",
            "path: /scratch/in/models",
        ],
    },
    Case {
        name: "component-options",
        build: component_options,
        extra: &[Kind::Cron],
        expect: &[
            "image: ghcr.io/example/kitchen-sink:2.1.0",
            "image: ghcr.io/example/kitchen-sink:2.2.0",
            "retryPolicy: OnTransientError",
            "timeout: '45m'",
            "cpu: '750m'",
            "cpu: '250m'",
            "nvidia.com/gpu: '1'",
            "name: api-secrets",
            "name: MODE",
            "template: kitchen-sink-kitchen-sink-small",
        ],
    },
    Case {
        name: "single-model",
        build: single_model,
        extra: &[],
        expect: &[
            "value: '{{workflow.parameters.hyper}}'",
            "from: '{{tasks.featurize.outputs.artifacts.features}}'",
            "cpu: '1'",
        ],
    },
    Case {
        name: "titanic-like",
        build: titanic_like,
        extra: &[Kind::Template, Kind::Cron],
        expect: &[
            "onExit: exit-handler",
            "withItems:",
            "key: '{{workflow.name}}/train-fold/model/'",
            "(tasks.evaluate.outputs.parameters.verdict == ''pass'')",
            ">= asFloat(workflow.parameters.threshold) : false)",
            "depends: 'ensemble.Succeeded && evaluate.Succeeded'",
            "name: s3-credentials",
        ],
    },
    Case {
        name: "wide-layer",
        build: wide_layer,
        extra: &[],
        expect: &[
            "parallelism: 3",
            "- name: count-11",
            "depends: 'count-00 && count-01",
        ],
    },
];

fn out_dir() -> PathBuf {
    match std::env::var_os("CONFORMANCE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("pipeline-dsl sits in the workspace")
            .join("target/conformance"),
    }
}

/// Every rendering of one case: (file name, YAML).
fn render(case: &Case) -> Vec<(String, String)> {
    let pipeline = (case.build)();
    let compiled = pipeline
        .compile()
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    let mut out = vec![(
        format!("{}.workflow.yaml", case.name),
        compiled
            .to_yaml()
            .unwrap_or_else(|e| panic!("{}: {e}", case.name)),
    )];
    for kind in case.extra {
        let (suffix, yaml) = match kind {
            Kind::Template => (
                "workflow-template",
                compiled.render(&compiled.workflow_template()),
            ),
            Kind::Cron => (
                "cron-workflow",
                compiled.render(&compiled.cron_workflow("0 3 * * *")),
            ),
        };
        let yaml = yaml.unwrap_or_else(|e| panic!("{} ({suffix}): {e}", case.name));
        out.push((format!("{}.{suffix}.yaml", case.name), yaml));
    }
    // Compiling the same pipeline again gives the same bytes.
    let again = pipeline.compile().unwrap().to_yaml().unwrap();
    assert_eq!(
        out[0].1, again,
        "{}: compiling twice gave different YAML",
        case.name
    );
    out
}

#[test]
fn conformance_manifests() {
    assert!(
        CASES.len() >= 20,
        "the conformance set has {} pipelines",
        CASES.len()
    );
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "two cases share a name");

    let dir = out_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mut written = 0;
    let mut missing = Vec::new();
    for case in CASES {
        let first = render(case);
        // Building the pipeline from scratch again gives the same bytes too.
        let second = render(case);
        assert_eq!(
            first, second,
            "{}: two builds gave different YAML",
            case.name
        );
        let workflow = &first[0].1;
        missing.extend(
            case.expect
                .iter()
                .filter(|needle| !workflow.contains(*needle))
                .map(|needle| format!("{}: {needle:?}", case.name)),
        );
        for (file, yaml) in &first {
            std::fs::write(dir.join(file), yaml).unwrap();
            written += 1;
        }
    }
    eprintln!("wrote {written} manifests to {}", dir.display());
    assert!(
        missing.is_empty(),
        "features missing from the Workflow YAML (see the files in {}):\n{}",
        dir.display(),
        missing.join("\n")
    );
}

// ---------------------------------------------------------------- rejected wiring

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
    let ingested = p.add(Ingest {
        source: Source::Bundled.into(),
        limit: 10.into(),
    });
    let featurized = p.add(Featurize {
        passengers: ingested.passengers,
    });
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
    let ingested = p.add(Ingest {
        source: Source::Bundled.into(),
        limit: 10.into(),
    });
    let featurized = p.add(Featurize {
        passengers: ingested.passengers,
    });
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
    let ingested = p.add(Ingest {
        source: Source::Bundled.into(),
        limit: 1.into(),
    });
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
    let ingested = p.add(Ingest {
        source: Source::Bundled.into(),
        limit: 1.into(),
    });
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
