//! The beacon log: one JSON line per request in `<dir>/beacon.log`, redacted, encoded and written
//! by its own thread (off the request path), rotated by size, flushed and synced on shutdown.
//!
//! A handler queues its line before its response is sent, and shutdown stops the writer only
//! after the HTTP server has finished every in-flight request, so no request is missing; lines
//! are written whole and files are rotated between lines, so no line is partial.

use serde::Serialize;
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, oneshot};
use warp::http::Method;

/// Lines queued before a handler waits for the writer (back-pressure, never a dropped line).
const QUEUE: usize = 4096;

/// How long the writer lets lines gather after writing a batch, while requests keep coming.
/// Handlers then queue without waking it (a futex wake per line cost more CPU than encoding
/// the line), and `beacon.log` gets one `write` per batch; lines reach the file at most this
/// much later.
const BATCH: Duration = Duration::from_millis(2);

enum Msg {
    Record(Record),
    Stop(oneshot::Sender<io::Result<u64>>),
}

/// A JSON value of a beacon line.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// JSON text, valid (a request body that parsed, a response's encoded data): written as
    /// it is, its line breaks (whitespace between tokens in valid JSON) turned into spaces.
    Text(Vec<u8>),
    /// A value, encoded by the writer.
    Value(Value),
}

impl Json {
    /// `null`.
    pub const NULL: Json = Json::Value(Value::Null);

    /// Appends the value to `out` on one line, `redact`ed fields left out.
    fn write(self, redact_fields: &[String], out: &mut Vec<u8>) -> serde_json::Result<()> {
        match self {
            Json::Text(text) if redact_fields.is_empty() => {
                out.extend(text.iter().map(|&b| match b {
                    b'\n' | b'\r' => b' ',
                    b => b,
                }));
                Ok(())
            }
            Json::Text(text) => {
                Json::Value(serde_json::from_slice(&text)?).write(redact_fields, out)
            }
            Json::Value(mut v) => {
                redact(&mut v, redact_fields);
                serde_json::to_writer(out, &v)
            }
        }
    }

    /// The value (parsing the text).
    pub fn to_value(&self) -> serde_json::Result<Value> {
        match self {
            Json::Text(text) => serde_json::from_slice(text),
            Json::Value(v) => Ok(v.clone()),
        }
    }
}

/// One request as the beacon records it (encoded as a JSON line by the writer thread).
#[derive(Debug)]
pub struct Record {
    /// When the request arrived (RFC 3339 UTC with milliseconds in the line).
    pub time: SystemTime,
    /// HTTP method.
    pub method: Method,
    /// The route pattern (e.g. `/v2/models/{name}/infer`), or `unmatched`.
    pub route: &'static str,
    /// The request path as sent (at most 256 characters); `None` when it is `route` itself.
    pub path: Option<String>,
    /// Response status code.
    pub status: u16,
    /// Time to build the response, in milliseconds.
    pub latency_ms: f64,
    /// Version of the model that answered (the one current when the request arrived).
    pub model_version: String,
    /// The request's inputs (its JSON, or the raw text when it was not JSON), redacted.
    pub inputs: Json,
    /// What the server answered (predictions or the error), redacted.
    pub output: Json,
}

/// The fields of a line before its inputs and output.
#[derive(Serialize)]
struct Head<'a> {
    #[serde(serialize_with = "rfc3339_millis")]
    time: SystemTime,
    method: &'a str,
    route: &'a str,
    path: &'a str,
    status: u16,
    latency_ms: f64,
    model_version: &'a str,
}

fn rfc3339_millis<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&humantime::format_rfc3339_millis(*t))
}

impl Record {
    /// Appends the record's JSON line (with its newline) to `out`, `redact`ed fields left out
    /// (the writer thread does this; public for the benchmark).
    pub fn encode(self, redact_fields: &[String], out: &mut Vec<u8>) -> serde_json::Result<()> {
        let head = Head {
            time: self.time,
            method: self.method.as_str(),
            route: self.route,
            path: self.path.as_deref().unwrap_or(self.route),
            status: self.status,
            latency_ms: self.latency_ms,
            model_version: &self.model_version,
        };
        serde_json::to_writer(&mut *out, &head)?;
        out.pop(); // the head's closing brace: the line goes on
        out.extend_from_slice(b",\"inputs\":");
        self.inputs.write(redact_fields, out)?;
        out.extend_from_slice(b",\"output\":");
        self.output.write(redact_fields, out)?;
        out.extend_from_slice(b"}\n");
        Ok(())
    }
}

