//! The govaluate subset Argo's `when` uses after substitution: numbers, quoted strings, bare
//! words (strings), `true`/`false`, `== != < <= > >=`, `=~ !~` (regular expressions, both sides
//! strings, as govaluate's `REQ`/`NREQ` check them), `&& || !` and parentheses.

/// Evaluates a substituted `when` expression. Errors (bad syntax, a non-boolean result) make the
/// task fail, as Argo makes it `Error`.
pub(crate) fn evaluate(text: &str) -> Result<bool, String> {
    let tokens = tokenize(text).map_err(|e| format!("cannot parse when `{text}`: {e}"))?;
    let mut parser = Parser { tokens, pos: 0 };
    let value = parser
        .or()
        .and_then(|v| match parser.tokens.get(parser.pos) {
            None => Ok(v),
            Some(t) => Err(format!("unexpected {t:?}")),
        })
        .map_err(|e| format!("cannot evaluate when `{text}`: {e}"))?;
    match value {
        Val::Bool(b) => Ok(b),
        other => Err(format!(
            "when `{text}` is {other:?}, not a boolean condition"
        )),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Op(&'static str),
    Open,
    Close,
    Quoted(String),
    Word(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Num(f64),
    Str(String),
    Bool(bool),
}

impl Val {
    fn number(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            Val::Str(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            Val::Bool(_) => None,
        }
    }
    fn text(&self) -> String {
        match self {
            Val::Num(n) => n.to_string(),
            Val::Str(s) => s.clone(),
            Val::Bool(b) => b.to_string(),
        }
    }
    fn boolean(&self, op: &str) -> Result<bool, String> {
        match self {
            Val::Bool(b) => Ok(*b),
            other => Err(format!("`{op}` needs booleans, got {other:?}")),
        }
    }
}

const OPS: [&str; 12] = [
    "&&", "||", "==", "!=", "<=", ">=", "=~", "!~", "<", ">", "!", "-",
];

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if c == '(' || c == ')' {
            tokens.push(if c == '(' { Token::Open } else { Token::Close });
            rest = &rest[1..];
        } else if c == '\'' || c == '"' {
            let (s, len) = quoted(rest, c)?;
            tokens.push(Token::Quoted(s));
            rest = &rest[len..];
        } else if let Some(op) = OPS
            .iter()
            .find(|op| rest.starts_with(**op) && (**op != "-" || tokens_expect_operator(&tokens)))
        {
            tokens.push(Token::Op(op));
            rest = &rest[op.len()..];
        } else {
            let end = rest
                .find(|d: char| d.is_whitespace() || "()'\"&|=!<>".contains(d))
                .unwrap_or(rest.len());
            if end == 0 {
                return Err(format!("unexpected `{c}`"));
            }
            tokens.push(Token::Word(rest[..end].to_owned()));
            rest = &rest[end..];
        }
    }
    Ok(tokens)
}

/// A `-` after an operand would be subtraction, which the subset does not have; before an
/// operand it starts a negative number (part of the word).
fn tokens_expect_operator(tokens: &[Token]) -> bool {
    matches!(
        tokens.last(),
        Some(Token::Word(_) | Token::Quoted(_) | Token::Close)
    )
}

fn quoted(rest: &str, quote: char) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, d)) => out.push(d),
                None => break,
            },
            c if c == quote => return Ok((out, i + 1)),
            c => out.push(c),
        }
    }
    Err(format!("unterminated string {rest}"))
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn eat(&mut self, op: &str) -> bool {
        if self.tokens.get(self.pos) == Some(&Token::Op(static_op(op))) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Val, String> {
        let mut lhs = self.and()?;
        while self.eat("||") {
            let rhs = self.and()?;
            lhs = Val::Bool(lhs.boolean("||")? | rhs.boolean("||")?);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Val, String> {
        let mut lhs = self.compare()?;
        while self.eat("&&") {
            let rhs = self.compare()?;
            lhs = Val::Bool(lhs.boolean("&&")? & rhs.boolean("&&")?);
        }
        Ok(lhs)
    }

    fn compare(&mut self) -> Result<Val, String> {
        let mut lhs = self.unary()?;
        while let Some(op) = ["==", "!=", "=~", "!~", "<=", ">=", "<", ">"]
            .into_iter()
            .find(|op| self.eat(op))
        {
            let rhs = self.unary()?;
            lhs = Val::Bool(compare(&lhs, op, &rhs)?);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Val, String> {
        if self.eat("!") {
            return Ok(Val::Bool(!self.unary()?.boolean("!")?));
        }
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        match token {
            Some(Token::Open) => {
                let inner = self.or()?;
                if self.tokens.get(self.pos) != Some(&Token::Close) {
                    return Err("missing `)`".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Token::Quoted(s)) => Ok(Val::Str(s)),
            Some(Token::Word(w)) => Ok(match w.as_str() {
                "true" => Val::Bool(true),
                "false" => Val::Bool(false),
                _ => match w.parse::<f64>() {
                    Ok(n) if n.is_finite() && !w.starts_with(['+', 'i', 'I', 'n', 'N']) => {
                        Val::Num(n)
                    }
                    _ => Val::Str(w),
                },
            }),
            Some(other) => Err(format!("unexpected {other:?}")),
            None => Err("the expression ends too early".into()),
        }
    }
}

fn static_op(op: &str) -> &'static str {
    OPS.iter().find(|o| **o == op).copied().unwrap_or("")
}

fn compare(lhs: &Val, op: &str, rhs: &Val) -> Result<bool, String> {
    if matches!(op, "=~" | "!~") {
        let (Val::Str(text), Val::Str(pattern)) = (lhs, rhs) else {
            return Err(format!(
                "`{op}` needs two strings, got {lhs:?} {op} {rhs:?}"
            ));
        };
        let re = regex::Regex::new(pattern)
            .map_err(|e| format!("bad regular expression {pattern:?}: {e}"))?;
        return Ok(re.is_match(text) == (op == "=~"));
    }
    if let (Some(a), Some(b)) = (lhs.number(), rhs.number()) {
        return Ok(match op {
            "==" => a == b,
            "!=" => a != b,
            "<" => a < b,
            "<=" => a <= b,
            ">" => a > b,
            _ => a >= b,
        });
    }
    match op {
        "==" => Ok(lhs.text() == rhs.text()),
        "!=" => Ok(lhs.text() != rhs.text()),
        _ => match (lhs, rhs) {
            (Val::Str(a), Val::Str(b)) => Ok(match op {
                "<" => a < b,
                "<=" => a <= b,
                ">" => a > b,
                _ => a >= b,
            }),
            _ => Err(format!("cannot compare {lhs:?} {op} {rhs:?}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::evaluate;

    #[test]
    fn evaluates_the_govaluate_subset() {
        assert_eq!(evaluate("0.93 >= 0.8"), Ok(true));
        assert_eq!(evaluate("10 > 9"), Ok(true), "numeric, not lexicographic");
        assert_eq!(evaluate("'10' > '9'"), Ok(true), "both parse as numbers");
        assert_eq!(evaluate("Failed != Succeeded"), Ok(true));
        assert_eq!(evaluate("'a b' == 'a b' && !(1 == 2)"), Ok(true));
        assert_eq!(evaluate("heads == tails || -1 < 0"), Ok(true));
        assert_eq!(evaluate("true"), Ok(true));
        assert_eq!(evaluate("(1 < 2) && (abc < abd)"), Ok(true));
        assert_eq!(evaluate("0.5>=0.8"), Ok(false));
        assert_eq!(evaluate("1e3 == 1000"), Ok(true));
        // What an expression tag leaves for govaluate.
        assert_eq!(evaluate("false"), Ok(false));
    }

    #[test]
    fn raw_non_numbers_error_as_in_argo() {
        // The pre-issue-8 form `{{acc}} >= {{threshold}}` after substitution: Argo's govaluate
        // fails on these and the task ends Error (dag.go); the compiler now emits a guarded
        // expression tag instead.
        for text in ["null >= 0.8", "0.9 >= 80%", "NaN >= 0.8"] {
            assert!(evaluate(text).is_err(), "{text}");
        }
    }

    /// govaluate's `=~`/`!~` (the `when` examples of Argo's conditionals docs).
    #[test]
    fn regex_operators() {
        assert!(evaluate("'tails-3' =~ '^tails'").unwrap());
        assert!(evaluate("heads =~ 'ead'").unwrap());
        assert!(!evaluate("heads !~ '^h.*s$'").unwrap());
        assert!(evaluate("'5' =~ '^[0-9]+$' && x !~ '[0-9]'").unwrap());
    }

    #[test]
    fn reports_errors() {
        for bad in [
            "",
            ">= 0.8",
            "0.9 >=",
            "(1 < 2",
            "'open",
            "a b == c",
            "abc",
            "1 && true",
            "x =~ '('",
            "1 =~ '1'",
            "1 < true",
        ] {
            let err = evaluate(bad).unwrap_err();
            assert!(err.contains("when"), "{bad}: {err}");
        }
    }
}
