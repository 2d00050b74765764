//! What `run` prints when a run ends: the outcome, the headline metrics, which tasks did not
//! run and why, where the published artifacts and the report are (text, or JSON for scripts).

use crate::pipeline::Pipeline;
use crate::runner::{HeadlineMetric, RunSummary, StepStatus};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The end of a run, as `run` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    /// Workflow name.
    pub workflow: String,
    /// `Succeeded`, `Failed` or `Interrupted`.
    pub status: String,
    /// Wall time in seconds.
    pub duration_secs: f64,
    /// The headline metrics (see [`RunSummary::metrics`]).
    pub metrics: Vec<HeadlineMetric>,
    /// Tasks that did not run, and why (`when` false, an upstream failure).
    pub not_run: Vec<NotRun>,
    /// Model artifacts the run produced, placed in the run directory.
    pub published: Vec<Published>,
    /// The failed steps' error lines.
    pub errors: Vec<String>,
    /// `report.html`.
    pub report: PathBuf,
    /// `run.json` and the logs are here.
    pub run_dir: PathBuf,
    /// The full record (not printed).
    #[serde(skip)]
    pub summary: RunSummary,
}

/// A task that did not run.
#[derive(Debug, Clone, Serialize)]
pub struct NotRun {
    /// Task name.
    pub task: String,
    /// `Skipped` (its `when` was false) or `Omitted` (its dependencies failed).
    pub status: String,
    /// Why, as the runner recorded it.
    pub reason: String,
}

/// A model the run produced.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    /// The task that wrote it.
    pub task: String,
    /// Its output name.
    pub output: String,
    /// `<run dir>/<output>.json`, a link to (or copy of) the stored blob.
    pub path: PathBuf,
    /// SHA-256 of its content.
    pub digest: String,
}

impl RunOutcome {
    /// The outcome of `summary`; every `Model` artifact of `pipeline`'s tasks that the run
    /// produced is placed at `<run dir>/<output>.json` (`<task>-<output>.json` when two tasks
    /// share an output name).
    pub fn new(summary: RunSummary, pipeline: &Pipeline) -> RunOutcome {
        let models: Vec<(String, String)> = pipeline
            .artifact_outputs()
            .into_iter()
            .filter(|(_, _, kind)| kind == "Model")
            .map(|(task, output, _)| (task, output))
            .collect();
        let mut published = Vec::new();
        for step in &summary.steps {
            let done = matches!(step.status, StepStatus::Succeeded | StepStatus::Cached);
            for a in step
                .artifacts
                .iter()
                .filter(|_| done && step.item.is_none())
            {
                if !models.contains(&(step.task.clone(), a.name.clone())) {
                    continue;
                }
                let shared = models.iter().filter(|(_, o)| *o == a.name).count() > 1;
                let file = if shared {
                    format!("{}-{}.json", step.task, a.name)
                } else {
                    format!("{}.json", a.name)
                };
                let path = summary.run_dir.join(file);
                match place(&a.path, &path) {
                    Ok(()) => published.push(Published {
                        task: step.task.clone(),
                        output: a.name.clone(),
                        path,
                        digest: a.digest.clone(),
                    }),
                    Err(e) => tracing::warn!("cannot place {}: {e}", path.display()),
                }
            }
        }
        let not_run = summary
            .steps
            .iter()
            .filter(|s| matches!(s.status, StepStatus::Skipped | StepStatus::Omitted))
            .map(|s| NotRun {
                task: s.task.clone(),
                status: s.status.as_str().to_owned(),
                reason: s.message.clone().unwrap_or_default(),
            })
            .collect();
        RunOutcome {
            workflow: summary.workflow.clone(),
            status: summary.status.as_str().to_owned(),
            duration_secs: summary.duration.as_secs_f64(),
            metrics: summary.metrics.clone(),
            not_run,
            published,
            errors: summary.errors().iter().map(|e| e.to_string()).collect(),
            report: summary.report.clone(),
            run_dir: summary.run_dir.clone(),
            summary,
        }
    }

    /// The outcome as text lines.
    pub fn text(&self) -> String {
        let mut out = format!(
            "run {}: {} in {:.1}s\n",
            self.workflow, self.status, self.duration_secs
        );
        let mut task = "";
        for m in &self.metrics {
            if m.task != task {
                task = &m.task;
                out.push_str(&format!("metrics ({task}):\n"));
            }
            out.push_str(&format!("  {:<18} {}\n", m.name, m.shown()));
        }
        for n in &self.not_run {
            out.push_str(&format!(
                "{}: not run ({}): {}\n",
                n.task,
                n.status.to_lowercase(),
                n.reason
            ));
        }
        for p in &self.published {
            out.push_str(&format!("{}: {}\n", p.output, p.path.display()));
        }
        out.push_str(&format!("report: {}\n", self.report.display()));
        out
    }

    /// Prints the outcome on stdout (JSON when `json`); a closed stdout is not an error.
    pub fn print(&self, json: bool) {
        let text = if json {
            serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
        } else {
            self.text()
        };
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
}

/// Hard-links `blob` at `dest` (replacing what is there), or copies it.
fn place(blob: &Path, dest: &Path) -> std::io::Result<()> {
    let _ = std::fs::remove_file(dest);
    if std::fs::hard_link(blob, dest).is_ok() {
        return Ok(());
    }
    std::fs::copy(blob, dest).map(|_| ())
}

/// The one line `run` prints when a signal stopped it.
pub(crate) fn interrupted_line(summary: &RunSummary) -> String {
    let finished = summary
        .steps
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Succeeded | StepStatus::Cached))
        .count();
    format!(
        "run {} interrupted by {}: {finished} step(s) finished and are cached, rerun to resume (record: {})",
        summary.workflow,
        summary.interrupted_by.as_deref().unwrap_or("a signal"),
        summary.run_dir.join("run.json").display()
    )
}

/// 128 + the signal that interrupted the run (the shell's convention), 130 if unknown.
pub(crate) fn exit_code_of_signal(summary: &RunSummary) -> u8 {
    match summary.interrupted_by.as_deref() {
        Some("SIGTERM") => 143,
        _ => 130,
    }
}
