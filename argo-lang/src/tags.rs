//! The `{{...}}` tags of Argo's template strings.
//!
//! Argo reads a string with `fasttemplate` between `{{` and `}}` (`util/template/template.go`,
//! `NewTemplate`): a `{{` without a closing `}}` is an error, not text. A tag whose text starts
//! with `=` is an expression; any other tag is a variable, looked up trimmed
//! (`util/template/kind.go`, `parseTag`; `simple_template.go`).
//!
//! ```
//! use argo_lang::tags::{segments, Segment, Tag};
//!
//! let parts = segments("out/{{ inputs.parameters.n }}-{{=asInt(item) + 1}}").unwrap();
//! assert_eq!(parts, [
//!     Segment::Text("out/"),
//!     Segment::Tag(Tag::Variable("inputs.parameters.n")),
//!     Segment::Text("-"),
//!     Segment::Tag(Tag::Expression("asInt(item) + 1")),
//! ]);
//! assert!(segments("a {{ b").is_err());
//! ```

/// One `{{...}}` tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag<'t> {
    /// `{{ name }}`: a variable, its name trimmed.
    Variable(&'t str),
    /// `{{=expr}}`: an expression, the text after `=`.
    Expression(&'t str),
}

/// A piece of a template string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'t> {
    /// Text copied as it is.
    Text(&'t str),
    /// A tag to replace.
    Tag(Tag<'t>),
}

/// A `{{` without a closing `}}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{{{{` at byte {at} has no closing `}}}}`")]
pub struct UnclosedTag {
    /// The byte offset of the `{{`.
    pub at: usize,
}

/// Splits `text` into text and tags, in order; empty text between tags is left out.
pub fn segments(text: &str) -> Result<Vec<Segment<'_>>, UnclosedTag> {
    let mut out = Vec::new();
    let mut offset = 0;
    while let Some(start) = text[offset..].find("{{") {
        let open = offset + start;
        let inner_start = open + 2;
        let len = text[inner_start..]
            .find("}}")
            .ok_or(UnclosedTag { at: open })?;
        if open > offset {
            out.push(Segment::Text(&text[offset..open]));
        }
        let inner = &text[inner_start..inner_start + len];
        out.push(Segment::Tag(match inner.strip_prefix('=') {
            Some(expression) => Tag::Expression(expression),
            None => Tag::Variable(inner.trim()),
        }));
        offset = inner_start + len + 2;
    }
    if offset < text.len() {
        out.push(Segment::Text(&text[offset..]));
    }
    Ok(out)
}

/// The tags of `text`, in order.
pub fn tags(text: &str) -> Result<Vec<Tag<'_>>, UnclosedTag> {
    Ok(segments(text)?
        .into_iter()
        .filter_map(|s| match s {
            Segment::Tag(tag) => Some(tag),
            Segment::Text(_) => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expression_starts_right_after_the_braces() {
        // `parseTag` cuts the `=` prefix from the untrimmed tag: `{{ =x }}` is the variable `=x`.
        assert_eq!(tags("{{ =x }}").unwrap(), [Tag::Variable("=x")]);
        assert_eq!(tags("{{= x }}").unwrap(), [Tag::Expression(" x ")]);
        assert_eq!(tags("{{}}").unwrap(), [Tag::Variable("")]);
        assert_eq!(segments("plain").unwrap(), [Segment::Text("plain")]);
        assert_eq!(segments("").unwrap(), []);
        assert_eq!(segments("x }} {{y}}").unwrap()[0], Segment::Text("x }} "));
        assert_eq!(tags("{{a}} {{b").unwrap_err(), UnclosedTag { at: 6 });
    }
}
