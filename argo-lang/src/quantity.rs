//! Kubernetes resource quantities, as the CRD's pattern for `resources.requests`/`limits` and
//! `emptyDir.sizeLimit` reads them (`k8s.io/apimachinery/pkg/api/resource/quantity.go`):
//! `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`
//!
//! ```
//! use argo_lang::quantity::{parse, Suffix};
//!
//! let q = parse("1.5Gi").unwrap();
//! assert_eq!((q.number, q.suffix), ("1.5", Suffix::Binary('G')));
//! assert_eq!(q.to_string(), "1.5Gi");
//! assert!(parse("512MB").is_err()); // bytes are not a unit: write 512M or 512Mi
//! ```

use std::fmt;

/// A quantity split into its signed decimal number and its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity<'t> {
    /// The number with its sign, e.g. `-1.5`, `.5`, `2.`.
    pub number: &'t str,
    /// What follows the number.
    pub suffix: Suffix<'t>,
}

/// The suffix of a [`Quantity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suffix<'t> {
    /// No suffix: a plain number.
    None,
    /// A power of two, `Ki` to `Ei` (the letter is `K`, `M`, `G`, `T`, `P` or `E`).
    Binary(char),
    /// A power of ten, `n`, `u`, `m`, `k`, `M`, `G`, `T`, `P` or `E`.
    Decimal(char),
    /// A decimal exponent `e<number>` or `E<number>` (the text after the letter, signed).
    Exponent(char, &'t str),
}

/// Why a text is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a Kubernetes quantity ({reason}): write e.g. 500m, 1.5, 512Mi or 2G")]
pub struct QuantityError {
    /// The text that was read.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Parses `text` as a Kubernetes quantity.
pub fn parse(text: &str) -> Result<Quantity<'_>, QuantityError> {
    let fail = |reason| QuantityError {
        text: text.to_owned(),
        reason,
    };
    let len = decimal_len(text).ok_or_else(|| fail("it does not start with a number"))?;
    let (number, rest) = text.split_at(len);
    let mut chars = rest.chars();
    let suffix = match (chars.next(), chars.as_str()) {
        (None, _) => Suffix::None,
        (Some(c @ ('K' | 'M' | 'G' | 'T' | 'P' | 'E')), "i") => Suffix::Binary(c),
        (Some(c @ ('n' | 'u' | 'm' | 'k' | 'M' | 'G' | 'T' | 'P' | 'E')), "") => Suffix::Decimal(c),
        (Some(e @ ('e' | 'E')), exp) => match decimal_len(exp) {
            Some(n) if n == exp.len() => Suffix::Exponent(e, exp),
            _ => return Err(fail("the exponent is not a number")),
        },
        _ => {
            return Err(fail(
                "the suffix is not one of Ki..Ei, n, u, m, k, M..E or an exponent",
            ))
        }
    };
    Ok(Quantity { number, suffix })
}

/// True when `text` is a Kubernetes quantity.
pub fn is_quantity(text: &str) -> bool {
    parse(text).is_ok()
}

/// The length of the `[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)` at the start of `text`, if any.
fn decimal_len(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let sign = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(sign);
    let mut end = sign + int;
    if b.get(end) == Some(&b'.') {
        let frac = digits(end + 1);
        if int == 0 && frac == 0 {
            return None;
        }
        end += 1 + frac;
    } else if int == 0 {
        return None;
    }
    Some(end)
}

impl fmt::Display for Quantity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.number)?;
        match self.suffix {
            Suffix::None => Ok(()),
            Suffix::Binary(c) => write!(f, "{c}i"),
            Suffix::Decimal(c) => write!(f, "{c}"),
            Suffix::Exponent(e, exp) => write!(f, "{e}{exp}"),
        }
    }
}

#[cfg(test)]
mod tests;
