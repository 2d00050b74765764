//! The `sprig.<name>` functions of Argo's expression environment (`util/expr/env/env.go` puts
//! Masterminds/sprig v3's `GenericFuncMap` under `sprig`), with sprig's Go semantics: string
//! functions take the string last (`sprig.replace(old, new, s)`, `sprig.contains(sub, s)`), the
//! integer arithmetic converts every argument with `cast.ToInt64` (a string that is not an
//! integer counts as 0), `b64dec` of bad input gives the error text, as sprig does.

use super::value::Value;
use base64::Engine;

/// The sprig functions supported, with their argument counts (`None`: any number more).
const FUNCTIONS: &[(&str, usize, Option<usize>)] = &[
    ("trim", 1, Some(1)),
    ("upper", 1, Some(1)),
    ("lower", 1, Some(1)),
    ("trimAll", 2, Some(2)),
    ("trimPrefix", 2, Some(2)),
    ("trimSuffix", 2, Some(2)),
    ("contains", 2, Some(2)),
    ("hasPrefix", 2, Some(2)),
    ("hasSuffix", 2, Some(2)),
    ("replace", 3, Some(3)),
    ("repeat", 2, Some(2)),
    ("b64enc", 1, Some(1)),
    ("b64dec", 1, Some(1)),
    ("default", 1, None),
    ("empty", 1, Some(1)),
    ("toString", 1, Some(1)),
    ("atoi", 1, Some(1)),
    ("int", 1, Some(1)),
    ("int64", 1, Some(1)),
    ("float64", 1, Some(1)),
    ("add", 0, None),
    ("sub", 2, Some(2)),
    ("mul", 1, None),
    ("div", 2, Some(2)),
    ("mod", 2, Some(2)),
    ("max", 1, None),
    ("min", 1, None),
];

/// The argument counts of `sprig.<name>`, or an error listing the supported functions.
pub(crate) fn arity(name: &str) -> Result<(usize, Option<usize>), String> {
    FUNCTIONS
        .iter()
        .find(|f| f.0 == name)
        .map(|f| (f.1, f.2))
        .ok_or_else(|| {
            let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.0).collect();
            format!(
                "function `sprig.{name}` is not in the supported subset (sprig.{})",
                names.join(", sprig.")
            )
        })
}

