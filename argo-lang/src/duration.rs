//! Go durations (`time.ParseDuration`) and Argo's "whole seconds or a Go duration"
//! (`ParseStringToDuration`, `pkg/apis/workflow/v1alpha1/utils.go` line 9), which Argo uses for
//! a template's `timeout` (`operator.go`, `getTimeoutAsDeadline`) and a retry's
//! `backoff.duration`/`maxDuration`.
//!
//! ```
//! use argo_lang::duration::{parse_argo, parse_go};
//! use std::time::Duration;
//!
//! assert_eq!(parse_go("1h30m").unwrap().to_std(), Some(Duration::from_secs(5400)));
//! assert_eq!(parse_go("-5s").unwrap().nanos(), -5_000_000_000);
//! assert_eq!(parse_argo("30").unwrap().to_std(), Some(Duration::from_secs(30)));
//! assert!(parse_go("30").is_err()); // Go wants a unit
//! assert!(parse_argo("2.5").is_err()); // neither whole seconds nor a Go duration
//! ```

use std::fmt;
use std::time::Duration;

/// A signed span of time in nanoseconds, as Go's `time.Duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct GoDuration(i64);

impl GoDuration {
    /// Nanoseconds, negative for a negative duration.
    pub fn nanos(self) -> i64 {
        self.0
    }

    /// The duration as a [`Duration`], or `None` when it is negative.
    pub fn to_std(self) -> Option<Duration> {
        u64::try_from(self.0).ok().map(Duration::from_nanos)
    }
}

impl fmt::Display for GoDuration {
    /// The value in the largest unit that keeps it whole (`90s`, `1500ms`, `2h`), which
    /// [`parse_go`] reads back as the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        for (unit, scale) in [("h", HOUR), ("m", MINUTE), ("s", SECOND), ("ms", 1_000_000)] {
            if n != 0 && n % scale as i64 == 0 {
                return write!(f, "{}{unit}", n / scale as i64);
            }
        }
        if n == 0 {
            return f.write_str("0s");
        }
        if n % 1_000 == 0 {
            return write!(f, "{}us", n / 1_000);
        }
        write!(f, "{n}ns")
    }
}

/// Why a text is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a duration ({reason}): write e.g. `500ms`, `30s`, `2m` or `1h30m` (units ns, us, ms, s, m, h)")]
pub struct DurationError {
    /// The text that was read.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

const SECOND: u64 = 1_000_000_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

fn unit(name: &str) -> Option<u64> {
    Some(match name {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return None,
    })
}

/// Parses `text` as Go's `time.ParseDuration` does: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or `0`,
/// at most about 292 years.
pub fn parse_go(text: &str) -> Result<GoDuration, DurationError> {
    let fail = |reason| DurationError {
        text: text.to_owned(),
        reason,
    };
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(GoDuration(0));
    }
    if rest.is_empty() {
        return Err(fail("it is empty"));
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let mut whole: u64 = 0;
        for b in rest[..int_len].bytes() {
            whole = whole
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
                .filter(|v| *v <= 1 << 63)
                .ok_or_else(|| fail("it is too long"))?;
        }
        rest = &rest[int_len..];
        let (mut fraction, mut scale, mut frac_len) = (0u64, 1f64, 0);
        if let Some(after) = rest.strip_prefix('.') {
            frac_len = after.bytes().take_while(u8::is_ascii_digit).count();
            for b in after[..frac_len].bytes() {
                // Go stops adding digits once they would overflow, keeping the value's precision.
                if let Some(v) = fraction
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(b - b'0')))
                    .filter(|v| *v <= 1 << 63)
                {
                    fraction = v;
                    scale *= 10.0;
                }
            }
            rest = &after[frac_len..];
        }
        if int_len == 0 && frac_len == 0 {
            return Err(fail("a number is missing"));
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(fail("a unit is missing"));
        }
        let scale_ns = unit(&rest[..unit_len]).ok_or_else(|| fail("unknown unit"))?;
        rest = &rest[unit_len..];
        let mut value = whole
            .checked_mul(scale_ns)
            .filter(|v| *v <= 1 << 63)
            .ok_or_else(|| fail("it is too long"))?;
        if fraction > 0 {
            value += (fraction as f64 * (scale_ns as f64 / scale)) as u64;
        }
        total = total
            .checked_add(value)
            .filter(|v| *v <= 1 << 63)
            .ok_or_else(|| fail("it is too long"))?;
    }
    match (negative, i64::try_from(total)) {
        (false, Ok(n)) => Ok(GoDuration(n)),
        (true, Ok(n)) => Ok(GoDuration(-n)),
        (true, Err(_)) => Ok(GoDuration(i64::MIN)),
        (false, Err(_)) => Err(fail("it is too long")),
    }
}

/// Parses `text` as Argo's `ParseStringToDuration`: a whole number of seconds (Go's
/// `strconv.Atoi`: optional sign, decimal digits), otherwise a Go duration.
pub fn parse_argo(text: &str) -> Result<GoDuration, DurationError> {
    if !is_whole_seconds(text) {
        return parse_go(text);
    }
    // Go multiplies without a check; a count of seconds this large is a mistake.
    text.parse::<i64>()
        .ok()
        .and_then(|seconds| seconds.checked_mul(SECOND as i64))
        .map(GoDuration)
        .ok_or_else(|| DurationError {
            text: text.to_owned(),
            reason: "it is too long",
        })
}

/// True when `text` is a whole number of seconds as `strconv.Atoi` reads it.
fn is_whole_seconds(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests;
