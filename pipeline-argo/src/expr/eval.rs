//! Evaluation with expr-lang's runtime semantics for the subset: `==` across types is false,
//! ordering needs two numbers or two strings, `&&`/`||`/`!`/`?:` need booleans (and
//! short-circuit), `asFloat`/`asInt` parse strings like Go's `strconv.ParseFloat`/`Atoi`.

use super::parse::Expr;
use super::value::Value;
use super::ExprError;

/// Evaluates `expr`; `lookup` maps a dotted variable name (`lastRetry.exitCode`) to its value.
pub fn evaluate(expr: &Expr, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Value, ExprError> {
    Ok(match expr {
        Expr::Str(s) => Value::Str(s.clone()),
        Expr::Num(n) => Value::Num(*n),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Nil => Value::Nil,
        Expr::Var(path) => {
            let name = path.join(".");
            Value::Str(lookup(&name).ok_or_else(|| format!("unknown variable `{name}`"))?)
        }
        Expr::Call(f, args) if f == "jsonpath" => {
            let text = |v: Value| v.to_text().ok_or("jsonpath of nil".to_owned());
            let json = text(evaluate(&args[0], lookup)?)?;
            let path = text(evaluate(&args[1], lookup)?)?;
            super::jsonpath::select(&json, &path)?
        }
        Expr::Call(f, args) if f.starts_with("sprig.") => {
            let values = args.iter().map(|a| evaluate(a, lookup));
            super::sprig::call(&f["sprig.".len()..], values.collect::<Result<_, _>>()?)?
        }
        Expr::Call(f, args) => call(f, evaluate(&args[0], lookup)?)?,
        Expr::Unary(op, a) => match (*op, evaluate(a, lookup)?) {
            ("!", Value::Bool(b)) => Value::Bool(!b),
            ("-", Value::Num(n)) => Value::Num(-n),
            (op, v) => return Err(format!("invalid operation: {op} {}", v.kind()).into()),
        },
        Expr::Binary(op @ ("&&" | "||"), a, b) => {
            let lhs = boolean(op, evaluate(a, lookup)?)?;
            // expr jumps over the right operand when the left decides.
            if (*op == "&&" && !lhs) || (*op == "||" && lhs) {
                Value::Bool(lhs)
            } else {
                Value::Bool(boolean(op, evaluate(b, lookup)?)?)
            }
        }
        Expr::Binary(op, a, b) => binary(op, evaluate(a, lookup)?, evaluate(b, lookup)?)?,
        Expr::Cond(c, a, b) => {
            if boolean("?:", evaluate(c, lookup)?)? {
                evaluate(a, lookup)?
            } else {
                evaluate(b, lookup)?
            }
        }
    })
}

fn boolean(op: &str, v: Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(format!(
            "invalid operation: {op} needs a bool, got {}",
            other.kind()
        )),
    }
}

fn call(f: &str, v: Value) -> Result<Value, String> {
    match (f, v) {
        ("asFloat" | "float", Value::Num(n)) => Ok(Value::Num(n)),
        ("asFloat" | "float", Value::Str(s)) => s
            .parse::<f64>()
            .map(Value::Num)
            .map_err(|_| format!("strconv.ParseFloat: parsing {s:?}: invalid syntax")),
        ("asInt" | "int", Value::Num(n)) => Ok(Value::Num(n.trunc())),
        ("asInt" | "int", Value::Str(s)) => s
            .parse::<i64>()
            .map(|i| Value::Num(i as f64))
            .map_err(|_| format!("strconv.Atoi: parsing {s:?}: invalid syntax")),
        ("string", v) => Ok(Value::Str(v.to_text().unwrap_or_else(|| "<nil>".into()))),
        (f, v) => Err(format!("invalid argument for {f} (type {})", v.kind())),
    }
}

fn binary(op: &str, a: Value, b: Value) -> Result<Value, String> {
    use std::cmp::Ordering;
    let ordering = match (&a, &b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        _ => None,
    };
    Ok(Value::Bool(match op {
        "==" => a == b,
        "!=" => a != b,
        "matches" => match (&a, &b) {
            (Value::Str(s), Value::Str(pattern)) => regex::Regex::new(pattern)
                .map_err(|e| format!("bad regular expression {pattern:?}: {e}"))?
                .is_match(s),
            _ => {
                return Err(format!(
                    "invalid operation: {} matches {}",
                    a.kind(),
                    b.kind()
                ))
            }
        },
        _ => {
            let Some(ord) = ordering else {
                if let (Value::Num(_), Value::Num(_)) = (&a, &b) {
                    // NaN compares false with everything, as in Go.
                    return Ok(Value::Bool(false));
                }
                return Err(format!("invalid operation: {} {op} {}", a.kind(), b.kind()));
            };
            match op {
                "<" => ord == Ordering::Less,
                "<=" => ord != Ordering::Greater,
                ">" => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }
        }
    }))
}
