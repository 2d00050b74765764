//! Compile benchmark: synthetic DAGs of 4, 1,000 and 10,000 tasks (parallel chains braided by
//! fan-in layers, fan-outs gathered, `when` gates on output parameters, pipeline parameters,
//! artifacts everywhere, some per-task option variants, an exit handler), timed through the whole
//! path a user pays for: build the graph, compile, validate against Argo's rules, render the
//! YAML. `Pipeline::compile` is `compile_unvalidated` followed by `argo::validate_workflow`; the
//! benchmark calls the two separately to time them separately.
//!
//! Run: `cargo bench -p pipeline-dsl --bench compile` (release profile). Environment:
//! `BENCH_SIZES=4,1000` (sizes), `BENCH_MIN_ITERS=5` (minimum iterations, default 3; small sizes
//! repeat for ~2 s), `BENCH_NAMES=explicit` (name every task with `.named(..)` instead of letting
//! the builder number them).
//!
//! Prints, per size, the mean milliseconds per compile and per phase, the per-task cost, the
//! SHA-256 of the YAML (so runs before and after a change to the emitter show whether its output
//! stayed byte-identical), and, per phase, the ratio of per-task costs 10k/1k (1.0 = linear
//! growth, 10 = quadratic).
//!
//! Argo's CRD allows at most 200 tasks per DAG and 200 templates, and the manifest budget is
//! 1 MiB, so the 1,000- and 10,000-task manifests are refused by `compile()` / `to_yaml()`; the
//! benchmark checks those are the only complaints and times the full work anyway. It measures how
//! the compiler scales, not a deployable workflow.

use pipeline_dsl::argo::{EmitError, ErrorKind};
use pipeline_dsl::compile::CompileError;
use pipeline_dsl::prelude::*;
use sha2::{Digest, Sha256};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct Row {
    pub x: f64,
    pub y: f64,
}

#[derive(Outputs)]
pub struct Data {
    /// Rows.
    pub data: Dataset<Row>,
    /// A score for `when` gates.
    pub score: Param<f64>,
}

fn data() -> Data {
    Data {
        data: Vec::new().into(),
        score: Param(1.0),
    }
}

/// Makes rows.
#[component]
pub fn source(seed: u64, label: String) -> Result<Data> {
    let _ = (seed, label);
    Ok(data())
}

/// One link of a chain.
#[component(cpu = "250m", memory = "256Mi")]
pub fn step(input: Input<Dataset<Row>>, weight: f64, depth: u32) -> Result<Data> {
    let _ = (input, weight, depth);
    Ok(data())
}

/// Fan-in of four chains.
#[component(retries = 2, backoff = "5s")]
pub fn merge(
    a: Input<Dataset<Row>>,
    b: Input<Dataset<Row>>,
    c: Input<Dataset<Row>>,
    d: Input<Dataset<Row>>,
    threshold: f64,
) -> Result<Data> {
    let _ = (a, b, c, d, threshold);
    Ok(data())
}

/// One item of a fan-out.
#[component]
pub fn shard(input: Input<Dataset<Row>>, index: u32) -> Result<Data> {
    let _ = (input, index);
    Ok(data())
}

/// Gathers a fan-out.
#[component]
pub fn combine(parts: Input<Collection<Dataset<Row>>>, scale: f64) -> Result<Data> {
    let _ = (parts, scale);
    Ok(data())
}

/// Exit handler.
#[component]
pub fn report(status: String, workflow: String) -> Result<()> {
    let _ = (status, workflow);
    Ok(())
}

const LANES: usize = 4;

