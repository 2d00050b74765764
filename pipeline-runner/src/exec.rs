//! Spawning one attempt of a step: log capture, result size limit, timeout, interruption.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::duration;
use super::interrupt;

/// Why an attempt did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AttemptError {
    /// `true` for a runner error (Argo's `Error`: could not spawn, outputs missing), `false`
    /// for a step failure (non-zero exit, timeout).
    pub errored: bool,
    /// What happened, e.g. `exit status 1`.
    pub message: String,
    /// Last non-empty line the process wrote on stderr.
    pub last_line: Option<String>,
    /// The process's exit code, when it exited by itself (Argo's `lastRetry.exitCode`).
    pub exit_code: Option<i32>,
}

impl AttemptError {
    /// A runner error.
    pub(crate) fn error(message: impl Into<String>) -> Self {
        AttemptError {
            errored: true,
            message: message.into(),
            last_line: None,
            exit_code: None,
        }
    }
}

/// One process to run.
pub(crate) struct Spawn<'a> {
    /// Program.
    pub program: &'a Path,
    /// Arguments.
    pub args: &'a [String],
    /// The whole environment: nothing of the runner's is inherited (a pod's isolation).
    pub env: &'a [(String, String)],
    /// Working directory.
    pub cwd: &'a Path,
    /// Log file receiving stdout and stderr.
    pub log: &'a Path,
    /// Kill the process after this long.
    pub timeout: Option<Duration>,
}

/// The most of stdout kept for `outputs.result` (Argo keeps the last 256 kB).
const RESULT_LIMIT: usize = 256 << 10;

/// Runs the process to completion (or timeout), capturing its output into the log. Returns
/// what it wrote on stdout (the last 256 kB), for `outputs.result`.
pub(crate) fn spawn_and_wait(spawn: &Spawn) -> Result<String, AttemptError> {
    let io = |what: &str, e: std::io::Error| AttemptError::error(format!("{what}: {e}"));
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(spawn.log)
        .map_err(|e| io(&format!("cannot open log {}", spawn.log.display()), e))?;
    let _ = writeln!(
        log,
        "$ {} {}",
        spawn.program.display(),
        spawn.args.join(" ")
    );
    let stdout_log = log.try_clone().map_err(|e| io("cannot share the log", e))?;
    let mut command = Command::new(spawn.program);
    own_process_group(&mut command);
    let mut child = command
        .env_clear()
        .args(spawn.args)
        .envs(spawn.env.iter().map(|(k, v)| (k, v)))
        .current_dir(spawn.cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| io(&format!("cannot start {}", spawn.program.display()), e))?;
    let (out_tx, out_rx) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            let _ = out_tx.send(copy_stdout(stdout, stdout_log));
        });
    }
    let (tx, rx) = mpsc::channel();
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            let _ = tx.send(copy_stderr(stderr, log));
        });
    }
    let started = Instant::now();
    let mut poll = Duration::from_millis(2);
    let mut timed_out = false;
    let mut interrupted = None;
    // `Some` once the stderr reader has ended: normally because the process exited.
    let mut stderr_done: Option<Option<String>> = None;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => break Err(io("cannot wait for the step", e)),
        }
        let signal = interrupt::received();
        if signal.is_some() || spawn.timeout.is_some_and(|t| started.elapsed() >= t) {
            timed_out = signal.is_none();
            interrupted = signal;
            interrupt::stop_group(child.id(), Duration::from_secs(5), || {
                matches!(child.try_wait(), Ok(Some(_)))
            });
            break child.wait().map_err(|e| io("cannot wait for the step", e));
        }
        // Wait on the stderr reader rather than sleeping: it ends the moment the process exits
        // (its pipe closes), so the next step starts without waiting out a poll interval.
        if stderr_done.is_none() {
            match rx.recv_timeout(poll) {
                Ok(last) => {
                    stderr_done = Some(last);
                    // Exiting closes the pipe just before the process can be reaped.
                    poll = Duration::from_micros(250);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => stderr_done = Some(None),
            }
        } else {
            std::thread::sleep(poll);
        }
        poll = (poll * 2).min(Duration::from_millis(25));
    };
    // The reader ends when every writer of the pipe is gone; a stray grandchild may keep it open.
    let last_line = match stderr_done {
        Some(last) => last,
        None => rx.recv_timeout(Duration::from_secs(2)).ok().flatten(),
    };
    let status = status?;
    let stdout = out_rx
        .recv_timeout(Duration::from_secs(2))
        .unwrap_or_default();
    let message = if let Some(signal) = interrupted {
        format!("interrupted by {}", interrupt::name(signal))
    } else if timed_out {
        let limit = spawn.timeout.unwrap_or_default();
        format!("timed out after {}", duration::human(limit))
    } else if status.success() {
        return Ok(stdout);
    } else {
        match status.code() {
            Some(code) => format!("exit status {code}"),
            None => format!("killed by a signal ({status})"),
        }
    };
    Err(AttemptError {
        errored: false,
        message,
        last_line,
        exit_code: if timed_out { None } else { status.code() },
    })
}

/// Runs the step in its own process group (so stopping it stops whatever it started, and a
/// Ctrl-C at the terminal reaches only the runner, which stops the steps itself) and, on
/// Linux, kills it if the runner dies.
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
}

fn copy_stdout(mut stdout: impl std::io::Read, mut log: File) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = stdout.read(&mut buf) {
        if n == 0 {
            break;
        }
        let _ = log.write_all(&buf[..n]);
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > 2 * RESULT_LIMIT {
            kept.drain(..kept.len() - RESULT_LIMIT);
        }
    }
    if kept.len() > RESULT_LIMIT {
        kept.drain(..kept.len() - RESULT_LIMIT);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

fn copy_stderr(stderr: impl std::io::Read, mut log: File) -> Option<String> {
    let mut last = None;
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    while let Ok(n) = reader.read_until(b'\n', &mut line) {
        if n == 0 {
            break;
        }
        let _ = log.write_all(&line);
        let text = String::from_utf8_lossy(&line).trim().to_owned();
        if !text.is_empty() {
            last = Some(text.chars().take(500).collect());
        }
        line.clear();
    }
    last
}

/// `<dir>/<label>-attempt<N>.log`.
pub(crate) fn log_path(dir: &Path, label: &str, attempt: u32) -> PathBuf {
    dir.join(format!("{label}-attempt{attempt}.log"))
}
