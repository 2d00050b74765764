//! The name rules Argo and Kubernetes apply: Argo's template, task, parameter and artifact names
//! (`workflow/validate/validate.go`, `paramOrArtifactNameRegex`, `workflowFieldNameRegex`), and
//! Kubernetes' object names, labels, annotation keys and Secret keys
//! (`k8s.io/apimachinery/pkg/util/validation/validation.go`). Hand-written matchers for their
//! regular expressions, so the crate needs no regex engine.
//!
//! ```
//! use argo_lang::names;
//!
//! assert!(names::check_field_name("train-fold-1").is_ok());
//! assert!(names::check_dns1035_label("2-folds").is_err()); // must start with a letter
//! assert_eq!(
//!     names::check_dns_label("Train").unwrap_err().to_string(),
//!     "must be a lowercase RFC 1123 label: lowercase alphanumeric characters or '-', \
//!      starting and ending with an alphanumeric character"
//! );
//! ```

/// Maximum length of template, task and step names (Argo `workflowFieldMaxLength`).
pub const FIELD_NAME_MAX: usize = 128;

/// Maximum length of a DNS-1123 or DNS-1035 label.
pub const DNS_LABEL_MAX: usize = 63;

/// Why a name breaks its rule; the message completes a sentence starting with the name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Longer than the rule allows.
    #[error("must be no more than {max} characters (is {len})")]
    TooLong {
        /// The limit.
        max: usize,
        /// The name's length in bytes.
        len: usize,
    },
    /// Characters, first or last character not allowed; the text says what is.
    #[error("{0}")]
    Pattern(&'static str),
    /// The `prefix/` of a label or annotation key is not a DNS subdomain.
    #[error("prefix {prefix:?} {reason}")]
    Prefix {
        /// The prefix.
        prefix: String,
        /// What is wrong with it.
        reason: Box<NameError>,
    },
}

fn at_most(s: &str, max: usize) -> Result<(), NameError> {
    match s.len() {
        len if len > max => Err(NameError::TooLong { max, len }),
        _ => Ok(()),
    }
}

fn pattern(ok: bool, rule: &'static str) -> Result<(), NameError> {
    if ok {
        Ok(())
    } else {
        Err(NameError::Pattern(rule))
    }
}

/// `^[a-zA-Z0-9][-a-zA-Z0-9]*$`, at most 128 characters (templates, tasks, steps).
pub fn check_field_name(s: &str) -> Result<(), NameError> {
    at_most(s, FIELD_NAME_MAX)?;
    let mut bytes = s.bytes();
    let first_ok = bytes.next().is_some_and(|c| c.is_ascii_alphanumeric());
    pattern(
        first_ok && bytes.all(|c| c.is_ascii_alphanumeric() || c == b'-'),
        "must consist of alphanumeric characters or '-', and start with an alphanumeric character",
    )
}

/// `^[-a-zA-Z0-9_]+$` (parameters, artifacts, `globalName`).
pub fn check_param_name(s: &str) -> Result<(), NameError> {
    pattern(
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_".contains(&c)),
        "must consist of alphanumeric characters, '_' or '-'",
    )
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, without a length limit.
fn is_dns_label_body(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// A DNS-1123 subdomain of at most `max` characters (object names; Kubernetes allows 253).
pub fn check_dns_subdomain(s: &str, max: usize) -> Result<(), NameError> {
    at_most(s, max)?;
    pattern(
        s.split('.').all(is_dns_label_body),
        "must be a lowercase RFC 1123 subdomain: lowercase alphanumeric characters, '-' or '.', \
         starting and ending with an alphanumeric character",
    )
}

/// A DNS-1123 label (namespaces, volume names).
pub fn check_dns_label(s: &str) -> Result<(), NameError> {
    at_most(s, DNS_LABEL_MAX)?;
    pattern(
        is_dns_label_body(s),
        "must be a lowercase RFC 1123 label: lowercase alphanumeric characters or '-', starting \
         and ending with an alphanumeric character",
    )
}

/// A DNS-1035 label: a DNS-1123 label that starts with a letter (Kubernetes service names; our
/// component names, which are also command-line names).
pub fn check_dns1035_label(s: &str) -> Result<(), NameError> {
    at_most(s, DNS_LABEL_MAX)?;
    pattern(
        is_dns_label_body(s) && s.starts_with(|c: char| c.is_ascii_lowercase()),
        "must be a lowercase RFC 1035 label: lowercase letters, digits or '-', starting with a \
         letter and ending with a letter or digit",
    )
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters.
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= DNS_LABEL_MAX
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
}

/// A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain.
pub fn check_label_key(s: &str) -> Result<(), NameError> {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    if let Some(p) = prefix {
        check_dns_subdomain(p, 253).map_err(|e| NameError::Prefix {
            prefix: p.to_owned(),
            reason: Box::new(e),
        })?;
    }
    pattern(
        is_qualified_name_part(name),
        "name part must be at most 63 alphanumeric characters, '-', '_' or '.', starting and \
         ending with an alphanumeric character",
    )
}

/// A label value: empty, or at most 63 alphanumeric characters, `-`, `_` or `.` between
/// alphanumeric ones.
pub fn check_label_value(s: &str) -> Result<(), NameError> {
    pattern(
        s.is_empty() || is_qualified_name_part(s),
        "must be at most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an \
         alphanumeric character",
    )
}

/// A key of a Secret or ConfigMap: `[-._a-zA-Z0-9]+`, at most 253 characters
/// (`IsConfigMapKey`).
pub fn check_config_map_key(s: &str) -> Result<(), NameError> {
    at_most(s, 253)?;
    pattern(
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-._".contains(&c))
            && s != "."
            && !s.starts_with(".."),
        "must consist of alphanumeric characters, '-', '_' or '.', and be neither '.' nor start \
         with '..'",
    )
}

#[cfg(test)]
mod tests;
