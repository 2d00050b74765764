//! Parsing `#[component(...)]` options.

use proc_macro2::TokenStream;
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::{LitInt, LitStr};

/// The options given to `#[component(...)]`.
#[derive(Default)]
pub struct Options {
    pub name: Option<LitStr>,
    pub version: Option<LitStr>,
    strings: Vec<(&'static str, LitStr)>,
    gpu: Option<LitInt>,
    retries: Option<LitInt>,
    backoff: Option<LitStr>,
    retry_policy: Option<syn::Ident>,
    env: Vec<(String, LitStr)>,
    secret_env: Vec<(String, LitStr, String, String)>,
}

const STRING_OPTIONS: [&str; 7] = [
    "image",
    "cpu",
    "memory",
    "cpu_limit",
    "memory_limit",
    "timeout",
    "cache",
];
/// Every option, as written in the error message.
const ALL_OPTIONS: [&str; 15] = [
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
];
const POLICIES: [&str; 4] = ["Always", "OnFailure", "OnError", "OnTransientError"];

impl Options {
    /// Parses one `key = value` or `key(...)` option.
    pub fn parse(&mut self, meta: ParseNestedMeta) -> syn::Result<()> {
        let key = meta
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        match key.as_str() {
            "name" => self.name = Some(meta.value()?.parse()?),
            "version" => self.version = Some(meta.value()?.parse()?),
            "gpu" => self.gpu = Some(meta.value()?.parse()?),
            "retries" => self.retries = Some(meta.value()?.parse()?),
            "backoff" => self.backoff = Some(meta.value()?.parse()?),
            "retry_policy" => {
                let lit: LitStr = meta.value()?.parse()?;
                if !POLICIES.contains(&lit.value().as_str()) {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!("unknown retry_policy; use one of {}", POLICIES.join(", ")),
                    ));
                }
                self.retry_policy = Some(syn::Ident::new(&lit.value(), lit.span()));
            }
            "env" => meta.parse_nested_meta(|m| {
                let name = m
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                self.env.push((name, m.value()?.parse()?));
                Ok(())
            })?,
            "secret_env" => meta.parse_nested_meta(|m| {
                let name = m
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                let lit: LitStr = m.value()?.parse()?;
                let value = lit.value();
                let Some((secret, key)) = value.split_once('/') else {
                    return Err(syn::Error::new(
                        lit.span(),
                        "write secret_env as NAME = \"secret-name/key\"",
                    ));
                };
                self.secret_env
                    .push((name, lit.clone(), secret.into(), key.into()));
                Ok(())
            })?,
            other => match STRING_OPTIONS.iter().find(|o| **o == other) {
                Some(option) => self.strings.push((option, meta.value()?.parse()?)),
                None => {
                    let hint = suggest(other)
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    return Err(meta.error(format!(
                        "unknown component option `{other}`; {hint}the options are: {}",
                        ALL_OPTIONS.join(", ")
                    )));
                }
            },
        }
        Ok(())
    }

    /// Code that builds the `TaskOptions` value.
    pub fn task_options(&self) -> TokenStream {
        let mut sets = Vec::new();
        for (option, lit) in &self.strings {
            let field = match *option {
                "image" => quote!(o.image),
                "timeout" => quote!(o.timeout),
                "cache" => quote!(o.cache),
                "cpu" => quote!(o.resources.cpu),
                "memory" => quote!(o.resources.memory),
                "cpu_limit" => quote!(o.resources.cpu_limit),
                _ => quote!(o.resources.memory_limit),
            };
            sets.push(quote!(#field = ::core::option::Option::Some(#lit.to_owned());));
        }
        if let Some(gpu) = &self.gpu {
            sets.push(quote!(o.resources.gpu = ::core::option::Option::Some(#gpu);));
        }
        if self.retries.is_some() || self.backoff.is_some() || self.retry_policy.is_some() {
            let limit = self
                .retries
                .as_ref()
                .map(|l| quote!(#l))
                .unwrap_or(quote!(0));
            let mut retry = quote!(::pipeline_dsl::Retry::new(#limit));
            if let Some(b) = &self.backoff {
                retry = quote!(#retry.backoff(#b));
            }
            if let Some(p) = &self.retry_policy {
                retry = quote!(#retry.policy(::pipeline_dsl::RetryPolicy::#p));
            }
            sets.push(quote!(o.retry = ::core::option::Option::Some(#retry);));
        }
        for (name, value) in &self.env {
            sets.push(quote!(o.env.insert(#name.to_owned(), #value.to_owned());));
        }
        for (name, _, secret, key) in &self.secret_env {
            sets.push(quote!(o.secret_env.push(::pipeline_dsl::SecretEnv {
                name: #name.to_owned(), secret: #secret.to_owned(), key: #key.to_owned(), optional: false
            });));
        }
        quote!({
            #[allow(unused_mut)]
            let mut o = ::pipeline_dsl::TaskOptions::default();
            #(#sets)*
            o
        })
    }
}

/// The option closest to a misspelt `key` (at most two edits away), for "did you mean".
fn suggest(key: &str) -> Option<&'static str> {
    ALL_OPTIONS
        .iter()
        .map(|o| o.trim_end_matches("(..)"))
        .map(|o| (edit_distance(key, o), o))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(current)
            };
            prev = current;
        }
    }
    row[b.len()]
}
