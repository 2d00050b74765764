//! A small, deterministic block-style YAML writer over [`serde_yaml::Value`].
//!
//! `serde_yaml` (serde_yaml_ng) follows YAML 1.2 when it decides whether a string needs quotes,
//! so it writes `yes`, `on`, `y`, `1_000` or `12:30` unquoted. Kubernetes (`sigs.k8s.io/yaml`,
//! go-yaml v2) and PyYAML read those as booleans or numbers (YAML 1.1). This writer therefore
//! writes a string plain only when it is unambiguous in both YAML versions, and single-quotes it
//! otherwise. Mappings keep their insertion order (struct field order, sorted `BTreeMap`s), so the
//! same document always gives the same bytes.

use serde_yaml::Value;

/// Writes `value` as a YAML document (no `---`, ends with a newline).
pub(crate) fn write_document(value: &Value) -> Result<String, String> {
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
    if let Some(block) = literal_block(s, indent) {
        return block;
    }
    quote_single_or_double(s)
}

/// Single quotes for one-line printable text, JSON-style double quotes otherwise.
fn quote_single_or_double(s: &str) -> String {
    if s.chars().all(|c| !c.is_control()) && !s.contains('\u{feff}') {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        // A JSON string is a valid YAML double-quoted scalar.
        serde_json::to_string(s).unwrap_or_else(|_| format!("'{}'", s.replace('\'', "''")))
    }
}

/// Words that YAML 1.1 or 1.2 resolve to booleans or null when unquoted.
const SPECIAL_WORDS: &[&str] = &["y", "yes", "n", "no", "true", "false", "on", "off", "null"];

/// True when `s` can be written without quotes and reads back as the same string under both
/// YAML 1.1 and YAML 1.2 rules. Deliberately conservative.
pub(crate) fn is_safe_plain(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    let first_ok = first.is_ascii_alphabetic()
        || first == b'_'
        || first == b'/'
        || (first == b'-'
            && bytes
                .get(1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-'));
    if !first_ok || s.ends_with([' ', ':']) {
        return false;
    }
    let chars_ok = s
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"_./-:=@ +".contains(&c));
    if !chars_ok || s.contains(": ") || s.contains("  ") {
        return false;
    }
    !SPECIAL_WORDS.contains(&s.to_ascii_lowercase().as_str())
}

/// A literal block scalar (`|`, `|-` or `|+`) for readable multi-line text, if it is safe.
fn literal_block(s: &str, indent: usize) -> Option<String> {
    if !s.contains('\n')
        || s.starts_with([' ', '\n'])
        || s.chars().any(|c| c.is_control() && c != '\n')
        || s.contains('\u{feff}')
    {
        return None;
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let mut out = format!("|{chomp}\n");
    let content_indent = indent + 2;
    let mut lines: Vec<&str> = body.split('\n').collect();
    // `|+` keeps the extra trailing newlines as empty lines.
    lines.extend(std::iter::repeat_n("", trailing.saturating_sub(1)));
    for (i, line) in lines.iter().enumerate() {
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', content_indent));
            out.push_str(line);
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
    // The caller adds the final newline.
    Some(out)
}
