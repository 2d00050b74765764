//! Parsing `#[component(...)]` options. Every mistake is recorded and parsing goes on, so one
//! attribute reports all its problems together.

use crate::errors::{did_you_mean, Errors};
use crate::literals;
use argo_lang::retry::RetryPolicy;
use proc_macro2::TokenStream;
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{LitInt, LitStr};

/// The options given to `#[component(...)]`.
pub struct Options {
    pub name: Option<LitStr>,
    pub version: Option<LitStr>,
    /// Path of the `pipeline_dsl` crate in generated code (`crate = "..."`).
    pub krate: syn::Path,
    strings: Vec<(&'static str, LitStr)>,
    gpu: Option<LitInt>,
    retries: Option<LitInt>,
    backoff: Option<LitStr>,
    retry_policy: Option<syn::Ident>,
    /// `cache = false`: never reused from a cache, locally or on Argo.
    never_cache: bool,
    env: Vec<(String, LitStr)>,
    secret_env: Vec<(String, String, String)>,
    /// Options seen, to refuse one given twice.
    seen: Vec<String>,
}

/// Options whose value is a Kubernetes quantity.
const QUANTITY_OPTIONS: [&str; 4] = ["cpu", "memory", "cpu_limit", "memory_limit"];
/// Every option, as written in the error message.
const ALL_OPTIONS: [&str; 16] = [
    "name",
    "version",
    "image",
    "cpu",
    "memory",
    "cpu_limit",
    "memory_limit",
    "gpu",
    "retries",
    "backoff",
    "retry_policy",
    "timeout",
    "cache",
    "env(..)",
    "secret_env(..)",
    "crate",
];

/// The path generated code uses for `pipeline_dsl` unless `crate = "..."` says otherwise.
pub fn default_crate() -> syn::Path {
    syn::parse_quote!(::pipeline_dsl)
}

impl Options {
    /// Parses the attribute's arguments, recording every mistake in `errors`.
    pub fn parse(attr: TokenStream, errors: &mut Errors) -> Options {
        let mut options = Options {
            name: None,
            version: None,
            krate: default_crate(),
            strings: Vec::new(),
            gpu: None,
            retries: None,
            backoff: None,
            retry_policy: None,
            never_cache: false,
            env: Vec::new(),
            secret_env: Vec::new(),
            seen: Vec::new(),
        };
        let mut found = Errors::default();
        let parser = syn::meta::parser(|meta| options.parse_one(meta, &mut found));
        // A syntax error ends parsing; what came before it still counts.
        let parsed = syn::parse::Parser::parse2(parser, attr);
        errors.append(found);
        errors.ok(parsed);
        options
    }

