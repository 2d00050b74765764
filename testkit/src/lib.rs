//! Real services for tests, each on a free loopback port and stopped (its whole process group)
//! when dropped: `moto_server` for S3 and `mlflow server` for MLflow, both from the project's
//! `.venv` (made by `scripts/test.sh`) or from `$MOTO_SERVER` / `$MLFLOW_BIN`.
//!
//! Without the program a test prints a NOTICE and skips, unless `REQUIRE_SERVICES=1` (set by
//! `scripts/test.sh`), which makes a missing program a failure.
//!
//! ```no_run
//! let Some(mlflow) = testkit::Service::mlflow() else { return }; // skipped: NOTICE printed
//! let uri = mlflow.url(); // http://127.0.0.1:<port>
//! ```

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("testkit lives in the workspace")
        .to_path_buf()
}

/// Where a run's `publish` step stored `model.json` (a path in the artifact store), from the
/// run's record (`run.json`, parsed); panics when the run did not publish.
pub fn published_model(run: &serde_json::Value) -> PathBuf {
    run["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["task"] == "publish")
        .and_then(|s| s["artifacts"][0]["path"].as_str())
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("the run did not publish model.json: {run}"))
}

/// A port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// `$<var>` or `.venv/bin/<name>`, or `None` (after a NOTICE) when missing and not required.
pub fn program(var: &str, name: &str) -> Option<PathBuf> {
    let program = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin").join(name));
    if program.exists() {
        return Some(program);
    }
    assert!(
        std::env::var_os("REQUIRE_SERVICES").is_none(),
        "REQUIRE_SERVICES is set but {} does not exist",
        program.display()
    );
    eprintln!(
        "NOTICE: {} not found; test skipped (run ./scripts/test.sh)",
        program.display()
    );
    None
}

/// A server process on a loopback port; dropping it kills its process group.
#[derive(Debug)]
pub struct Service {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// A scratch directory that lives as long as the service (its data).
    pub dir: tempfile::TempDir,
}

impl Service {
    /// Starts `command` (given the port and the scratch dir) in its own process group and waits
    /// up to `timeout` until `ready(port)` says yes.
    pub fn spawn(
        what: &str,
        command: impl FnOnce(u16, &Path) -> Command,
        ready: impl Fn(u16) -> bool,
        timeout: Duration,
    ) -> Service {
        let dir = tempfile::tempdir().expect("scratch dir");
        let port = free_port();
        let child = command(port, dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let mut service = Service { child, port, dir };
        let started = Instant::now();
        while !(TcpStream::connect(("127.0.0.1", port)).is_ok() && ready(port)) {
            if let Ok(Some(status)) = service.child.try_wait() {
                panic!("{what} exited before it answered: {status}");
            }
            assert!(
                started.elapsed() < timeout,
                "{what} did not answer on port {port} within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        service
    }

    /// `moto_server` (S3), or `None` when it is not installed (see the crate docs).
    pub fn moto() -> Option<Service> {
        let program = program("MOTO_SERVER", "moto_server")?;
        Some(Service::spawn(
            "moto_server",
            |port, _| {
                let mut c = Command::new(&program);
                c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
                c
            },
            |_| true,
            Duration::from_secs(60),
        ))
    }

    /// `mlflow server` with a sqlite store and `--serve-artifacts` in a scratch directory, or
    /// `None` when it is not installed (see the crate docs).
    pub fn mlflow() -> Option<Service> {
        let program = program("MLFLOW_BIN", "mlflow")?;
        Some(Service::spawn(
            "mlflow server",
            |port, dir| {
                let mut c = Command::new(&program);
                c.args(["server", "--host", "127.0.0.1", "--port", &port.to_string()])
                    .args(["--workers", "1", "--serve-artifacts"])
                    .arg("--backend-store-uri")
                    .arg(format!("sqlite:///{}", dir.join("mlflow.db").display()))
                    .arg("--artifacts-destination")
                    .arg(dir.join("artifacts"))
                    .current_dir(dir)
                    // No background job runners: the server's group is all there is to stop.
                    .env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
                c
            },
            |port| http_ok(port, "/health"),
            Duration::from_secs(180),
        ))
    }

    /// Python's `http.server` (the venv's interpreter, next to `moto_server`) serving `dir`, or
    /// `None` when it is not installed (see the crate docs).
    pub fn http(dir: &Path) -> Option<Service> {
        let python = program("MOTO_SERVER", "moto_server")?.with_file_name("python");
        Some(Service::spawn(
            "python -m http.server",
            |port, _| {
                let mut c = Command::new(&python);
                c.args(["-m", "http.server", "--bind", "127.0.0.1", "--directory"])
                    .arg(dir)
                    .arg(port.to_string());
                c
            },
            |_| true,
            Duration::from_secs(60),
        ))
    }

    /// The `AWS_*` variables a child process needs to reach this service as S3 (moto accepts
    /// any credentials).
    pub fn s3_env(&self) -> [(&'static str, String); 4] {
        [
            ("AWS_ENDPOINT_URL", self.url()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the process group and waits until the port is closed.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
    }
}

/// True when `GET <path>` on the loopback port answers `200`.
fn http_ok(port: u16, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}
