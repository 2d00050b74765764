//! The components the runner tests run. This test binary is also the components binary: the
//! runner spawns it as `<test exe> component <name> --param k=v --input k=PATH --output k=PATH`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pipeline_dsl::prelude::*;
use pipeline_dsl::runtime::{run_component, RunContext};

/// Runs a component from the command line; returns the process exit code.
pub fn dispatch(args: &[String]) -> i32 {
    let mut ctx = RunContext {
        component: args.first().cloned().unwrap_or_default(),
        ..Default::default()
    };
    let mut rest = args.iter().skip(1);
    while let (Some(flag), Some(pair)) = (rest.next(), rest.next()) {
        let Some((k, v)) = pair.split_once('=') else {
            eprintln!("expected NAME=VALUE after {flag}, got {pair}");
            return 2;
        };
        match flag.as_str() {
            "--param" => {
                ctx.params.insert(k.into(), v.into());
            }
            "--input" => {
                ctx.inputs.insert(k.into(), PathBuf::from(v));
            }
            "--output" => {
                ctx.outputs.0.insert(k.into(), PathBuf::from(v));
            }
            other => {
                eprintln!("unknown flag {other}");
                return 2;
            }
        }
    }
    trace(&ctx);
    match run_component(&ctx) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            i32::from(e.exit_code())
        }
    }
}

/// Appends `<component> <params>` to `$FIXTURE_TRACE`: the tests count spawned processes.
fn trace(ctx: &RunContext) {
    if let Ok(path) = std::env::var("FIXTURE_TRACE") {
        use std::io::Write;
        let params: Vec<String> = ctx.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            // One write per line: steps running at once append to the same file, and
            // `writeln!` on a `File` writes each piece separately, so lines could interleave.
            let line = format!("{} {}\n", ctx.component, params.join(" "));
            let _ = f.write_all(line.as_bytes());
        }
    }
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

#[derive(Outputs)]
pub struct Rows {
    /// Numbers.
    pub rows: Json<Vec<u32>>,
}

/// Makes `0..n`.
#[component]
pub fn make(n: u32) -> Result<Rows> {
    Ok(Rows {
        rows: Json((0..n).collect()),
    })
}

/// Doubles every number.
#[component]
pub fn double(rows: Input<Json<Vec<u32>>>) -> Result<Rows> {
    Ok(Rows {
        rows: Json(rows.0 .0.iter().map(|r| r * 2).collect()),
    })
}

#[derive(Outputs)]
pub struct Summed {
    /// Sum.
    pub sum: Param<u64>,
}

/// Sums the numbers.
#[component]
pub fn total(rows: Input<Json<Vec<u32>>>) -> Result<Summed> {
    Ok(Summed {
        sum: Param(rows.0 .0.iter().map(|r| u64::from(*r)).sum()),
    })
}

#[derive(Outputs)]
pub struct Fitted {
    /// Per-fold model.
    pub model: Json<Vec<u32>>,
    /// Fold score.
    pub score: Param<f64>,
}

/// Fits one fold: keeps the rows whose index is not the fold.
#[component]
pub fn fit(rows: Input<Json<Vec<u32>>>, fold: u32) -> Result<Fitted> {
    let model: Vec<u32> = rows.0 .0.iter().copied().filter(|r| *r != fold).collect();
    Ok(Fitted {
        model: Json(model),
        score: Param(0.5 + f64::from(fold) / 10.0),
    })
}

#[derive(Outputs)]
pub struct Merged {
    /// Models side by side.
    pub merged: Json<Vec<Vec<u32>>>,
    /// KFP metrics.
    pub metrics: Metrics,
    /// A plot.
    pub plot: Png,
    /// Accuracy for the gate.
    pub accuracy: Param<f64>,
}

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Merges the fold models.
#[component]
pub fn merge(models: Input<Collection<Json<Vec<u32>>>>) -> Result<Merged> {
    let merged: Vec<Vec<u32>> = models.0.iter().map(|m| m.0.clone()).collect();
    Ok(Merged {
        metrics: Metrics::new()
            .with("folds", merged.len() as f64)
            .with_percentage("accuracy", 0.75),
        merged: Json(merged),
        plot: Png(PNG.to_vec()),
        accuracy: Param(0.75),
    })
}

#[derive(Outputs)]
pub struct Published {
    /// Where it went.
    pub url: Param<String>,
}

/// Publishes the merged model.
#[component]
pub fn publish(model: Input<Json<Vec<Vec<u32>>>>) -> Result<Published> {
    Ok(Published {
        url: Param(format!("mem://model/{}", model.0 .0.len())),
    })
}

/// Announces the published model.
#[component]
pub fn announce(url: String) -> Result<()> {
    println!("published at {url}");
    Ok(())
}

#[derive(Outputs)]
pub struct Attempts {
    /// Attempt count seen by the step.
    pub attempt: Param<u32>,
}

/// Fails the first `failures` times (counting in the file `counter`).
#[component]
pub fn flaky(counter: String, failures: u32) -> Result<Attempts> {
    let seen: u32 = std::fs::read_to_string(&counter)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    std::fs::write(&counter, (seen + 1).to_string())?;
    if seen < failures {
        return Err(format!("flaky failure {} of {failures}", seen + 1).into());
    }
    Ok(Attempts {
        attempt: Param(seen + 1),
    })
}

/// Always fails, after writing some markup to stdout.
#[component]
pub fn boom(message: String) -> Result<Summed> {
    println!("<script>alert('not escaped')</script>");
    Err(message.into())
}

/// Sleeps `ms`, writing `start end` (unix ms) to `stamp`.
#[component]
pub fn sleepy(ms: u64, stamp: String) -> Result<()> {
    let start = now_ms();
    std::thread::sleep(Duration::from_millis(ms));
    std::fs::write(&stamp, format!("{start} {}", now_ms()))?;
    Ok(())
}

/// Passes the rows through once the file `marker` exists (waits at most 60 s).
#[component]
pub fn block(rows: Input<Json<Vec<u32>>>, marker: String) -> Result<Rows> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !Path::new(&marker).exists() {
        if Instant::now() > deadline {
            return Err("marker never appeared".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Rows {
        rows: Json(rows.0 .0.clone()),
    })
}

/// Writes the workflow status and failures to `out`.
#[component]
pub fn report(status: String, failures: String, out: String) -> Result<()> {
    std::fs::write(&out, format!("{status}\n{failures}"))?;
    Ok(())
}

#[derive(Outputs)]
pub struct Echoed {
    /// The text, unchanged.
    pub text: Param<String>,
}

/// Returns `text` as an output parameter, or fails with it when `fail` is set.
#[component]
pub fn echo(text: String, fail: bool) -> Result<Echoed> {
    if fail {
        return Err(format!("echo asked to fail on {text}").into());
    }
    Ok(Echoed { text: Param(text) })
}

/// Writes `NAME=value` (or `NAME unset`) for each comma-separated name in `names` to `out`.
#[component]
pub fn env_dump(names: String, out: String) -> Result<()> {
    let lines: Vec<String> = names
        .split(',')
        .map(|n| match std::env::var(n) {
            Ok(v) => format!("{n}={v}"),
            Err(_) => format!("{n} unset"),
        })
        .collect();
    std::fs::write(&out, lines.join("\n"))?;
    Ok(())
}
