//! Helpers of the server's integration tests: the sibling binaries, a model the pipeline
//! produced (trained once per test process), a server process on a loopback port (stopped by
//! its pid), a raw HTTP client, putting a bundle into S3 (moto from `testkit`).

#![allow(dead_code)]

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A binary of the workspace built into the same target directory as this test.
pub fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build the workspace first (cargo build --release --workspace)",
        path.display()
    );
    path
}

/// The server binary.
pub fn serve_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_titanic-serve"))
}

/// `model.json` published by a real run of the pipeline (`titanic run`), once per process.
pub fn model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let stem = exe.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("model-{stem}"));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new(sibling("titanic"))
            .args(["run", "--artifacts"])
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let run = std::fs::read_dir(dir.join("runs"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let summary: Value =
            serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
        let path = testkit::published_model(&summary);
        let copy = dir.join("model.json");
        std::fs::copy(path, &copy).unwrap();
        copy
    })
}

#[allow(unused_imports)]
pub use testkit::{free_port, repo_root};

/// A running `titanic-serve` (killed by its pid when dropped, unless stopped).
pub struct Server {
    pub child: Option<Child>,
    pub port: u16,
    pub beacon: tempfile::TempDir,
}

impl Server {
    /// Starts `program args...` with `PORT` and `BEACON_DIR` set, waits for `/health`.
    pub fn start_with(program: &Path, args: &[&str], env: &[(&str, String)]) -> Server {
        let port = free_port();
        let beacon = tempfile::tempdir().unwrap();
        let child = Command::new(program)
            .args(args)
            .env("PORT", port.to_string())
            .env("BEACON_DIR", beacon.path())
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut server = Server {
            child: Some(child),
            port,
            beacon,
        };
        let started = Instant::now();
        loop {
            if server.try_get("/health").is_some_and(|(s, _)| s == 200) {
                return server;
            }
            if let Some(status) = server.child.as_mut().unwrap().try_wait().unwrap() {
                let mut err = String::new();
                let _ = server
                    .child
                    .as_mut()
                    .unwrap()
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err);
                panic!("server exited with {status}: {err}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the server on the pipeline's model with extra arguments.
    pub fn start(extra: &[&str]) -> Server {
        let model = model().to_str().unwrap().to_string();
        let mut args = vec!["--host", "127.0.0.1", "--model", model.as_str()];
        args.extend_from_slice(extra);
        Server::start_with(&serve_bin(), &args, &[])
    }

    fn try_get(&self, path: &str) -> Option<(u16, Vec<u8>)> {
        raw(
            self.port,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
    }

    /// `GET path`: status and JSON body.
    pub fn get(&self, path: &str) -> (u16, Value) {
        let (s, b) = self.try_get(path).expect("GET");
        (
            s,
            serde_json::from_slice(&b).unwrap_or(Value::String(String::from_utf8_lossy(&b).into())),
        )
    }

    /// `GET path`: status and text body.
    pub fn get_text(&self, path: &str) -> (u16, String) {
        let (s, b) = self.try_get(path).expect("GET");
        (s, String::from_utf8_lossy(&b).into())
    }

    /// `POST path` with `body` (sent as `curl -d` does: form content type).
    pub fn post(&self, path: &str, body: &[u8]) -> (u16, Value) {
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        let (s, b) = raw(self.port, &req).expect("POST");
        let v = serde_json::from_slice(&b)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&b)));
        (s, v)
    }

    /// POST a JSON value.
    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post(path, body.to_string().as_bytes())
    }

    /// Sends a signal to the server (by pid).
    pub fn signal(&self, name: &str) {
        let pid = self.child.as_ref().unwrap().id().to_string();
        assert!(Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .unwrap()
            .success());
    }

    /// SIGTERM, then waits for the exit.
    pub fn stop(&mut self) -> Output {
        self.signal("TERM");
        let child = self.child.take().unwrap();
        child.wait_with_output().unwrap()
    }

    /// The beacon's lines, parsed (every line must be whole JSON).
    pub fn beacon_lines(&self) -> Vec<Value> {
        let text =
            std::fs::read_to_string(self.beacon.path().join("beacon.log")).unwrap_or_default();
        assert!(text.is_empty() || text.ends_with('\n'), "partial last line");
        text.lines()
            .map(|l| serde_json::from_str(l).expect("whole JSON line"))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs the server expecting it to refuse to start: its exit code and stderr.
pub fn refused(args: &[&str], env: &[(&str, String)]) -> (i32, String) {
    let beacon = tempfile::tempdir().unwrap();
    let out = Command::new(serve_bin())
        .args(args)
        .env("PORT", free_port().to_string())
        .env("BEACON_DIR", beacon.path())
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Sends raw bytes, returns status and body (the response must be complete, `Connection: close`).
pub fn raw(port: u16, request: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    s.write_all(request).ok()?;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = text[..head_end].to_ascii_lowercase();
    let mut body = buf[head_end..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Some((status, body))
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 4 + n..];
    }
    out
}

/// Creates `bucket` (if needed) in the S3 service `moto` and puts `bytes` at `key`.
pub fn s3_put(moto: &testkit::Service, bucket: &str, key: &str, bytes: &[u8]) {
    let s3 = pipeline_remote::S3Client::new(&pipeline_remote::S3Config {
        endpoint: Some(moto.url()),
        region: "us-east-1".into(),
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
        session_token: None,
    })
    .unwrap();
    s3.create_bucket(bucket).unwrap();
    s3.put(&format!("s3://{bucket}/{key}").parse().unwrap(), bytes)
        .unwrap();
}
