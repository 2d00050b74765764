//! Small predicates of Argo's validator: whole `{{...}}` tags and integer strings. Names and
//! quantities are `argo_lang::{names, quantity}`.

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
    fn ints_and_tags() {
        assert!(is_int_or_tag("2"));
        assert!(is_int_or_tag("{{inputs.parameters.n}}"));
        assert!(!is_int_or_tag("2.5"));
        assert!(!is_int_or_tag("two"));
    }
}
