//! Tokenizer and recursive-descent parser of the expr subset (precedence as in expr-lang's
//! `parser/operator`: `?:` < `||` < `&&` < comparisons and `matches` < unary).

use super::ExprError;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A string literal.
    Str(String),
    /// A number literal.
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// A variable path, e.g. `tasks.evaluate.outputs.parameters.accuracy`.
    Var(Vec<String>),
    /// A builtin call: `asFloat(x)`.
    Call(String, Vec<Expr>),
    /// `!x` (`not x`) or `-x`.
    Unary(&'static str, Box<Expr>),
    /// `a op b`.
    Binary(&'static str, Box<Expr>, Box<Expr>),
    /// `cond ? a : b`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Every variable path the expression reads.
    pub fn variables(&self) -> Vec<&[String]> {
        let mut out = Vec::new();
        self.walk(&mut out);
        out
    }

    fn walk<'a>(&'a self, out: &mut Vec<&'a [String]>) {
        match self {
            Expr::Var(path) => out.push(path),
            Expr::Call(_, args) => args.iter().for_each(|a| a.walk(out)),
            Expr::Unary(_, a) => a.walk(out),
            Expr::Binary(_, a, b) => {
                a.walk(out);
                b.walk(out);
            }
            Expr::Cond(c, a, b) => {
                c.walk(out);
                a.walk(out);
                b.walk(out);
            }
            Expr::Str(_) | Expr::Num(_) | Expr::Bool(_) | Expr::Nil => {}
        }
    }
}

/// The functions the subset knows (Argo's aliases and expr builtins).
pub(crate) const FUNCTIONS: [&str; 6] = ["asFloat", "float", "asInt", "int", "string", "jsonpath"];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    Op(&'static str),
}

const OPS: [&str; 17] = [
    "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "?", ":", "(", ")", "[", "]", ".", ",",
];

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' || c == b'"' {
            let (s, next) = string(text, i)?;
            out.push(Tok::Str(s));
            i = next;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                i += 1;
                if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let lit = text[start..i].replace('_', "");
            let n = lit
                .parse::<f64>()
                .map_err(|_| format!("bad number `{}`", &text[start..i]))?;
            out.push(Tok::Num(n));
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push(Tok::Ident(text[start..i].to_owned()));
        } else if c == b'-' {
            out.push(Tok::Op("-"));
            i += 1;
        } else if let Some(op) = OPS.iter().find(|op| text[i..].starts_with(**op)) {
            out.push(Tok::Op(op));
            i += op.len();
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            return Err(format!("unexpected `{ch}`"));
        }
    }
    Ok(out)
}

/// A string literal starting at `start`; returns its value and the index after it.
fn string(text: &str, start: usize) -> Result<(String, usize), String> {
    let quote = text.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, d)) => out.push(d),
                None => break,
            },
            c if c == quote => return Ok((out, start + 1 + i + 1)),
            c => out.push(c),
        }
    }
    Err(format!("unterminated string {}", &text[start..]))
}