/// The sending side, shared by every handler.
#[derive(Clone)]
pub struct Beacon {
    tx: mpsc::Sender<Msg>,
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
        redact,
        line: Vec::with_capacity(1024),
    };
    let thread = std::thread::Builder::new()
        .name("beacon".into())
        .spawn(move || state.run(rx))?;
    Ok((Beacon { tx }, Writer { thread }))
}

fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl Beacon {
    /// Queues one record (waits only if the writer is [`QUEUE`] records behind).
    pub async fn log(&self, record: Record) {
        if self.tx.send(Msg::Record(record)).await.is_err() {
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
    /// Request fields left out of the lines.
    redact: Vec<String>,
    /// The line being encoded (one buffer for every line).
    line: Vec<u8>,
}

impl FileState {
    fn run(&mut self, mut rx: mpsc::Receiver<Msg>) {
        // Parks on the queue only when it is idle; under load, sleeps between batches.
        while let Some(msg) = rx.blocking_recv() {
            let mut next = Some(msg);
            while let Some(first) = next.take() {
                let mut msg = Some(first);
                while let Some(m) = msg.take() {
                    match m {
                        Msg::Record(record) => self.record(record),
                        Msg::Stop(reply) => {
                            let _ = reply.send(self.sync().map(|()| self.lines));
                            return;
                        }
                    }
                    msg = rx.try_recv().ok();
                }
                if let Err(e) = self.out.flush() {
                    tracing::error!("beacon {}: {e}", self.path.display());
                }
                std::thread::sleep(BATCH);
                next = rx.try_recv().ok();
            }
        }
        let _ = self.sync();
    }

    fn record(&mut self, record: Record) {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        match record.encode(&self.redact, &mut line) {
            Ok(()) => {
                if let Err(e) = self.write(&line) {
                    tracing::error!("beacon {}: {e}", self.path.display());
                }
            }
            Err(e) => tracing::error!("beacon: cannot encode a record: {e}"),
        }
        self.line = line;
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
        // Whole lines reach the kernel before the rename; the fsync of the full file (tens of
        // MiB) runs on its own thread, so requests never wait for the disk behind a full queue.
        self.out.flush()?;
        let full = self.out.get_ref().try_clone()?;
        std::thread::spawn(move || {
            if let Err(e) = full.sync_all() {
                tracing::warn!("beacon: cannot sync a rotated file: {e}");
            }
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(i: usize) -> Record {
        Record {
            time: SystemTime::now(),
            method: Method::POST,
            route: "/predict",
            path: None,
            status: 200,
            latency_ms: 0.1,
            model_version: "v".into(),
            // Half as JSON text (with line breaks between tokens, as a client may send it).
            inputs: if i % 2 == 0 {
                Json::Text(
                    format!("{{\n  \"Name\": \"Passenger {i}\",\r\n  \"Age\": 30\n}}").into(),
                )
            } else {
                Json::Value(json!({"Name": format!("Passenger {i}"), "Age": 30}))
            },
            output: Json::Text(br#"{"SurvivalChance":0.5,"Name":"x"}"#.to_vec()),
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
                assert_eq!(v["output"], json!({"SurvivalChance": 0.5}));
                assert_eq!(v["path"], "/predict");
                let time = v["time"].as_str().unwrap();
                assert!(humantime::parse_rfc3339(time).is_ok(), "{time}");
                assert_eq!((time.len(), &time[23..]), (24, "Z"), "{time}");
                lines += 1;
            }
        }
        assert_eq!(lines, 2000);
        assert!(dir.path().join("beacon.log.3").exists());
    }

    #[test]
    fn json_text_is_written_as_sent_on_one_line() {
        let mut out = Vec::new();
        let text = b"{\"a\":\r\n [1,\n2], \"b\": \"\\n\"}".to_vec();
        Json::Text(text).write(&[], &mut out).unwrap();
        assert_eq!(out, b"{\"a\":   [1, 2], \"b\": \"\\n\"}");
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
}
