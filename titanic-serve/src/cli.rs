//! Command-line options of `titanic-serve`.

use clap::Parser;
use std::net::IpAddr;
use std::path::PathBuf;

/// Serve a Titanic model bundle: the demo's `/predict`, the Open Inference Protocol v2,
/// health, metrics and a beacon log of every request.
#[derive(Parser, Debug, Clone)]
#[command(name = "titanic-serve", version, about)]
pub struct Args {
    /// The model bundle: a path to `model.json`, `s3://bucket/key` (endpoint and credentials
    /// from the usual `AWS_*` variables), or a model in MLflow's registry or runs:
    /// `models:/NAME@ALIAS`, `models:/NAME/VERSION`, `runs:/RUN_ID/PATH` (the server from
    /// `MLFLOW_TRACKING_URI`, credentials from `MLFLOW_TRACKING_TOKEN` or `_USERNAME`/`_PASSWORD`).
    #[arg(
        long,
        value_name = "PATH|s3://BUCKET/KEY|models:/NAME@ALIAS",
        conflicts_with_all = ["bucket", "model_path"]
    )]
    pub model: Option<String>,
    /// The demo's form: the bucket holding the bundle (with `--model-path`).
    #[arg(long, requires = "model_path")]
    pub bucket: Option<String>,
    /// The demo's form: the bundle's key in `--bucket`.
    #[arg(long, value_name = "KEY", requires = "bucket")]
    pub model_path: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    pub host: IpAddr,
    /// Port to listen on (`$PORT` when set, as Knative and KServe set it).
    #[arg(long, env = "PORT", default_value_t = 8090)]
    pub port: u16,
    /// Directory of the beacon log (`beacon.log`, one JSON line per request).
    #[arg(
        long,
        value_name = "DIR",
        env = "BEACON_DIR",
        default_value = "/var/beacon"
    )]
    pub beacon_dir: PathBuf,
    /// Leave this request field out of the beacon log (repeatable), e.g. `--redact Name`.
    #[arg(long, value_name = "FIELD")]
    pub redact: Vec<String>,
    /// Rotate `beacon.log` when it would grow past this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub beacon_max_bytes: u64,
    /// Rotated beacon files kept (`beacon.log.1` is the newest).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub beacon_keep: usize,
    /// Largest request body accepted, in bytes; larger bodies get 413.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub body_limit: usize,
    /// Seconds a client may take to send a request's header, from the connection's opening or
    /// the request's first byte; then the connection is closed (a client that connects and sends
    /// nothing, or dribbles its header, holds no connection longer).
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub header_timeout: u64,
    /// Seconds a client may take to send a request's body once its header arrived; then it gets
    /// 408 and the connection is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub body_timeout: u64,
    /// Seconds a keep-alive connection may stay silent after a response before it is closed
    /// (above the idle timeout of a load balancer in front, e.g. 60 s for AWS's).
    #[arg(long, value_name = "SECONDS", default_value_t = 75, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout: u64,
    /// Connections open at once; at the cap the server stops accepting until one closes (new
    /// clients wait in the kernel's listen queue). Keep it under the open-files limit (`ulimit -n`).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// Check the model's file or S3 object every SECONDS and reload it when it changed; with
    /// `models:/NAME@ALIAS`, follow the alias to whatever version it points at (SIGHUP reloads at
    /// once in any case).
    #[arg(long, value_name = "SECONDS")]
    pub watch: Option<u64>,
    /// Model name in the Open Inference Protocol routes (`/v2/models/<name>/...`).
    #[arg(long, default_value = "titanic")]
    pub model_name: String,
    /// Seconds to let in-flight requests finish after SIGTERM/SIGINT.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub shutdown_grace: u64,
}
