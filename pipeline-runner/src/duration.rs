//! Durations as the runner reads and shows them.

use std::time::Duration;

use crate::argo::lang::duration::{parse_argo, DurationError};

/// A `timeout` or a retry's `backoff` field as Argo reads it (whole seconds or a Go duration,
/// [`parse_argo`]); a negative one is zero, a deadline that has already passed.
pub(crate) fn parse(text: &str) -> Result<Duration, DurationError> {
    Ok(parse_argo(text)?.to_std().unwrap_or_default())
}

/// Short human form: `850ms`, `4.2s`, `3m05s`.
pub(crate) fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        let s = d.as_secs();
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_argo_reads() {
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("-5s"), Ok(Duration::ZERO));
        assert!(parse("2.5").is_err());
        assert_eq!(human(Duration::from_millis(3_000)), "3.0s");
    }
}