/// A pipeline of exactly `n` tasks (n >= 4): `LANES` chains; every 5th layer merges the chains
/// (fan-in) and splits them again, every 25th layer is a 4-way fan-out gathered back, every 7th
/// task is gated on an output parameter, every 50th gets its own resources (a template variant),
/// and one exit task reports the status.
/// With `explicit_names`, every task gets a `.named("step-00042")` as a generator of large DAGs
/// would write; otherwise the builder names them (`step`, `step-2`, ...).
fn build(n: usize, explicit_names: bool) -> Pipeline {
    assert!(n >= 4);
    let name = |kind: &str, i: usize| format!("{kind}-{i:05}");
    let p = Pipeline::new("bench")
        .image("ghcr.io/example/bench:1.0.0")
        .artifact_repository("artifact-repositories", "default");
    let weight = p.param("weight", 0.5f64);
    let depth = p.param("depth", 3u32);
    let threshold = p.param("threshold", 0.8f64);
    let label = p.param("label", String::from("bench"));
    p.on_exit(Report {
        status: p.workflow_status(),
        workflow: p.workflow_name(),
    });
    let mut count = 1;
    if n == 4 {
        // The smallest useful pipeline: source -> step -> step, plus the exit task.
        let s = p.add(Source {
            seed: 1.into(),
            label,
        });
        let a = p.add(Step {
            input: s.data,
            weight: weight.clone(),
            depth: depth.clone(),
        });
        p.add(Step {
            input: a.data,
            weight,
            depth,
        })
        .when(a.score.ge(threshold));
        return p;
    }
    let mut lanes: Vec<_> = (0..LANES)
        .map(|i| {
            count += 1;
            let t = p.add(Source {
                seed: (i as u64).into(),
                label: label.clone(),
            });
            if explicit_names {
                t.named(&name("source", count))
            } else {
                t
            }
        })
        .map(|t| (t.data, t.score))
        .collect();
    let mut layer = 0;
    while count < n {
        layer += 1;
        if layer % 25 == 0 && n - count >= 2 {
            let (input, _) = lanes[layer % LANES];
            let mut shards = p.fan_out(0..4u32, |index| Shard { input, index });
            let mut combined = p.add(Combine {
                parts: shards.gather(|o| o.data),
                scale: weight.clone(),
            });
            if explicit_names {
                shards = shards.configure(|t| t.named(&name("shard", count + 1)));
                combined = combined.named(&name("combine", count + 2));
            }
            lanes[layer % LANES] = (combined.data, combined.score);
            count += 2;
        } else if layer % 5 == 0 {
            let mut merged = p.add(Merge {
                a: lanes[0].0,
                b: lanes[1].0,
                c: lanes[2].0,
                d: lanes[3].0,
                threshold: threshold.clone(),
            });
            count += 1;
            if explicit_names {
                merged = merged.named(&name("merge", count));
            }
            for lane in lanes.iter_mut() {
                *lane = (merged.data, merged.score);
            }
        } else {
            for lane in lanes.iter_mut() {
                if count >= n {
                    break;
                }
                let mut task = p.add(Step {
                    input: lane.0,
                    weight: weight.clone(),
                    depth: depth.clone(),
                });
                count += 1;
                if explicit_names {
                    task = task.named(&name("step", count));
                }
                if count % 7 == 0 {
                    task = task.when(lane.1.ge(threshold.clone()));
                }
                if count % 50 == 0 {
                    task = task.cpu(&format!("{}m", 100 + count % 900)).retries(3);
                }
                *lane = (task.data, task.score);
            }
        }
    }
    p
}

#[derive(Default, Clone, Copy)]
struct Phases {
    build: Duration,
    compile: Duration,
    validate: Duration,
    yaml: Duration,
}

impl Phases {
    fn total(&self) -> Duration {
        self.build + self.compile + self.validate + self.yaml
    }
    fn add(&mut self, other: &Phases) {
        self.build += other.build;
        self.compile += other.compile;
        self.validate += other.validate;
        self.yaml += other.yaml;
    }
}

/// What one run observed besides the times.
struct Seen {
    /// Bytes of the YAML.
    bytes: usize,
    /// `to_yaml` refused the manifest as too large (after serializing it).
    too_large: bool,
    /// The validator's only complaints were the CRD's size bounds (200 tasks per DAG, 200
    /// templates).
    over_crd_bounds: bool,
}

