//! Collecting every error of one macro input, so one expansion reports all its mistakes at once
//! (next to a dummy expansion that keeps the rest of the crate from adding follow-up errors).

use proc_macro2::{Span, TokenStream, TokenTree};

/// The errors found so far.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Records `error`.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Records every error of `other`.
    pub fn append(&mut self, other: Errors) {
        if let Some(e) = other.0 {
            self.push(e);
        }
    }

    /// The value of `result`, or `None` after recording its error.
    pub fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The `compile_error!`s of every recorded error (nothing when there are none).
    pub fn into_compile_errors(self) -> TokenStream {
        self.0.map(|e| e.into_compile_error()).unwrap_or_default()
    }
}

/// The closest of `candidates` to a misspelt `word` (at most two edits away), for "did you mean".
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// ` did you mean `x`?` when a candidate is close, else nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    suggest(word, candidates)
        .map(|s| format!(" did you mean `{s}`?"))
        .unwrap_or_default()
}

/// `tokens` with every span set to `span` (groups included), so rustc reports an error about
/// generated code at the user's code that caused it.
pub fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
