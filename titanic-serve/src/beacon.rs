//! The beacon log: one JSON line per request in `<dir>/beacon.log`, written by its own thread
//! (off the request path), rotated by size, flushed and synced on shutdown.
//!
//! A handler queues its line before its response is sent, and shutdown stops the writer only
//! after the HTTP server has finished every in-flight request, so no request is missing; lines
//! are written whole and files are rotated between lines, so no line is partial.

use serde::Serialize;
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

/// Lines queued before a handler waits for the writer (back-pressure, never a dropped line).
const QUEUE: usize = 4096;

enum Msg {
    Line(Vec<u8>),
    Stop(oneshot::Sender<io::Result<u64>>),
}

/// One request as the beacon records it.
#[derive(Serialize, Debug)]
pub struct Record<'a> {
    /// RFC 3339 UTC time the request arrived.
    pub time: String,
    /// HTTP method.
    pub method: &'a str,
    /// The route pattern (e.g. `/v2/models/{name}/infer`), or `unmatched`.
    pub route: &'a str,
    /// The request path as sent (at most 256 characters).
    pub path: &'a str,
    /// Response status code.
    pub status: u16,
    /// Time to build the response, in milliseconds.
    pub latency_ms: f64,
    /// Version of the model that answered (the one current when the request arrived).
    pub model_version: &'a str,
    /// The request's inputs (parsed JSON, or the raw text when it was not JSON), redacted.
    pub inputs: Value,
    /// What the server answered (predictions or the error).
    pub output: Value,
}

/// The sending side, shared by every handler.
#[derive(Clone)]
pub struct Beacon {
    tx: mpsc::Sender<Msg>,
    redact: std::sync::Arc<Vec<String>>,
}

/// The writer thread; [`Beacon::stop`] ends it.
pub struct Writer {
    thread: std::thread::JoinHandle<()>,
}

/// Size rotation settings.
#[derive(Debug, Clone, Copy)]
pub struct Rotation {
    /// Rotate before a line would make `beacon.log` larger than this.
    pub max_bytes: u64,
    /// Rotated files kept (`beacon.log.1` newest).
    pub keep: usize,
}

/// Opens `<dir>/beacon.log` for appending (creating `dir`) and starts the writer thread.
pub fn start(dir: &Path, rotation: Rotation, redact: Vec<String>) -> io::Result<(Beacon, Writer)> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("beacon.log");
    let file = open(&path)?;
    let size = file.metadata()?.len();
    let (tx, rx) = mpsc::channel(QUEUE);
    let mut state = FileState {
        path,
        out: BufWriter::with_capacity(256 << 10, file),
        size,
        rotation,
        lines: 0,
    };
    let thread = std::thread::Builder::new()
        .name("beacon".into())
        .spawn(move || state.run(rx))?;
    Ok((
        Beacon {
            tx,
            redact: std::sync::Arc::new(redact),
        },
        Writer { thread },
    ))
}

fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl Beacon {
    /// Queues one line (waits only if the writer is [`QUEUE`] lines behind).
    pub async fn log(&self, mut record: Record<'_>) {
        redact(&mut record.inputs, &self.redact);
        let mut line = match serde_json::to_vec(&record) {
            Ok(line) => line,
            Err(e) => {
                tracing::error!("beacon: cannot encode a record: {e}");
                return;
            }
        };
        line.push(b'\n');
        if self.tx.send(Msg::Line(line)).await.is_err() {
            tracing::error!("beacon: the writer has stopped; a line is lost");
        }
    }

    /// Stops the writer after every queued line: flushes, syncs, and returns the lines written
    /// since start.
    pub async fn stop(&self, writer: Writer) -> io::Result<u64> {
        let (tx, rx) = oneshot::channel();
        let sent = self.tx.send(Msg::Stop(tx)).await;
        let result = match sent {
            Ok(()) => rx
                .await
                .unwrap_or_else(|_| Err(io::Error::other("the beacon writer died"))),
            Err(_) => Err(io::Error::other("the beacon writer died")),
        };
        let _ = tokio::task::spawn_blocking(move || writer.thread.join()).await;
        result
    }
}