/// One full compile: `Pipeline::compile` is `compile_unvalidated` + `argo::validate_workflow`;
/// they are called separately here to time them separately.
fn once(n: usize, explicit_names: bool) -> (Phases, Seen) {
    let t0 = Instant::now();
    let p = build(n, explicit_names);
    let t1 = Instant::now();
    let compiled = p
        .compile_unvalidated()
        .expect("the synthetic pipeline is wired correctly");
    let t2 = Instant::now();
    let validation = pipeline_dsl::argo::validate_workflow(&compiled.workflow());
    let t3 = Instant::now();
    // `to_yaml` refuses manifests above the Kubernetes object size budget, after serializing
    // them; the serialization is what we time either way.
    let (bytes, too_large) = match compiled.to_yaml() {
        Ok(yaml) => (black_box(yaml).len(), false),
        Err(CompileError::Emit(EmitError::TooLarge(report))) => (report.bytes, true),
        Err(e) => panic!("to_yaml: {e}"),
    };
    let t4 = Instant::now();

    let over_crd_bounds = match validation {
        Ok(()) => false,
        Err(errors) => {
            let unexpected: Vec<String> = errors
                .iter()
                .filter(|e| !matches!(e.kind, ErrorKind::TooMany { .. }))
                .map(|e| e.to_string())
                .collect();
            assert!(
                unexpected.is_empty(),
                "the synthetic pipeline breaks Argo's rules: {unexpected:#?}"
            );
            true
        }
    };
    let tasks: usize = compiled
        .spec()
        .templates
        .iter()
        .filter_map(|t| t.dag.as_ref())
        .map(|d| d.tasks.len())
        .sum();
    assert_eq!(tasks, n, "the synthetic pipeline has the requested size");
    (
        Phases {
            build: t1 - t0,
            compile: t2 - t1,
            validate: t3 - t2,
            yaml: t4 - t3,
        },
        Seen {
            bytes,
            too_large,
            over_crd_bounds,
        },
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters nothing here.
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![4, 1_000, 10_000]);
    let min_iters: u32 = std::env::var("BENCH_MIN_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let explicit_names = std::env::var("BENCH_NAMES").is_ok_and(|v| v == "explicit");
    println!(
        "task names: {}",
        if explicit_names {
            "explicit (`.named(..)` on every task)"
        } else {
            "automatic (`step`, `step-2`, ...); BENCH_NAMES=explicit names every task"
        }
    );
    println!(
        "{:>7} {:>6} {:>11} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
        "tasks",
        "iters",
        "ms/compile",
        "build",
        "compile",
        "validate",
        "to_yaml",
        "us/task",
        "YAML KiB"
    );
    let mut per_task = Vec::new();
    let mut notes = Vec::new();
    for &n in &sizes {
        let mut sum = Phases::default();
        let mut iters = 0u32;
        let mut seen = None;
        let started = Instant::now();
        // Warm-up, kept as a measurement when it is slow anyway (large sizes).
        let (t, s) = once(n, explicit_names);
        if t.total() > Duration::from_secs(1) {
            sum.add(&t);
            seen = Some(s);
            iters += 1;
        }
        // At least `min_iters`, and keep going up to ~2 s in all (at most 1000).
        while iters < min_iters || (started.elapsed() < Duration::from_secs(2) && iters < 1000) {
            let (t, s) = once(n, explicit_names);
            sum.add(&t);
            seen = Some(s);
            iters += 1;
        }
        let seen = seen.expect("at least one iteration");
        let mean = |d: Duration| ms(d) / f64::from(iters);
        let total = mean(sum.total());
        let us_per_task = total * 1e3 / n as f64;
        let phases = [sum.build, sum.compile, sum.validate, sum.yaml, sum.total()];
        per_task.push((n, phases.map(|d| mean(d) * 1e3 / n as f64)));
        println!(
            "{:>7} {:>6} {:>11.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.2} {:>10.1}",
            n,
            iters,
            total,
            mean(sum.build),
            mean(sum.compile),
            mean(sum.validate),
            mean(sum.yaml),
            us_per_task,
            seen.bytes as f64 / 1024.0,
        );
        // Outside the timed runs: the manifest's digest, whether or not the size budget refuses it.
        let compiled = build(n, explicit_names)
            .compile_unvalidated()
            .expect("wired");
        let yaml = pipeline_dsl::argo::to_yaml(&compiled.workflow()).expect("serializable");
        let digest = Sha256::digest(yaml.as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        notes.push(format!("{n} tasks: YAML sha256 {hex}..."));
        if seen.over_crd_bounds {
            notes.push(format!(
                "{n} tasks: above the CRD's 200 tasks per DAG / 200 templates: `compile()` \
                 refuses it (only those errors)"
            ));
        }
        if seen.too_large {
            notes.push(format!(
                "{n} tasks: above the 1 MiB manifest limit: `to_yaml()` refuses it after serializing"
            ));
        }
    }
    for note in notes {
        println!("note: {note}");
    }
    let find = |n: usize| per_task.iter().find(|(m, _)| *m == n).map(|(_, c)| *c);
    if let (Some(k1), Some(k10)) = (find(1_000), find(10_000)) {
        let names = ["build", "compile", "validate", "to_yaml", "total"];
        let ratios: Vec<String> = (0..names.len())
            .map(|i| format!("{} {:.2}", names[i], k10[i] / k1[i]))
            .collect();
        println!(
            "per-task cost ratio 10k/1k (1.0 = linear, 10 = quadratic): {}",
            ratios.join(", ")
        );
    }
}
