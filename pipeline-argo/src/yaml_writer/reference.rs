//! The previous writer, over a [`serde_yaml::Value`] tree: kept for tests as the reference the
//! direct serializer must match byte for byte.

use super::{is_safe_plain, literal_block_or_quoted, quote_single_or_double};
use serde_yaml::Value;

/// `doc` through `serde_yaml::to_value` and the `Value` writer.
pub(crate) fn to_string<T: serde::Serialize + ?Sized>(doc: &T) -> Result<String, String> {
    let value = serde_yaml::to_value(doc).map_err(|e| e.to_string())?;
    write_document(&value)
}

/// Writes `value` as a YAML document (no `---`, ends with a newline).
fn write_document(value: &Value) -> Result<String, String> {
    let mut out = String::new();
    match value {
        Value::Mapping(m) if !m.is_empty() => write_mapping(&mut out, m, 0, false)?,
        Value::Sequence(s) if !s.is_empty() => write_sequence(&mut out, s, 0)?,
        other => {
            out.push_str(&inline(other)?);
            out.push('\n');
        }
    }
    Ok(out)
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Writes the entries of a non-empty mapping, each at `indent`; when `inline_first`, the first key
/// continues the current line (after `- `).
fn write_mapping(
    out: &mut String,
    map: &serde_yaml::Mapping,
    indent: usize,
    inline_first: bool,
) -> Result<(), String> {
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 || !inline_first {
            pad(out, indent);
        }
        match k {
            Value::String(s) => out.push_str(&scalar_string(s, indent)),
            Value::Null | Value::Bool(_) | Value::Number(_) => out.push_str(&inline(k)?),
            _ => return Err("mapping keys must be scalars".to_string()),
        }
        out.push(':');
        write_child(out, v, indent)?;
    }
    Ok(())
}

/// Writes the items of a non-empty sequence, each as `- ` at `indent`.
fn write_sequence(out: &mut String, seq: &[Value], indent: usize) -> Result<(), String> {
    for item in seq {
        pad(out, indent);
        out.push('-');
        match item {
            Value::Mapping(m) if !m.is_empty() => {
                out.push(' ');
                write_mapping(out, m, indent + 2, true)?;
            }
            _ => write_child(out, item, indent)?,
        }
    }
    Ok(())
}

/// Writes the value after `key:` or `-` (the separator is written here).
fn write_child(out: &mut String, v: &Value, indent: usize) -> Result<(), String> {
    match v {
        Value::Mapping(m) if !m.is_empty() => {
            out.push('\n');
            write_mapping(out, m, indent + 2, false)
        }
        Value::Sequence(s) if !s.is_empty() => {
            out.push('\n');
            write_sequence(out, s, indent + 2)
        }
        Value::String(s) => {
            out.push(' ');
            out.push_str(&scalar_string(s, indent));
            out.push('\n');
            Ok(())
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other)?);
            out.push('\n');
            Ok(())
        }
    }
}

/// A non-string scalar or an empty collection on one line.
fn inline(v: &Value) -> Result<String, String> {
    Ok(match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(_) => serde_yaml::to_string(v)
            .map_err(|e| e.to_string())?
            .trim_end()
            .to_string(),
        Value::String(s) => quote_single_or_double(s),
        Value::Mapping(_) => "{}".to_string(),
        Value::Sequence(_) => "[]".to_string(),
        Value::Tagged(_) => return Err("YAML tags are not supported".to_string()),
    })
}

/// A string scalar: plain when unambiguous, a literal block for multi-line text, else quoted.
/// `indent` is the indentation of the owning key or `-`.
fn scalar_string(s: &str, indent: usize) -> String {
    if is_safe_plain(s) {
        return s.to_string();
    }
    literal_block_or_quoted(s, indent)
}
