//! The workflow summary and node tree as `argo get` / `argo submit --watch` print them
//! (`cmd/argo/commands/common/get.go`: STEP / TEMPLATE / PODNAME / DURATION / MESSAGE, status
//! icons of `common.go` `JobStatusIconMap`, pod names of `workflow/util/pod_name.go` v2).

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

/// `argo`'s status icon of a node phase.
pub fn icon(phase: &str) -> &'static str {
    match phase {
        "Pending" => "◷",
        "Running" => "●",
        "Succeeded" => "✔",
        "Skipped" => "○",
        "Failed" => "✖",
        "Error" => "⚠",
        _ => " ",
    }
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Seconds since the epoch of an RFC 3339 UTC timestamp (`2026-11-29T22:31:14Z`, as
/// `metav1.Time` marshals; fractional seconds are accepted and dropped).
fn epoch(ts: &str) -> Option<i64> {
    let t = humantime::parse_rfc3339_weak(ts).ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// `humanize.RelativeDurationShort`: `5s`, `3m`, `2h`, `1d`.
fn duration(started: &str, finished: &str, now: i64) -> String {
    let Some(start) = epoch(started) else {
        return String::new();
    };
    let end = epoch(finished).unwrap_or(now);
    let secs = (end - start).max(0);
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// Pod name of a Pod node (v2 names: `<workflow>-<template>-<fnv32a(node name)>`).
pub fn pod_name(workflow: &str, node_name: &str, template: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in node_name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    let mut prefix = if template.is_empty() {
        workflow.to_owned()
    } else {
        format!("{workflow}-{template}")
    };
    prefix.truncate(253 - 10 - 1);
    format!("{prefix}-{h}")
}

/// The summary and tree of a Workflow object, `now` in epoch seconds (for running nodes).
pub fn render(wf: &Value, now: i64) -> String {
    let name = s(wf, &["metadata", "name"]);
    let status = &wf["status"];
    let mut out = String::new();
    let mut field = |label: &str, value: &str| {
        if !value.is_empty() {
            out.push_str(&format!("{:<21}{value}\n", format!("{label}:")));
        }
    };
    field("Name", name);
    field("Namespace", s(wf, &["metadata", "namespace"]));
    field("ServiceAccount", s(wf, &["spec", "serviceAccountName"]));
    field("Status", s(status, &["phase"]));
    field("Message", s(status, &["message"]));
    field("Created", s(wf, &["metadata", "creationTimestamp"]));
    field("Started", s(status, &["startedAt"]));
    field("Finished", s(status, &["finishedAt"]));
    let started = s(status, &["startedAt"]);
    field(
        "Duration",
        &duration(started, s(status, &["finishedAt"]), now),
    );
    field("Progress", s(status, &["progress"]));
    let Some(nodes) = status.get("nodes").and_then(Value::as_object) else {
        return out;
    };
    let nodes: BTreeMap<&str, &Value> = nodes.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut rows = vec![[
        "STEP".to_owned(),
        "TEMPLATE".into(),
        "PODNAME".into(),
        "DURATION".into(),
        "MESSAGE".into(),
    ]];
    let mut seen = HashSet::new();
    let roots = [name.to_owned(), format!("{name}.onExit")];
    for root in roots.iter().filter_map(|r| {
        nodes
            .values()
            .find(|n| s(n, &["name"]) == r.as_str())
            .map(|n| s(n, &["id"]))
    }) {
        walk(wf, &nodes, root, "", "", now, &mut seen, &mut rows);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    out.push('\n');
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c < 4 {
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The nodes displayed under `id`: for a DAG/Steps boundary, the nodes inside it that no loop
/// group of the same boundary owns, in start order; otherwise the node's children.
fn contained<'a>(nodes: &BTreeMap<&'a str, &'a Value>, id: &str) -> Vec<&'a str> {
    let node = nodes[id];
    let kind = s(node, &["type"]);
    let children = |n: &Value| -> Vec<String> {
        n.get("children")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out: Vec<&str> = if matches!(kind, "DAG" | "Steps") {
        let inside: Vec<&str> = nodes
            .iter()
            .filter(|(_, n)| s(n, &["boundaryID"]) == id)
            .map(|(k, _)| *k)
            .collect();
        let grouped: HashSet<String> = inside
            .iter()
            .filter(|k| s(nodes[**k], &["type"]) == "TaskGroup")
            .flat_map(|k| children(nodes[*k]))
            .collect();
        inside
            .into_iter()
            .filter(|k| !grouped.contains(*k))
            .collect()
    } else if matches!(kind, "TaskGroup" | "Retry") {
        // A loop's items, a retried task's attempts. (A Pod's children are the tasks that
        // depend on it: they are shown under their DAG.)
        children(node)
            .iter()
            .filter_map(|c| nodes.get_key_value(c.as_str()).map(|(k, _)| *k))
            .collect()
    } else {
        Vec::new()
    };

    out.retain(|k| s(nodes[*k], &["phase"]) != "Omitted");
    out.sort_by_key(|k| (s(nodes[*k], &["startedAt"]), s(nodes[*k], &["displayName"])));
    out
}

#[allow(clippy::too_many_arguments)]
fn walk<'a>(
    wf: &Value,
    nodes: &BTreeMap<&'a str, &'a Value>,
    id: &'a str,
    prefix: &str,
    child_prefix: &str,
    now: i64,
    seen: &mut HashSet<&'a str>,
    rows: &mut Vec<[String; 5]>,
) {
    if !seen.insert(id) {
        return;
    }
    let n = nodes[id];
    let template = s(n, &["templateName"]);
    let pod = s(n, &["type"]) == "Pod";
    rows.push([
        format!(
            "{prefix}{} {}",
            icon(s(n, &["phase"])),
            s(n, &["displayName"])
        ),
        template.to_owned(),
        if pod {
            pod_name(s(wf, &["metadata", "name"]), s(n, &["name"]), template)
        } else {
            String::new()
        },
        if pod {
            duration(s(n, &["startedAt"]), s(n, &["finishedAt"]), now)
        } else {
            String::new()
        },
        s(n, &["message"]).to_owned(),
    ]);
    let kids = contained(nodes, id);
    let last = kids.len().saturating_sub(1);
    for (i, kid) in kids.into_iter().enumerate() {
        let (part, sub) = if i == last {
            ("└─", "  ")
        } else {
            ("├─", "│ ")
        };
        let p = format!("{child_prefix}{part}");
        let c = format!("{child_prefix}{sub}");
        walk(wf, nodes, kid, &p, &c, now, seen, rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_and_durations() {
        assert_eq!(epoch("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch("2026-11-29T22:31:14Z"), Some(1_795_991_474));
        assert_eq!(epoch("2026-11-29T22:31:14.250Z"), Some(1_795_991_474));
        assert_eq!(epoch("yesterday"), None);
        assert_eq!(
            duration("2026-11-29T22:31:14Z", "2026-11-29T22:33:20Z", 0),
            "2m"
        );
        assert_eq!(duration("", "", 0), "");
    }

    #[test]
    fn pod_names_follow_argo_v2() {
        // FNV-32a of "hello" is 1335831723 (0x4f9f2cab).
        assert_eq!(pod_name("wf", "hello", "t"), "wf-t-1335831723");
    }
}