/// Removes the redacted fields from an object, from every object of an array, and (v2) the
/// redacted inputs of an inference request.
fn redact(v: &mut Value, fields: &[String]) {
    if fields.is_empty() {
        return;
    }
    match v {
        Value::Object(map) => {
            for f in fields {
                map.remove(f);
            }
            if let Some(Value::Array(inputs)) = map.get_mut("inputs") {
                inputs.retain(|i| {
                    !i.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| fields.iter().any(|f| f == n))
                });
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| redact(i, fields)),
        _ => {}
    }
}

struct FileState {
    path: PathBuf,
    out: BufWriter<File>,
    size: u64,
    rotation: Rotation,
    lines: u64,
}

impl FileState {
    fn run(&mut self, mut rx: mpsc::Receiver<Msg>) {
        while let Some(msg) = rx.blocking_recv() {
            let mut next = Some(msg);
            // Write everything already queued, then flush once.
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Line(line) => {
                        if let Err(e) = self.write(&line) {
                            tracing::error!("beacon {}: {e}", self.path.display());
                        }
                    }
                    Msg::Stop(reply) => {
                        let _ = reply.send(self.sync().map(|()| self.lines));
                        return;
                    }
                }
                next = rx.try_recv().ok();
            }
            if let Err(e) = self.out.flush() {
                tracing::error!("beacon {}: {e}", self.path.display());
            }
        }
        let _ = self.sync();
    }

    fn write(&mut self, line: &[u8]) -> io::Result<()> {
        let len = line.len() as u64;
        if self.size > 0 && self.size + len > self.rotation.max_bytes {
            self.rotate()?;
        }
        self.out.write_all(line)?;
        self.size += len;
        self.lines += 1;
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()
    }

    /// `beacon.log` -> `beacon.log.1` -> ... -> `beacon.log.<keep>` (the oldest is dropped).
    fn rotate(&mut self) -> io::Result<()> {
        self.sync()?;
        let numbered = |i: usize| PathBuf::from(format!("{}.{i}", self.path.display()));
        let keep = self.rotation.keep;
        if keep == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            let _ = std::fs::remove_file(numbered(keep));
            for i in (1..keep).rev() {
                if numbered(i).exists() {
                    std::fs::rename(numbered(i), numbered(i + 1))?;
                }
            }
            std::fs::rename(&self.path, numbered(1))?;
        }
        self.out = BufWriter::with_capacity(256 << 10, open(&self.path)?);
        self.size = 0;
        Ok(())
    }
}

/// The current time as RFC 3339 UTC with milliseconds, e.g. `2026-11-29T22:30:00.123Z`.
pub fn now_rfc3339() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(i: usize) -> Record<'static> {
        Record {
            time: now_rfc3339(),
            method: "POST",
            route: "/predict",
            path: "/predict",
            status: 200,
            latency_ms: 0.1,
            model_version: "v",
            inputs: json!({"Name": format!("Passenger {i}"), "Age": 30}),
            output: json!({"SurvivalChance": 0.5}),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_line_whole_across_rotations_and_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let rotation = Rotation {
            max_bytes: 4096,
            keep: 100,
        };
        let (beacon, writer) = start(dir.path(), rotation, vec!["Name".into()]).unwrap();
        let mut tasks = Vec::new();
        for t in 0..4 {
            let b = beacon.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..500 {
                    b.log(record(t * 1000 + i)).await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(beacon.stop(writer).await.unwrap(), 2000);
        let mut lines = 0;
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.is_empty() || text.ends_with('\n'));
            assert!(
                text.len() as u64 <= rotation.max_bytes,
                "{}",
                path.display()
            );
            for line in text.lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                assert_eq!(v["inputs"], json!({"Age": 30}));
                lines += 1;
            }
        }
        assert_eq!(lines, 2000);
        assert!(dir.path().join("beacon.log.3").exists());
    }

    #[test]
    fn redacts_v2_inputs_and_batches() {
        let mut v = json!({"inputs": [{"name": "Name"}, {"name": "Age"}], "id": "1"});
        redact(&mut v, &["Name".into()]);
        assert_eq!(v, json!({"inputs": [{"name": "Age"}], "id": "1"}));
        let mut v = json!([{"Name": "a", "Age": 1}, {"Name": "b"}]);
        redact(&mut v, &["Name".into()]);
        assert_eq!(v, json!([{"Age": 1}, {}]));
    }

    #[test]
    fn rfc3339_shape() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
