//! The values expressions compute: strings, numbers, booleans and nil, as expr-lang has them.

/// A value of the subset.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string (every Argo variable is one).
    Str(String),
    /// A number (expr's int and float).
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// `nil`.
    Nil,
}

impl Value {
    /// The value as Argo writes an expression tag's result into text (`json.Marshal`, strings
    /// unquoted): `true`, `0.5`, `2`, raw strings. `nil` has no text (Argo fails the tag).
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Num(n) => Some(number_text(*n)),
            Value::Nil => None,
        }
    }

    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Num(_) => "number",
            Value::Bool(_) => "bool",
            Value::Nil => "nil",
        }
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
