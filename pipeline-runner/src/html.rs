//! `report.html`: one self-contained page (no external scripts, styles or fonts) with the graph,
//! every step's status, parameters, metrics, plots and log.

mod svg;

use std::fmt::Write;
use std::path::Path;

use base64::Engine;

use super::duration::human;
use super::store::Store;
use super::summary::{
    ArtifactKind, ArtifactRecord, HeadlineMetric, RunSummary, StepRecord, StepStatus,
};

const LOG_TAIL: u64 = 64 * 1024;
const MAX_JSON: u64 = 1024 * 1024;
const MAX_PNG: u64 = 8 * 1024 * 1024;

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The colour of a status.
pub(crate) fn status_color(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Succeeded => "#2e7d32",
        StepStatus::Cached => "#1565c0",
        StepStatus::Failed => "#c62828",
        StepStatus::Skipped => "#8d6e63",
        StepStatus::Omitted => "#757575",
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}\
.badge{color:#fff;border-radius:4px;padding:2px 8px;font-size:.8em}pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:30em}\
details{margin:.4em 0;border:1px solid #ddd;border-radius:4px;padding:.3em .6em}summary{cursor:pointer}\
code{font-size:.9em}img{max-width:100%;border:1px solid #ddd}.graph{overflow:auto}";

/// The whole page.
pub(crate) fn page(s: &RunSummary, store: &Store) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title><style>{STYLE}</style></head><body>\
         <h1>{name} {badge}</h1><p>uid <code>{uid}</code> · {dur} · run dir <code>{dir}</code></p>",
        name = escape(&s.workflow),
        badge = badge(s.status.as_str(), s.succeeded()),
        uid = escape(&s.uid),
        dur = human(s.duration),
        dir = escape(&s.run_dir.display().to_string()),
    );
    // What a reader comes for first: the headline metrics and what went wrong.
    if !s.metrics.is_empty() {
        h.push_str("<h2>Metrics</h2>");
        h.push_str(&metrics_table(&s.metrics));
    }
    let errors = s.errors();
    if !errors.is_empty() {
        h.push_str("<h2>Errors</h2><ul>");
        for e in errors {
            let _ = write!(h, "<li><code>{}</code></li>", escape(e));
        }
        h.push_str("</ul>");
    }
    if !s.parameters.is_empty() {
        h.push_str("<h2>Parameters</h2>");
        h.push_str(&kv_table(s.parameters.iter()));
    }
    h.push_str("<h2>Graph</h2><div class=\"graph\">");
    h.push_str(&svg::graph(s, false));
    h.push_str("</div>");
    let exit = svg::graph(s, true);
    if !exit.is_empty() {
        let _ = write!(
            h,
            "<h3>Exit handler (saw <code>{}</code>)</h3><div class=\"graph\">{exit}</div>",
            s.main_status.as_str()
        );
    }
    h.push_str("<h2>Steps</h2><table><tr><th>task</th><th>item</th><th>status</th><th>attempts</th><th>duration</th></tr>");
    for step in &s.steps {
        let _ = write!(
            h,
            "<tr><td><a href=\"#{anchor}\">{task}</a></td><td>{item}</td><td style=\"color:{color}\">{status}</td><td>{att}</td><td>{dur}</td></tr>",
            anchor = anchor(step),
            task = escape(&step.task),
            item = escape(step.item.as_deref().unwrap_or("")),
            color = status_color(step.status),
            status = step.status.as_str(),
            att = step.attempts,
            dur = human(step.duration),
        );
    }
    h.push_str("</table>");
    let mut views = String::new();
    for step in &s.steps {
        for a in &step.artifacts {
            let view = artifact_view(a, store);
            if !view.is_empty() {
                let item = step
                    .item
                    .as_ref()
                    .map(|i| format!("[{}]", escape(i)))
                    .unwrap_or_default();
                let _ = write!(
                    views,
                    "<h3>{}{item} · {}</h3>{view}",
                    escape(&step.task),
                    escape(&a.name)
                );
            }
        }
    }
    if !views.is_empty() {
        h.push_str("<h2>Metrics and plots</h2>");
        h.push_str(&views);
    }
    h.push_str("<h2>Details</h2>");
    for step in &s.steps {
        h.push_str(&details(step));
    }
    h.push_str("</body></html>\n");
    h
}

fn badge(text: &str, ok: bool) -> String {
    let color = if ok { "#2e7d32" } else { "#c62828" };
    format!(
        "<span class=\"badge\" style=\"background:{color}\">{}</span>",
        escape(text)
    )
}

fn anchor(step: &StepRecord) -> String {
    let raw = format!("step-{}-{}", step.task, step.item.as_deref().unwrap_or(""));
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn kv_table<'a>(rows: impl Iterator<Item = (&'a String, &'a String)>) -> String {
    let mut t = String::from("<table>");
    for (k, v) in rows {
        let _ = write!(
            t,
            "<tr><th>{}</th><td><code>{}</code></td></tr>",
            escape(k),
            escape(v)
        );
    }
    t.push_str("</table>");
    t
}

fn details(step: &StepRecord) -> String {
    let mut d = format!(
        "<details id=\"{}\"{}><summary><b>{}</b>{} — <span style=\"color:{}\">{}</span>, {} attempt(s), {}</summary>",
        anchor(step),
        if step.status == StepStatus::Failed { " open" } else { "" },
        escape(&step.task),
        step.item.as_ref().map(|i| format!("[{}]", escape(i))).unwrap_or_default(),
        status_color(step.status),
        step.status.as_str(),
        step.attempts,
        human(step.duration),
    );
    let _ = write!(d, "<p>template <code>{}</code></p>", escape(&step.template));
    if let Some(message) = &step.message {
        let _ = write!(d, "<p><b>{}</b></p>", escape(message));
    }
    if !step.parameters.is_empty() {
        d.push_str("<h4>Output parameters</h4>");
        d.push_str(&kv_table(step.parameters.iter()));
    }
    if !step.artifacts.is_empty() {
        d.push_str("<h4>Output artifacts</h4><table><tr><th>name</th><th>kind</th><th>size</th><th>digest</th><th>key</th></tr>");
        for a in &step.artifacts {
            let _ = write!(
                d,
                "<tr><td>{}</td><td>{:?}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                escape(&a.name),
                a.kind,
                a.size,
                escape(&a.digest),
                escape(a.key.as_deref().unwrap_or(""))
            );
        }
        d.push_str("</table>");
    }
    if let Some((text, cut)) = step.log.as_deref().and_then(|p| tail(p, LOG_TAIL)) {
        let _ = write!(
            d,
            "<details><summary>log <code>{}</code>{}</summary><pre>{}</pre></details>",
            escape(
                &step
                    .log
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
            if cut { " (last 64 KiB)" } else { "" },
            escape(&text)
        );
    }
    d.push_str("</details>");
    d
}

/// Metrics (KFP `{"metrics": [...]}` JSON) as a table, PNG files as embedded images.
fn artifact_view(a: &ArtifactRecord, store: &Store) -> String {
    if a.kind != ArtifactKind::File || a.size > MAX_PNG.max(MAX_JSON) {
        return String::new();
    }
    let Ok(bytes) = std::fs::read(store.blob(&a.digest)) else {
        return String::new();
    };
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && a.size <= MAX_PNG {
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        return format!(
            "<img alt=\"{}\" src=\"data:image/png;base64,{data}\">",
            escape(&a.name)
        );
    }
    // Only a document with a `metrics` key becomes a table: skip parsing the (often large) JSON
    // datasets and models that cannot be one.
    if a.size > MAX_JSON || !contains(&bytes, b"\"metrics\"") {
        return String::new();
    }
    match parse_metrics("", &bytes) {
        Some(metrics) => metrics_table(&metrics),
        None => String::new(),
    }
}

fn metrics_table(metrics: &[HeadlineMetric]) -> String {
    let mut t = String::from("<table class=\"metrics\"><tr><th>metric</th><th>value</th></tr>");
    for m in metrics {
        let _ = write!(
            t,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(&m.name),
            escape(&m.shown())
        );
    }
    t.push_str("</table>");
    t
}

/// The entries of a KFP metrics document (`{"metrics": [{"name", "numberValue", "format"}]}`).
fn parse_metrics(task: &str, bytes: &[u8]) -> Option<Vec<HeadlineMetric>> {
    let doc = serde_json::from_slice::<serde_json::Value>(bytes).ok()?;
    let entries = doc.get("metrics")?.as_array()?;
    let metrics = entries.iter().filter_map(|m| {
        Some(HeadlineMetric {
            task: task.to_owned(),
            name: m.get("name")?.as_str()?.to_owned(),
            value: m.get("numberValue")?.as_f64()?,
            format: m.get("format").and_then(|f| f.as_str()).map(str::to_owned),
        })
    });
    Some(metrics.collect())
}

/// The metrics reported by steps that are not fan-out items (a fold's metrics are detail, the
/// evaluation's are the headline).
pub(crate) fn headline_metrics(steps: &[StepRecord], store: &Store) -> Vec<HeadlineMetric> {
    let mut out = Vec::new();
    for step in steps.iter().filter(|s| s.item.is_none()) {
        for a in &step.artifacts {
            if a.kind != ArtifactKind::File || a.size > MAX_JSON {
                continue;
            }
            let Ok(bytes) = std::fs::read(store.blob(&a.digest)) else {
                continue;
            };
            if contains(&bytes, b"\"metrics\"") {
                out.extend(parse_metrics(&step.task, &bytes).unwrap_or_default());
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    (0..haystack.len()).any(|i| haystack[i] == first && haystack[i + 1..].starts_with(rest))
}

/// The last `max` bytes of a file as text, and whether it was cut.
fn tail(path: &Path, max: u64) -> Option<(String, bool)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let cut = len > max;
    if cut {
        file.seek(SeekFrom::Start(len - max)).ok()?;
    }
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes).ok()?;
    Some((String::from_utf8_lossy(&bytes).into_owned(), cut))
}
