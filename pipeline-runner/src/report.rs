//! The end of a run: the summary table, `run.json` and `report.html`.

use super::duration::human;
use super::html;
use super::store::Store;
use super::summary::{RunSummary, StepStatus};

impl RunSummary {
    /// A plain-text table of every step: task, status, attempts, duration, cached.
    pub fn table(&self) -> String {
        let rows: Vec<[String; 5]> = self
            .steps
            .iter()
            .map(|s| {
                let mut task = match &s.item {
                    Some(key) => format!("{}[{key}]", s.task),
                    None => s.task.clone(),
                };
                if s.exit_handler {
                    task = format!("{task} (exit)");
                }
                [
                    task,
                    s.status.as_str().to_owned(),
                    s.attempts.to_string(),
                    human(s.duration),
                    if s.status == StepStatus::Cached {
                        "yes"
                    } else {
                        "no"
                    }
                    .to_owned(),
                ]
            })
            .collect();
        let header = ["TASK", "STATUS", "ATTEMPTS", "DURATION", "CACHED"].map(str::to_owned);
        let mut widths = header.clone().map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&header).chain(&rows) {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out.push_str(&format!(
            "workflow {}: {} in {}\n",
            self.workflow,
            self.status.as_str(),
            human(self.duration)
        ));
        out
    }
}

/// Writes `run.json` and `report.html` into the run directory (atomically).
pub(crate) fn write(summary: &RunSummary, store: &Store) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(summary).map_err(std::io::Error::other)?;
    store.write_atomic(&summary.run_dir.join("run.json"), &json)?;
    let page = html::page(summary, store);
    store.write_atomic(&summary.report, page.as_bytes())
}