/// Calls `sprig.<name>` on evaluated arguments (their count is checked by the parser).
pub(crate) fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let text = |i: usize| match &args[i] {
        Value::Str(s) => Ok(s.as_str()),
        other => Err(format!(
            "sprig.{name}: argument {} must be a string, got {}",
            i + 1,
            other.kind()
        )),
    };
    let last = args.len().saturating_sub(1);
    let ints = || args.iter().map(to_int64);
    Ok(match name {
        "trim" => Value::Str(text(0)?.trim_matches(go_space).into()),
        "upper" => Value::Str(text(0)?.to_uppercase()),
        "lower" => Value::Str(text(0)?.to_lowercase()),
        "trimAll" => {
            let cutset = text(0)?;
            Value::Str(text(1)?.trim_matches(|c| cutset.contains(c)).into())
        }
        "trimPrefix" => Value::Str(text(1)?.strip_prefix(text(0)?).unwrap_or(text(1)?).into()),
        "trimSuffix" => Value::Str(text(1)?.strip_suffix(text(0)?).unwrap_or(text(1)?).into()),
        "contains" => Value::Bool(text(1)?.contains(text(0)?)),
        "hasPrefix" => Value::Bool(text(1)?.starts_with(text(0)?)),
        "hasSuffix" => Value::Bool(text(1)?.ends_with(text(0)?)),
        "replace" => Value::Str(text(2)?.replace(text(0)?, text(1)?)),
        "repeat" => match &args[0] {
            Value::Num(n) if n.fract() == 0.0 && *n >= 0.0 => {
                Value::Str(text(1)?.repeat(*n as usize))
            }
            other => {
                return Err(format!(
                    "sprig.repeat: the count must be a non-negative integer, got {}",
                    other.to_text().unwrap_or_else(|| "nil".into())
                ))
            }
        },
        "b64enc" => Value::Str(base64::engine::general_purpose::STANDARD.encode(text(0)?)),
        "b64dec" => Value::Str(
            match base64::engine::general_purpose::STANDARD.decode(text(0)?) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                // sprig returns the error's text as the result.
                Err(e) => format!("illegal base64 data: {e}"),
            },
        ),
        "default" => match args.get(1) {
            Some(given) if !is_empty(given) => given.clone(),
            _ => args[0].clone(),
        },
        "empty" => Value::Bool(is_empty(&args[0])),
        "toString" => Value::Str(args[0].to_text().unwrap_or_else(|| "<nil>".into())),
        "atoi" => Value::Num(text(0)?.parse::<i64>().unwrap_or(0) as f64),
        "int" | "int64" => Value::Num(to_int64(&args[0]) as f64),
        "float64" => Value::Num(match &args[0] {
            Value::Num(n) => *n,
            Value::Str(s) => s.trim().parse().unwrap_or(0.0),
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Nil => 0.0,
        }),
        "add" => Value::Num(ints().fold(0i64, i64::wrapping_add) as f64),
        "mul" => Value::Num(ints().fold(1i64, i64::wrapping_mul) as f64),
        "sub" => Value::Num(to_int64(&args[0]).wrapping_sub(to_int64(&args[last])) as f64),
        "div" | "mod" => {
            let (a, b) = (to_int64(&args[0]), to_int64(&args[last]));
            if b == 0 {
                return Err(format!("sprig.{name}: integer divide by zero"));
            }
            Value::Num(if name == "div" {
                a.wrapping_div(b)
            } else {
                a.wrapping_rem(b)
            } as f64)
        }
        "max" => Value::Num(ints().max().unwrap_or(0) as f64),
        "min" => Value::Num(ints().min().unwrap_or(0) as f64),
        other => {
            return Err(arity(other)
                .err()
                .unwrap_or_else(|| format!("sprig.{other}")))
        }
    })
}

/// `unicode.IsSpace`, which `strings.TrimSpace` trims.
fn go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c > '\u{ff}' && c.is_whitespace())
}

/// sprig's `empty`: nil, `""`, `0`, `false`.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Str(s) => s.is_empty(),
        Value::Num(n) => *n == 0.0,
        Value::Bool(b) => !b,
    }
}

/// `cast.ToInt64`: numbers truncate, `true` is 1, strings parse as Go integer literals (base
/// prefixes `0x`/`0o`/`0b`, a leading `0` is octal, a `.0` fraction is dropped); anything else is 0.
fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Num(n) => *n as i64,
        Value::Bool(b) => i64::from(*b),
        Value::Nil => 0,
        Value::Str(s) => go_int(trim_zero_decimal(s)).unwrap_or(0),
    }
}

/// cast's `trimZeroDecimal`: `3.00` -> `3`; `3.5` and `3.` stay (and do not parse).
fn trim_zero_decimal(s: &str) -> &str {
    let body = s.trim_end_matches('0');
    match body.strip_suffix('.') {
        Some(int) if body.len() < s.len() => int,
        _ => s,
    }
}

/// `strconv.ParseInt(s, 0, 64)` without underscores.
fn go_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(hex) = lower.strip_prefix("0x") {
        (16, hex.to_owned())
    } else if let Some(oct) = lower.strip_prefix("0o") {
        (8, oct.to_owned())
    } else if let Some(bin) = lower.strip_prefix("0b") {
        (2, bin.to_owned())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_owned())
    } else {
        (10, lower)
    };
    if body.is_empty() || body.starts_with(['-', '+']) {
        return None;
    }
    let magnitude = i128::from_str_radix(&body, radix).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}
