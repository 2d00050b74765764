//! Hand-written matchers for the patterns Argo and Kubernetes apply (no regex dependency).

/// Maximum length of template, task and step names (Argo `workflowFieldMaxLength`).
pub(crate) const FIELD_NAME_MAX: usize = 128;

/// `^[a-zA-Z0-9][-a-zA-Z0-9]*$`, at most 128 characters (templates, tasks).
pub(crate) fn check_field_name(s: &str) -> Result<(), String> {
    if s.len() > FIELD_NAME_MAX {
        return Err(format!(
            "must be no more than {FIELD_NAME_MAX} characters (is {})",
            s.len()
        ));
    }
    let mut bytes = s.bytes();
    let first_ok = bytes.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_ok || !bytes.all(|c| c.is_ascii_alphanumeric() || c == b'-') {
        return Err(
            "must consist of alphanumeric characters or '-', and start with an \
                    alphanumeric character"
                .to_string(),
        );
    }
    Ok(())
}

/// `^[-a-zA-Z0-9_]+$` (parameters, artifacts, globalName).
pub(crate) fn check_param_name(s: &str) -> Result<(), String> {
    if !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        Ok(())
    } else {
        Err("must consist of alphanumeric characters, '_' or '-'".to_string())
    }
}

fn is_dns_label_body(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A DNS-1123 subdomain of at most `max` characters (object names).
pub(crate) fn check_dns_subdomain(s: &str, max: usize) -> Result<(), String> {
    if s.len() > max {
        return Err(format!(
            "must be no more than {max} characters (is {})",
            s.len()
        ));
    }
    if s.split('.').all(is_dns_label_body) {
        Ok(())
    } else {
        Err(
            "must be a lowercase RFC 1123 subdomain: lowercase alphanumeric characters, '-' \
             or '.', starting and ending with an alphanumeric character"
                .to_string(),
        )
    }
}

/// A DNS-1123 label (namespaces).
pub(crate) fn check_dns_label(s: &str) -> Result<(), String> {
    if s.len() > 63 {
        return Err(format!(
            "must be no more than 63 characters (is {})",
            s.len()
        ));
    }
    if is_dns_label_body(s) {
        Ok(())
    } else {
        Err(
            "must be a lowercase RFC 1123 label: lowercase alphanumeric characters or '-', \
             starting and ending with an alphanumeric character"
                .to_string(),
        )
    }
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters.
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
}

/// A label or annotation key: `[prefix/]name`, prefix a DNS subdomain.
pub(crate) fn check_label_key(s: &str) -> Result<(), String> {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    if let Some(p) = prefix {
        check_dns_subdomain(p, 253).map_err(|e| format!("prefix {p:?} {e}"))?;
    }
    if is_qualified_name_part(name) {
        Ok(())
    } else {
        Err(
            "name part must be at most 63 alphanumeric characters, '-', '_' or '.', starting \
             and ending with an alphanumeric character"
                .to_string(),
        )
    }
}

/// A label value: empty, or a qualified name part.
pub(crate) fn check_label_value(s: &str) -> Result<(), String> {
    if s.is_empty() || is_qualified_name_part(s) {
        Ok(())
    } else {
        Err(
            "must be at most 63 alphanumeric characters, '-', '_' or '.', starting and ending \
             with an alphanumeric character"
                .to_string(),
        )
    }
}

/// Consumes `[0-9]+(\.[0-9]*)?|\.[0-9]+` from the start of `b`; returns the rest.
fn take_decimal(b: &[u8]) -> Option<&[u8]> {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let rest = &b[digits..];
    if digits > 0 {
        if let Some(after_dot) = rest.strip_prefix(b".") {
            let frac = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
            return Some(&after_dot[frac..]);
        }
        return Some(rest);
    }
    let after_dot = rest.strip_prefix(b".")?;
    let frac = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
    (frac > 0).then(|| &after_dot[frac..])
}

/// The Kubernetes quantity pattern of the CRD:
/// `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`
pub(crate) fn is_quantity(s: &str) -> bool {
    let b = s.as_bytes();
    let b = b
        .strip_prefix(b"+")
        .or_else(|| b.strip_prefix(b"-"))
        .unwrap_or(b);
    let Some(rest) = take_decimal(b) else {
        return false;
    };
    match rest {
        [] => true,
        [u, b'i'] => b"KMGTPE".contains(u),
        [u] => b"numkMGTPE".contains(u),
        [e, exp @ ..] if *e == b'e' || *e == b'E' => {
            let exp = exp
                .strip_prefix(b"+")
                .or_else(|| exp.strip_prefix(b"-"))
                .unwrap_or(exp);
            take_decimal(exp).is_some_and(<[u8]>::is_empty)
        }
        _ => false,
    }
}

/// True when `s` is a whole `{{...}}` tag (Argo's "argo variable").
pub(crate) fn is_whole_tag(s: &str) -> bool {
    let t = s.trim();
    t.starts_with("{{") && t.ends_with("}}") && t.len() >= 4
}

/// True when `s` contains a `{{`.
pub(crate) fn has_tag(s: &str) -> bool {
    s.contains("{{")
}

/// Integer value of `s` (Go `strconv.Atoi` semantics: optional sign, digits).
pub(crate) fn int_value(s: &str) -> Option<i64> {
    s.parse::<i64>().ok()
}

/// An integer string or a whole `{{...}}` tag (Argo `IsValidIntOrArgoVariable`).
pub(crate) fn is_int_or_tag(s: &str) -> bool {
    int_value(s).is_some() || is_whole_tag(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        for ok in [
            "1", "500m", "0.5", ".5", "1.", "512Mi", "2Gi", "1G", "1k", "1e3", "1E-2", "+1", "-1",
            "100n", "1.5Ki",
        ] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in [
            "", "m", "1mi", "1Ki2", "1.5.5", "1 Gi", "1KB", "1e", "Gi", "1gi", ".",
        ] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(check_field_name("train-1").is_ok());
        assert!(check_field_name("1train").is_ok());
        assert!(check_field_name("-train").is_err());
        assert!(check_field_name("train_1").is_err());
        assert!(check_field_name(&"a".repeat(129)).is_err());
        assert!(check_param_name("data_uri-2").is_ok());
        assert!(check_param_name("data.uri").is_err());
        assert!(check_dns_subdomain("cv-train.v1", 63).is_ok());
        assert!(check_dns_subdomain("CV", 63).is_err());
        assert!(check_dns_subdomain("a-", 63).is_err());
        assert!(check_label_key("app.kubernetes.io/name").is_ok());
        assert!(check_label_key("bad key").is_err());
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("v1.0_x").is_ok());
        assert!(check_label_value("-x").is_err());
    }

    #[test]
    fn ints_and_tags() {
        assert!(is_int_or_tag("2"));
        assert!(is_int_or_tag("{{inputs.parameters.n}}"));
        assert!(!is_int_or_tag("2.5"));
        assert!(!is_int_or_tag("two"));
    }
}
