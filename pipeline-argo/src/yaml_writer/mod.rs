//! A small, deterministic block-style YAML writer: a [`serde::Serializer`] that writes block
//! YAML straight from the model types, with no intermediate `serde_yaml::Value` tree.
//!
//! `serde_yaml` (serde_yaml_ng) follows YAML 1.2 when it decides whether a string needs quotes,
//! so it writes `yes`, `on`, `y`, `1_000` or `12:30` unquoted. Kubernetes (`sigs.k8s.io/yaml`,
//! go-yaml v2) and PyYAML read those as booleans or numbers (YAML 1.1). This writer therefore
//! writes a string plain only when it is unambiguous in both YAML versions, and single-quotes it
//! otherwise. Mappings keep their serialization order (struct field order, sorted `BTreeMap`s), so
//! the same document always gives the same bytes.

mod ser;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

pub(crate) use ser::to_string;

/// A string that cannot be plain: a literal block for multi-line text, else quoted.
pub(crate) fn literal_block_or_quoted(s: &str, indent: usize) -> String {
    literal_block(s, indent).unwrap_or_else(|| quote_single_or_double(s))
}

/// Single quotes for one-line printable text, JSON-style double quotes otherwise.
pub(crate) fn quote_single_or_double(s: &str) -> String {
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
