//! Fan-out: the items of `withItems`, `withParam` and `withSequence`, and a file-name-safe key
//! for each (used in log names and the run summary).

use serde_json::Value;

use super::subst::{render, substitute, substitute_json, Scope};
use crate::argo::{DagTask, Sequence};

/// One item of a fan-out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    /// Position in the list.
    pub index: usize,
    /// File-name-safe key: the item's `key` field, else its text, else its index.
    pub key: String,
    /// The item.
    pub value: Value,
}

/// The items of a looped task, or `None` when the task does not fan out.
pub(crate) fn expand(task: &DagTask, scope: &Scope) -> Result<Option<Vec<Item>>, String> {
    let values = if !task.with_items.is_empty() {
        task.with_items
            .iter()
            .map(|v| substitute_json(v, scope))
            .collect::<Result<Vec<_>, _>>()?
    } else if let Some(param) = &task.with_param {
        let text = substitute(param, scope)?;
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Array(values)) => values,
            _ => return Err(format!("withParam `{text}` is not a JSON list")),
        }
    } else if let Some(seq) = &task.with_sequence {
        sequence(seq, scope)?
    } else {
        return Ok(None);
    };
    Ok(Some(keyed(values)))
}

fn keyed(values: Vec<Value>) -> Vec<Item> {
    let mut keys: Vec<String> = values.iter().map(key_of).collect();
    let unique = {
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        sorted.len() == keys.len() && keys.iter().all(|k| !k.is_empty())
    };
    if !unique {
        keys = (0..values.len()).map(|i| format!("{i:05}")).collect();
    }
    values
        .into_iter()
        .zip(keys)
        .enumerate()
        .map(|(index, (value, key))| Item { index, key, value })
        .collect()
}

fn key_of(value: &Value) -> String {
    let text = match value {
        Value::Object(fields) => match fields.get("key") {
            Some(k @ (Value::String(_) | Value::Number(_))) => render(k),
            _ => String::new(),
        },
        Value::Array(_) | Value::Null => String::new(),
        other => render(other),
    };
    let safe: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if safe.starts_with('.') {
        String::new()
    } else {
        safe
    }
}

fn sequence(seq: &Sequence, scope: &Scope) -> Result<Vec<Value>, String> {
    let int = |field: &str, v: &Option<String>| -> Result<Option<i64>, String> {
        v.as_ref()
            .map(|text| {
                let text = substitute(text, scope)?;
                text.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("withSequence.{field} `{text}` is not an integer"))
            })
            .transpose()
    };
    let start = int("start", &seq.start)?.unwrap_or(0);
    let numbers: Vec<i64> = match (int("count", &seq.count)?, int("end", &seq.end)?) {
        (Some(count), None) if (0..=100_000).contains(&count) => (start..start + count).collect(),
        (None, Some(end)) if (end - start).abs() <= 100_000 => {
            if end >= start {
                (start..=end).collect()
            } else {
                (end..=start).rev().collect()
            }
        }
        (Some(_), Some(_)) => return Err("withSequence: set either count or end, not both".into()),
        _ => return Err("withSequence needs a count (0..=100000) or an end".into()),
    };
    let format = seq.format.as_deref().unwrap_or("%d");
    Ok(numbers
        .into_iter()
        .map(|n| Value::String(printf(format, n)))
        .collect())
}

/// `printf` for one integer: `%d`, `%5d`, `%05d`, `%x`, `%X`, `%o`, `%%`.
fn printf(format: &str, n: i64) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let zero = spec.starts_with('0');
        let width: usize = spec.parse().unwrap_or(0);
        let body = match chars.next() {
            Some('d') => n.to_string(),
            Some('x') => format!("{n:x}"),
            Some('X') => format!("{n:X}"),
            Some('o') => format!("{n:o}"),
            Some('%') => "%".into(),
            Some(other) => format!("%{spec}{other}"),
            None => format!("%{spec}"),
        };
        let pad = width.saturating_sub(body.len());
        if zero && body.starts_with('-') {
            out.push('-');
            out.push_str(&"0".repeat(pad));
            out.push_str(&body[1..]);
        } else {
            out.push_str(&(if zero { "0" } else { " " }).repeat(pad));
            out.push_str(&body);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn task(json: Value) -> DagTask {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn expands_items_params_and_sequences() {
        let mut scope = Scope::default();
        scope.set("tasks.a.outputs.parameters.list", r#"["x", 2, {"k": 1}]"#);
        scope.set("workflow.parameters.n", "3");
        let items = expand(
            &task(json!({"name": "t", "template": "t",
                "withItems": [{"key": "00000", "value": 1}, {"key": "00001", "value": 2}]})),
            &scope,
        )
        .unwrap()
        .unwrap();
        assert_eq!(items[1].key, "00001");
        let items = expand(
            &task(json!({"name": "t", "template": "t",
                "withParam": "{{tasks.a.outputs.parameters.list}}"})),
            &scope,
        )
        .unwrap()
        .unwrap();
        let keys: Vec<_> = items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["00000", "00001", "00002"],
            "an object without key -> indices"
        );
        let items = expand(
            &task(json!({"name": "t", "template": "t",
                "withSequence": {"count": "{{workflow.parameters.n}}", "start": "1", "format": "fold-%02d"}})),
            &scope,
        )
        .unwrap()
        .unwrap();
        let values: Vec<_> = items.iter().map(|i| i.value.clone()).collect();
        assert_eq!(
            values,
            [json!("fold-01"), json!("fold-02"), json!("fold-03")]
        );
        assert_eq!(items[0].key, "fold-01");
        assert!(expand(
            &task(json!({"name": "t", "template": "t", "withParam": "nope"})),
            &scope
        )
        .is_err());
        assert_eq!(
            expand(&task(json!({"name": "t", "template": "t"})), &scope),
            Ok(None)
        );
    }

    #[test]
    fn formats_like_printf() {
        assert_eq!(printf("%d", 7), "7");
        assert_eq!(printf("f-%03d", 7), "f-007");
        assert_eq!(printf("%3d|%x|%%", 7), "  7|7|%");
        assert_eq!(printf("%03d", -7), "-07");
    }
}