    /// Parses one `key = value` or `key(...)` option; a wrong value is recorded, not returned,
    /// so the next options are still read.
    fn parse_one(&mut self, meta: ParseNestedMeta, errors: &mut Errors) -> syn::Result<()> {
        let key = meta
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        if self.seen.contains(&key) && key != "env" && key != "secret_env" {
            errors.push(meta.error(format!("the option `{key}` is given twice")));
        }
        self.seen.push(key.clone());
        match key.as_str() {
            "name" => self.name = Some(meta.value()?.parse()?),
            "version" => self.version = Some(meta.value()?.parse()?),
            "gpu" => self.gpu = Some(meta.value()?.parse()?),
            "retries" => self.retries = Some(meta.value()?.parse()?),
            "backoff" => {
                let lit: LitStr = meta.value()?.parse()?;
                errors.ok(literals::duration("backoff", &lit, true));
                self.backoff = Some(lit);
            }
            "timeout" => {
                let lit: LitStr = meta.value()?.parse()?;
                errors.ok(literals::duration("timeout", &lit, false));
                self.strings.push(("timeout", lit));
            }
            "cache" => match meta.value()?.parse()? {
                syn::Lit::Str(max_age) => self.strings.push(("cache", max_age)),
                syn::Lit::Bool(b) if !b.value => self.never_cache = true,
                other => errors.push(syn::Error::new(
                    other.span(),
                    "write `cache = false` for a step that must always run (side effects), or \
                     `cache = \"720h\"` to also memoize it on Argo for that long; without the \
                     option the local runner reuses unchanged steps",
                )),
            },
            "crate" => {
                let lit: LitStr = meta.value()?.parse()?;
                self.krate = errors.ok(lit.parse()).unwrap_or_else(default_crate);
            }
            "retry_policy" => {
                let lit: LitStr = meta.value()?.parse()?;
                let policy = lit.value();
                match policy.parse::<RetryPolicy>() {
                    Ok(p) => self.retry_policy = Some(syn::Ident::new(p.as_str(), lit.span())),
                    Err(_) => errors.push(syn::Error::new(
                        lit.span(),
                        format!(
                            "unknown retry_policy `{policy}`;{} Argo's policies are {}",
                            did_you_mean(&policy, RetryPolicy::ALL.map(RetryPolicy::as_str)),
                            RetryPolicy::ALL.map(RetryPolicy::as_str).join(", ")
                        ),
                    )),
                }
            }
            "env" => meta.parse_nested_meta(|m| {
                let name = env_name(&m, errors);
                self.env.push((name, m.value()?.parse()?));
                Ok(())
            })?,
            "secret_env" => meta.parse_nested_meta(|m| {
                let name = env_name(&m, errors);
                let lit: LitStr = m.value()?.parse()?;
                match literals::secret_ref(&lit.value()) {
                    Some((secret, key)) => self.secret_env.push((name, secret, key)),
                    None => errors.push(syn::Error::new(
                        lit.span(),
                        "write secret_env as `NAME = \"secret-name/key\"`: the Kubernetes Secret \
                         (lowercase letters, digits, `-` and `.`) and the key in it (letters, \
                         digits, `-`, `_` and `.`), separated by `/`",
                    )),
                }
                Ok(())
            })?,
            "image" => self.strings.push(("image", meta.value()?.parse()?)),
            other => match QUANTITY_OPTIONS.iter().find(|o| **o == other) {
                Some(option) => {
                    let lit: LitStr = meta.value()?.parse()?;
                    errors.ok(literals::quantity(&lit));
                    self.strings.push((option, lit));
                }
                None => {
                    let names = ALL_OPTIONS.iter().map(|o| o.trim_end_matches("(..)"));
                    errors.push(meta.error(format!(
                        "unknown component option `{other}`;{} the options are: {}",
                        did_you_mean(other, names),
                        ALL_OPTIONS.join(", ")
                    )));
                    skip_value(&meta)?;
                }
            },
        }
        Ok(())
    }

    /// The builder calls that add these options to the spec (`.option("cpu", "500m")...`).
    pub fn builder_calls(&self) -> TokenStream {
        let krate = &self.krate;
        let mut calls = Vec::new();
        for (option, lit) in &self.strings {
            calls.push(quote!(.option(#option, #lit)));
        }
        if let Some(gpu) = &self.gpu {
            calls.push(quote!(.gpu(#gpu)));
        }
        if self.retries.is_some() || self.backoff.is_some() || self.retry_policy.is_some() {
            let some = |t: Option<TokenStream>| match t {
                Some(t) => quote!(::core::option::Option::Some(#t)),
                None => quote!(::core::option::Option::None),
            };
            let limit = self
                .retries
                .as_ref()
                .map(|l| quote!(#l))
                .unwrap_or(quote!(0));
            let backoff = some(self.backoff.as_ref().map(|b| quote!(#b)));
            let policy = some(
                self.retry_policy
                    .as_ref()
                    .map(|p| quote!(#krate::RetryPolicy::#p)),
            );
            calls.push(quote!(.retry(#limit, #backoff, #policy)));
        }
        if let Some(version) = &self.version {
            calls.push(quote!(.version(#version)));
        }
        if self.never_cache {
            calls.push(quote!(.never_cache()));
        }
        for (name, value) in &self.env {
            calls.push(quote!(.env(#name, #value)));
        }
        for (name, secret, key) in &self.secret_env {
            calls.push(quote!(.secret_env(#name, #secret, #key)));
        }
        quote!(#(#calls)*)
    }
}

/// The variable name of an `env(..)` / `secret_env(..)` entry.
fn env_name(meta: &ParseNestedMeta, errors: &mut Errors) -> String {
    match meta.path.get_ident() {
        Some(ident) => ident.to_string(),
        None => {
            errors.push(
                meta.error("an environment variable name is one identifier, e.g. `LOG_LEVEL`"),
            );
            String::new()
        }
    }
}

/// Consumes the `= value` or `(...)` of an option that is not known.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}
