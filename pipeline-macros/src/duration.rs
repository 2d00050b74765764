//! Go durations (`time.ParseDuration`), checked on the literal so a mistake such as
//! `timeout = "10x"` is a compile error at the string rather than a failed workflow.
//! Argo parses `timeout` and `retryStrategy.backoff.duration` with
//! `ParseStringToDuration` (argo `pkg/apis/workflow/v1alpha1/utils.go:9`: whole seconds or
//! `time.ParseDuration`) and refuses a whole number as `timeout`
//! (`workflow/validate/validate.go:567`).

/// Go's units, two-letter ones first so `ms` is not read as `m`.
const UNITS: [&str; 8] = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"];

/// True when `text` is an unsigned Go duration with units (`30s`, `1h30m`, `1.5h`, `0`).
pub fn is_go_duration(text: &str) -> bool {
    if text == "0" {
        return true;
    }
    let mut rest = text;
    while !rest.is_empty() {
        let int = rest.bytes().take_while(u8::is_ascii_digit).count();
        let mut len = int;
        let mut frac = 0;
        if rest.as_bytes().get(len) == Some(&b'.') {
            frac = rest[len + 1..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            len += 1 + frac;
        }
        if int == 0 && frac == 0 {
            return false;
        }
        rest = &rest[len..];
        match UNITS.iter().find(|u| rest.starts_with(**u)) {
            Some(unit) => rest = &rest[unit.len()..],
            None => return false,
        }
    }
    !text.is_empty()
}

/// Checks the duration option `option` (`timeout`, `backoff`); `whole_seconds` accepts a bare
/// number of seconds as Argo does for backoff.
pub fn check(option: &str, lit: &syn::LitStr, whole_seconds: bool) -> syn::Result<()> {
    let text = lit.value();
    let seconds = whole_seconds && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if seconds || is_go_duration(&text) {
        return Ok(());
    }
    Err(syn::Error::new(
        lit.span(),
        format!(
            "`{text}` is not a valid {option}: write a Go duration such as `30s`, `10m` or \
             `1h30m` (units ns, us, ms, s, m, h)"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::is_go_duration;

    #[test]
    fn go_durations() {
        for ok in [
            "0", "30s", "1h", "1h30m", "1.5h", "300ms", "2m", "10us", ".5s",
        ] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in [
            "", "10x", "1d", "30", "s", "1 h", "-1s", "1h 30m", "1.h.", "five",
        ] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }
}
