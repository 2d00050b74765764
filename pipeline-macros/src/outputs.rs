//! `#[derive(Outputs)]`.

use crate::docs;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

pub fn expand(item: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    const EXAMPLE: &str =
        "e.g. `pub struct Trained { pub model: Model<Weights>, pub accuracy: Param<f64> }`";
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            format!(
                "#[derive(Outputs)] needs a struct with named fields, one per output; {EXAMPLE}"
            ),
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        let what = match &data.fields {
            Fields::Unnamed(_) => "a tuple struct",
            _ => "a unit struct",
        };
        let span = match &data.fields {
            Fields::Unnamed(f) => f.paren_token.span.join(),
            _ => input.ident.span(),
        };
        return Err(syn::Error::new(
            span,
            format!(
                "#[derive(Outputs)] cannot be used on {what}: every output needs a name (the field \
                 name becomes the output's name in the pipeline and in Argo); use named fields, {EXAMPLE}"
            ),
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "#[derive(Outputs)] does not support generics",
        ));
    }
    let ident = &input.ident;
    let vis = &input.vis;
    let handles = format_ident!("{}Handles", ident);
    let handles_doc = format!("Typed handles on the outputs of a task returning [`{ident}`].");
    let mut handle_fields = Vec::new();
    let mut specs = Vec::new();
    let mut makes = Vec::new();
    let mut writes = Vec::new();
    for field in &fields.named {
        let name = field.ident.as_ref().expect("named field");
        let ty = &field.ty;
        let key = name.to_string();
        let doc = docs::doc_lines(&field.attrs).join(" ");
        let slot = quote_spanned!(ty.span()=> <#ty as ::pipeline_dsl::OutputSlot>);
        handle_fields.push(quote!(#[doc = #doc] pub #name: #slot::Handle,));
        specs.push(quote_spanned!(ty.span()=> #slot::spec(#key, #doc)));
        makes.push(quote_spanned!(ty.span()=> #name: #slot::handle(task, #key),));
        writes.push(quote!(::pipeline_dsl::OutputSlot::write_to(&self.#name, paths.get(#key)?)?;));
    }
    Ok(quote! {
        #[doc = #handles_doc]
        #[derive(Debug)]
        #vis struct #handles {
            #(#handle_fields)*
        }

        // Written out rather than derived: a field that is not an output then reports one error
        // (at the `Copy` impl) instead of one per derived trait.
        impl ::core::clone::Clone for #handles {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl ::core::marker::Copy for #handles {}

        impl ::pipeline_dsl::Outputs for #ident {
            type Handles = #handles;
            fn specs() -> ::std::vec::Vec<::pipeline_dsl::OutputSpec> {
                ::std::vec![#(#specs),*]
            }
            fn handles(task: ::pipeline_dsl::TaskId) -> #handles {
                #handles { #(#makes)* }
            }
            fn write(&self, paths: &::pipeline_dsl::OutputPaths) -> ::core::result::Result<(), ::pipeline_dsl::ArtifactError> {
                #(#writes)*
                ::core::result::Result::Ok(())
            }
        }
    })
}
