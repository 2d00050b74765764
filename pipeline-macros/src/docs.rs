//! Reading doc comments: the description, and per-argument docs from a `# Parameters` list.

use syn::{Attribute, Expr, Lit, Meta};

/// The lines of the `///` doc comments among `attrs`.
pub fn doc_lines(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                Expr::Lit(l) => match &l.lit {
                    Lit::Str(s) => Some(s.value().trim().to_owned()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The doc text before the first `#` heading: lines joined with spaces, paragraphs kept.
pub fn description(lines: &[String]) -> String {
    let body: Vec<&str> = lines
        .iter()
        .map(String::as_str)
        .take_while(|l| !l.starts_with('#'))
        .collect();
    let mut text = String::new();
    for line in body {
        if line.is_empty() {
            text.push_str("\n\n");
        } else {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push(' ');
            }
            text.push_str(line);
        }
    }
    text.trim().to_owned()
}

/// The doc of argument `name` from a `# Parameters` or `# Arguments` list:
/// ``- `name`: text`` or ``* `name` - text``.
pub fn argument_doc(lines: &[String], name: &str) -> String {
    let mut in_section = false;
    for line in lines {
        if let Some(heading) = line.strip_prefix('#') {
            let h = heading.trim_start_matches('#').trim().to_ascii_lowercase();
            in_section = h == "parameters" || h == "arguments" || h == "inputs";
            continue;
        }
        if !in_section {
            continue;
        }
        let item = line.trim_start_matches(['-', '*']).trim_start();
        if let Some(rest) = item.strip_prefix(&format!("`{name}`")) {
            return rest.trim_start_matches([':', '-', ' ']).trim().to_owned();
        }
    }
    String::new()
}
