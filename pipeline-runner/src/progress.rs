//! Progress while a run goes on: indicatif spinners (one per running step) under an overall bar
//! when enabled, `tracing` events otherwise.

use std::collections::BTreeMap;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::duration::human;
use super::summary::{StepRecord, StepStatus, WorkflowStatus};

/// Progress display of one run.
pub(crate) struct Progress {
    ui: Option<Ui>,
}

struct Ui {
    multi: MultiProgress,
    overall: ProgressBar,
    running: BTreeMap<usize, ProgressBar>,
}

impl Progress {
    /// A display for `tasks` tasks; a terminal UI when `enabled`, log events otherwise.
    pub(crate) fn new(enabled: bool, workflow: &str, tasks: usize) -> Self {
        if !enabled {
            tracing::info!(workflow, tasks, "run started");
            return Progress { ui: None };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(ProgressBar::new(tasks as u64));
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} tasks {elapsed}",
        ) {
            overall.set_style(style.progress_chars("=> "));
        }
        overall.set_prefix(workflow.to_owned());
        overall.enable_steady_tick(Duration::from_millis(200));
        Progress {
            ui: Some(Ui {
                multi,
                overall,
                running: BTreeMap::new(),
            }),
        }
    }

    /// Execution `id` (`label`) started.
    pub(crate) fn started(&mut self, id: usize, label: &str) {
        match &mut self.ui {
            None => tracing::info!(step = label, "started"),
            Some(ui) => {
                let bar = ui.multi.add(ProgressBar::new_spinner());
                if let Ok(style) = ProgressStyle::with_template("  {spinner} {msg} {elapsed}") {
                    bar.set_style(style);
                }
                bar.set_message(label.to_owned());
                bar.enable_steady_tick(Duration::from_millis(120));
                ui.running.insert(id, bar);
            }
        }
    }

    /// Attempt `n` of execution `id` starts (shown from the first retry on).
    pub(crate) fn attempt(&mut self, id: usize, label: &str, n: u32) {
        if n < 2 {
            return;
        }
        match &mut self.ui {
            None => tracing::warn!(step = label, attempt = n, "retrying"),
            Some(ui) => {
                if let Some(bar) = ui.running.get(&id) {
                    bar.set_message(format!("{label} (attempt {n})"));
                }
            }
        }
    }

    /// A step ended (`id` is `None` when it never ran).
    pub(crate) fn step(&mut self, id: Option<usize>, record: &StepRecord) {
        let label = match &record.item {
            Some(key) => format!("{}[{key}]", record.task),
            None => record.task.clone(),
        };
        let line = format!(
            "{} {label} {} {}",
            symbol(record.status),
            record.status.as_str(),
            human(record.duration)
        );
        if super::interrupt::received().is_some() && record.status != StepStatus::Succeeded {
            // Stopped by a signal: the run's one line says so.
            return;
        }
        match &mut self.ui {
            None => match record.status {
                StepStatus::Failed => {
                    tracing::error!("{}", record.message.as_deref().unwrap_or(&line))
                }
                _ => tracing::info!(step = %label, status = record.status.as_str(), "{line}"),
            },
            Some(ui) => {
                if let Some(bar) = id.and_then(|id| ui.running.remove(&id)) {
                    bar.finish_and_clear();
                    ui.multi.remove(&bar);
                }
                let _ = ui.multi.println(&line);
                if let (StepStatus::Failed, Some(message)) = (record.status, &record.message) {
                    let _ = ui.multi.println(format!("  error: {message}"));
                }
            }
        }
    }

    /// One more task is done.
    pub(crate) fn task_done(&mut self) {
        if let Some(ui) = &self.ui {
            ui.overall.inc(1);
        }
    }

    /// The run ended.
    pub(crate) fn finish(&mut self, status: WorkflowStatus, elapsed: Duration) {
        match self.ui.take() {
            None => {
                tracing::info!(status = status.as_str(), elapsed = %human(elapsed), "run finished")
            }
            Some(ui) => {
                for bar in ui.running.values() {
                    bar.finish_and_clear();
                }
                ui.overall.finish_and_clear();
                let _ = ui.multi.clear();
            }
        }
    }
}

fn symbol(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Succeeded => "✔",
        StepStatus::Cached => "↺",
        StepStatus::Failed => "✘",
        StepStatus::Skipped => "⤼",
        StepStatus::Omitted => "·",
    }
}
