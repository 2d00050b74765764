//! The DAG as an inline SVG: tasks in columns by depth, edges from each dependency.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{escape, status_color};
use crate::summary::{RunSummary, TaskRecord};

const W: usize = 170;
const H: usize = 44;
const GAP_X: usize = 50;
const GAP_Y: usize = 18;

/// The graph of the main DAG or of the exit handler's tasks.
pub(crate) fn graph(summary: &RunSummary, exit_handler: bool) -> String {
    let tasks: Vec<&TaskRecord> = summary
        .tasks
        .iter()
        .filter(|t| t.exit_handler == exit_handler)
        .collect();
    if tasks.is_empty() {
        return String::new();
    }
    let mut depth: BTreeMap<&str, usize> = BTreeMap::new();
    for _ in 0..tasks.len() {
        for t in &tasks {
            let d = t
                .depends
                .iter()
                .filter_map(|d| depth.get(d.as_str()))
                .map(|d| d + 1)
                .max()
                .unwrap_or(0);
            depth.insert(&t.name, d);
        }
    }
    let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
    let mut pos: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for t in &tasks {
        let col = depth.get(t.name.as_str()).copied().unwrap_or(0);
        let row = rows.entry(col).or_insert(0);
        pos.insert(&t.name, (10 + col * (W + GAP_X), 10 + *row * (H + GAP_Y)));
        *row += 1;
    }
    let width = 20 + (rows.len().max(1)) * (W + GAP_X);
    let height = 20 + rows.values().max().copied().unwrap_or(1) * (H + GAP_Y);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="task graph">"#
    );
    svg.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>"##);
    for t in &tasks {
        let (x, y) = pos.get(t.name.as_str()).copied().unwrap_or((10, 10));
        for d in &t.depends {
            if let Some((dx, dy)) = pos.get(d.as_str()) {
                let _ = write!(
                    svg,
                    r##"<line x1="{}" y1="{}" x2="{x}" y2="{}" stroke="#777" stroke-width="1.5" marker-end="url(#arrow)"/>"##,
                    dx + W,
                    dy + H / 2,
                    y + H / 2
                );
            }
        }
    }
    for t in &tasks {
        let (x, y) = pos.get(t.name.as_str()).copied().unwrap_or((10, 10));
        let items = summary
            .steps
            .iter()
            .filter(|s| s.task == t.name && s.item.is_some())
            .count();
        let fan = if items > 0 {
            format!(" ×{items}")
        } else {
            String::new()
        };
        let name: String = t.name.chars().take(22).collect();
        let _ = write!(
            svg,
            r##"<g><title>{title}</title><rect x="{x}" y="{y}" width="{W}" height="{H}" rx="6" fill="{color}" fill-opacity="0.15" stroke="{color}" stroke-width="2"/><text x="{tx}" y="{ty1}" font-size="13" font-weight="bold" text-anchor="middle">{name}</text><text x="{tx}" y="{ty2}" font-size="11" text-anchor="middle" fill="{color}">{status}{fan}</text></g>"##,
            title = escape(&format!(
                "{} ({}) {}",
                t.name,
                t.template,
                t.expression.clone().unwrap_or_default()
            )),
            color = status_color(t.status),
            tx = x + W / 2,
            ty1 = y + 18,
            ty2 = y + 35,
            name = escape(&name),
            status = t.status.as_str(),
        );
    }
    svg.push_str("</svg>");
    svg
}
