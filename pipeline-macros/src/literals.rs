//! Option literals that Argo reads, checked at expansion with `argo-lang`'s parsers (the ones the
//! validator and the local runner use), so a mistake such as `timeout = "10x"` is a compile error
//! at the string rather than a failed workflow.

use argo_lang::{duration, names, quantity};
use syn::LitStr;

/// `timeout` (a Go duration: Argo refuses whole seconds there, `workflow/validate/validate.go`
/// line 567) or `backoff` (`whole_seconds`: Argo's `ParseStringToDuration` also takes a number of
/// seconds); neither may be negative.
pub fn duration(option: &str, lit: &LitStr, whole_seconds: bool) -> syn::Result<()> {
    let text = lit.value();
    let parsed = if whole_seconds {
        duration::parse_argo(&text)
    } else {
        duration::parse_go(&text)
    };
    let reason = match parsed {
        Ok(d) if d.nanos() >= 0 => return Ok(()),
        Ok(_) => "it is negative",
        Err(e) => e.reason,
    };
    Err(syn::Error::new(
        lit.span(),
        format!(
            "`{text}` is not a valid {option} ({reason}): write a Go duration such as `30s`, \
             `10m` or `1h30m` (units ns, us, ms, s, m, h)"
        ),
    ))
}

/// `cpu`, `memory`, `cpu_limit`, `memory_limit`: Kubernetes quantities (a `{{...}}` tag is left
/// to the validator, as in the manifest).
pub fn quantity(lit: &LitStr) -> syn::Result<()> {
    let text = lit.value();
    match quantity::parse(&text) {
        Err(e) if !text.contains("{{") => Err(syn::Error::new(lit.span(), e)),
        _ => Ok(()),
    }
}

/// A component name: a DNS-1035 label, since it becomes an Argo template name and a command-line
/// name. The error suggests a fixed name when one is close.
pub fn component_name(lit: &LitStr) -> syn::Result<String> {
    let name = lit.value();
    if names::check_dns1035_label(&name).is_ok() {
        return Ok(name);
    }
    let fixed: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let fixed = fixed.trim_matches(|c: char| c == '-' || c.is_ascii_digit());
    let hint = match names::check_dns1035_label(fixed) {
        Ok(()) => format!(" (e.g. `{fixed}`)"),
        Err(_) => String::new(),
    };
    Err(syn::Error::new(
        lit.span(),
        format!(
            "`{name}` is not a valid component name: it becomes a command-line name and an Argo \
             template name, so use lowercase letters, digits and `-`, starting with a letter and \
             ending with a letter or digit, at most 63 characters{hint}"
        ),
    ))
}

/// `"secret-name/key"` -> the Secret (a DNS-1123 subdomain) and the key in it.
pub fn secret_ref(value: &str) -> Option<(String, String)> {
    let (secret, key) = value.split_once('/')?;
    let ok =
        names::check_dns_subdomain(secret, 253).is_ok() && names::check_config_map_key(key).is_ok();
    ok.then(|| (secret.to_owned(), key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(text: &str) -> LitStr {
        LitStr::new(text, proc_macro2::Span::call_site())
    }

    #[test]
    fn durations_read_as_argo_reads_them() {
        for ok in ["0", "30s", "1h30m", "1.5h", "300ms", ".5s", "250µs"] {
            assert!(duration("timeout", &lit(ok), false).is_ok(), "{ok}");
        }
        assert!(duration("backoff", &lit("30"), true).is_ok());
        for bad in ["", "10x", "1d", "30", "1 h", "-1s", "five"] {
            assert!(duration("timeout", &lit(bad), false).is_err(), "{bad}");
        }
        let e = duration("timeout", &lit("-1s"), false).unwrap_err();
        assert!(e.to_string().contains("(it is negative)"), "{e}");
    }

    #[test]
    fn quantities_and_names() {
        assert!(quantity(&lit("512Mi")).is_ok());
        assert!(quantity(&lit("{{inputs.parameters.mem}}")).is_ok());
        assert!(quantity(&lit("512MB")).is_err());
        assert_eq!(component_name(&lit("train-fold")).unwrap(), "train-fold");
        let e = component_name(&lit("Train_Fold")).unwrap_err().to_string();
        assert!(e.contains("(e.g. `train-fold`)"), "{e}");
        assert_eq!(
            secret_ref("s3-creds/key_id"),
            Some(("s3-creds".into(), "key_id".into()))
        );
        assert_eq!(secret_ref("s3-creds"), None);
        assert_eq!(secret_ref("S3/key"), None);
    }
}
