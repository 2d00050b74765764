//! `jsonpath(json, path)` as Argo's expression environment has it (`util/expr/env`, backed by
//! `github.com/oliveagle/jsonpath`), for the path subset its examples use: `$`, `.name`,
//! `['name']` and `[index]`. Filters (`[?(...)]`), wildcards and `..` are refused by
//! [`check`] so a workflow using them is refused before it runs.

use super::value::Value;
use super::ExprError;

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Parses `path`; the error names what is outside the subset.
fn parse(path: &str) -> Result<Vec<Seg>, String> {
    let outside = || {
        format!("jsonpath `{path}` is outside the supported subset ($, .name, ['name'], [index])")
    };
    let mut rest = path.trim().strip_prefix('$').ok_or_else(outside)?;
    let mut segs = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() || name == "*" || name.starts_with('.') {
                return Err(outside());
            }
            segs.push(Seg::Key(name.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(outside)?;
            let inner = r[..end].trim();
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            match (quoted, inner.parse::<usize>()) {
                (Some(key), _) => segs.push(Seg::Key(key.to_owned())),
                (None, Ok(i)) => segs.push(Seg::Index(i)),
                _ => return Err(outside()),
            }
            rest = &r[end + 1..];
        } else {
            return Err(outside());
        }
    }
    Ok(segs)
}

/// `Ok(())` when `path` is in the supported subset.
pub fn check(path: &str) -> Result<(), ExprError> {
    parse(path).map(|_| ()).map_err(ExprError::from)
}

/// The value at `path` in the JSON text `json`: numbers, strings, booleans and null as
/// themselves, objects and arrays as compact JSON text.
pub fn select(json: &str, path: &str) -> Result<Value, ExprError> {
    let doc: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| format!("jsonpath: the document is not JSON: {e}"))?;
    let mut at = &doc;
    for seg in parse(path)? {
        let next = match &seg {
            Seg::Key(k) => at.get(k.as_str()),
            Seg::Index(i) => at.get(*i),
        };
        at = next.ok_or_else(|| format!("jsonpath `{path}`: {seg:?} not found"))?;
    }
    Ok(match at {
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Number(n) => Value::Num(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Null => Value::Nil,
        other => Value::Str(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_the_subset_and_refuses_filters() {
        let doc = r#"{"a": {"b": [10, {"c": "x"}]}, "k-1": true}"#;
        assert_eq!(select(doc, "$.a.b[0]").unwrap(), Value::Num(10.0));
        assert_eq!(select(doc, "$.a.b[1].c").unwrap(), Value::Str("x".into()));
        assert_eq!(select(doc, "$['k-1']").unwrap(), Value::Bool(true));
        assert_eq!(
            select(doc, "$.a.b[1]").unwrap(),
            Value::Str(r#"{"c":"x"}"#.into())
        );
        assert!(select(doc, "$.nope").is_err());
        assert!(check("$.e[?(@.name==\"B\")].age").is_err());
        assert!(check("$..a").is_err());
    }
}