/// Parses an expression of the subset.
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    let mut p = Parser {
        toks: tokenize(text)?,
        pos: 0,
    };
    let e = p.ternary()?;
    match p.toks.get(p.pos) {
        None => Ok(e),
        Some(t) => Err(format!("unexpected {} after a complete expression", show(t)).into()),
    }
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Str(s) => format!("string {s:?}"),
        Tok::Num(n) => format!("number {n}"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Op(o) => format!("`{o}`"),
    }
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Op(o)) if *o == op)
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(w)) if w == word)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        let hit = self.peek_op(op);
        self.pos += usize::from(hit);
        hit
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(match self.toks.get(self.pos) {
                Some(t) => format!("expected `{op}`, found {}", show(t)),
                None => format!("expected `{op}`, the expression ends"),
            })
        }
    }

    fn ternary(&mut self) -> Result<Expr, String> {
        let cond = self.or()?;
        if !self.eat_op("?") {
            return Ok(cond);
        }
        let a = self.ternary()?;
        self.expect(":")?;
        let b = self.ternary()?;
        Ok(Expr::Cond(Box::new(cond), Box::new(a), Box::new(b)))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut lhs = self.and()?;
        while self.eat_op("||") || self.eat_word("or") {
            lhs = Expr::Binary("||", Box::new(lhs), Box::new(self.and()?));
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut lhs = self.compare()?;
        while self.eat_op("&&") || self.eat_word("and") {
            lhs = Expr::Binary("&&", Box::new(lhs), Box::new(self.compare()?));
        }
        Ok(lhs)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let hit = self.peek_word(word);
        self.pos += usize::from(hit);
        hit
    }

    fn compare(&mut self) -> Result<Expr, String> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.eat_word("matches") {
                "matches"
            } else if let Some(op) = ["==", "!=", "<=", ">=", "<", ">"]
                .into_iter()
                .find(|op| self.eat_op(op))
            {
                op
            } else {
                return Ok(lhs);
            };
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_op("!") || self.eat_word("not") {
            return Ok(Expr::Unary("!", Box::new(self.unary()?)));
        }
        if self.eat_op("-") {
            return Ok(Expr::Unary("-", Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        let tok = self.toks.get(self.pos).cloned();
        self.pos += 1;
        match tok {
            Some(Tok::Str(s)) => Ok(Expr::Str(s)),
            Some(Tok::Num(n)) => Ok(Expr::Num(n)),
            Some(Tok::Op("(")) => {
                let e = self.ternary()?;
                self.expect(")")?;
                Ok(e)
            }
            Some(Tok::Ident(w)) => match w.as_str() {
                "true" => Ok(Expr::Bool(true)),
                "false" => Ok(Expr::Bool(false)),
                "nil" => Ok(Expr::Nil),
                "sprig" if self.eat_op(".") => match self.toks.get(self.pos).cloned() {
                    Some(Tok::Ident(f)) if self.toks.get(self.pos + 1) == Some(&Tok::Op("(")) => {
                        self.pos += 1;
                        self.call(format!("sprig.{f}"))
                    }
                    _ => Err("`sprig.` must be followed by a call: `sprig.trim(s)`".into()),
                },
                _ if self.peek_op("(") => self.call(w),
                _ => self.path(w),
            },
            Some(t) => Err(format!("unexpected {}", show(&t))),
            None => Err("the expression ends too early".into()),
        }
    }

    fn call(&mut self, name: String) -> Result<Expr, String> {
        let (min, max) = match name.strip_prefix("sprig.") {
            Some(f) => super::sprig::arity(f)?,
            None if name == "jsonpath" => (2, Some(2)),
            None if FUNCTIONS.contains(&name.as_str()) => (1, Some(1)),
            None => {
                return Err(format!(
                    "function `{name}` is not in the supported subset ({}, sprig.*)",
                    FUNCTIONS.join(", ")
                ))
            }
        };
        self.expect("(")?;
        let mut args = Vec::new();
        if !self.eat_op(")") {
            loop {
                args.push(self.ternary()?);
                if self.eat_op(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        if args.len() < min || max.is_some_and(|max| args.len() > max) {
            let arity = match max {
                Some(max) if max == min => min.to_string(),
                Some(max) => format!("{min} to {max}"),
                None => format!("{min} or more"),
            };
            return Err(format!(
                "`{name}` takes {arity} argument(s), got {}",
                args.len()
            ));
        }
        Ok(Expr::Call(name, args))
    }

    fn path(&mut self, root: String) -> Result<Expr, String> {
        let mut segments = vec![root];
        loop {
            if self.eat_op(".") {
                match self.toks.get(self.pos).cloned() {
                    Some(Tok::Ident(w)) => {
                        self.pos += 1;
                        segments.push(w);
                    }
                    other => {
                        return Err(format!(
                            "expected a name after `.`, found {}",
                            other.map(|t| show(&t)).unwrap_or_else(|| "the end".into())
                        ))
                    }
                }
            } else if self.eat_op("[") {
                match self.toks.get(self.pos).cloned() {
                    Some(Tok::Str(s)) => {
                        self.pos += 1;
                        segments.push(s);
                    }
                    _ => return Err("only `['name']` indexing is supported".into()),
                }
                self.expect("]")?;
            } else {
                return Ok(Expr::Var(segments));
            }
        }
    }
}
