//! `#[derive(Outputs)]`.

use crate::attrs::default_crate;
use crate::docs;
use crate::errors::Errors;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

const EXAMPLE: &str =
    "e.g. `pub struct Trained { pub model: Model<Weights>, pub accuracy: Param<f64> }`";

/// Expands `#[derive(Outputs)]`; with mistakes, all of them as errors next to a dummy `Outputs`
/// impl, so components returning the type add no errors of their own.
pub fn expand(item: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(item) {
        Ok(input) => input,
        Err(e) => return e.into_compile_error(),
    };
    let mut errors = Errors::default();
    let krate = crate_path(&input, &mut errors);
    let fields = named_fields(&input, &mut errors);
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new(
            input.generics.span(),
            "#[derive(Outputs)] does not support generics: every output has one concrete type, \
             which goes into the component's spec and the Argo manifest",
        ));
    }
    match fields {
        Some(fields) if errors.is_empty() => generate(&input, fields, &krate),
        _ => dummy(errors, &input, &krate),
    }
}

/// `#[outputs(crate = "...")]`, else `::pipeline_dsl`.
fn crate_path(input: &DeriveInput, errors: &mut Errors) -> syn::Path {
    let mut krate = default_crate();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("outputs")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                krate = lit.parse()?;
                Ok(())
            } else {
                Err(meta.error("the only `#[outputs(..)]` option is `crate = \"path\"`"))
            }
        });
        errors.ok(parsed);
    }
    krate
}

/// The named fields, or `None` after recording why the input has none.
fn named_fields<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Option<&'a syn::FieldsNamed> {
    let (what, span) = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => return Some(fields),
            Fields::Unnamed(f) => ("a tuple struct", f.paren_token.span.join()),
            Fields::Unit => ("a unit struct", input.ident.span()),
        },
        Data::Enum(e) => ("an enum", e.enum_token.span),
        Data::Union(u) => ("a union", u.union_token.span),
    };
    errors.push(syn::Error::new(
        span,
        format!(
            "#[derive(Outputs)] cannot be used on {what}: a component returns all of its outputs \
             at once, each under a name (the field name becomes the output's name in the pipeline \
             and in Argo); use a struct with named fields, {EXAMPLE}"
        ),
    ));
    None
}

fn generate(input: &DeriveInput, fields: &syn::FieldsNamed, krate: &syn::Path) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let handles = format_ident!("{}Handles", ident);
    let handles_doc = format!("Typed handles on the outputs of a task returning [`{ident}`].");
    let mut handle_fields = Vec::new();
    let mut bounds = Vec::new();
    let mut specs = Vec::new();
    let mut makes = Vec::new();
    let mut writes = Vec::new();
    for field in &fields.named {
        let name = field.ident.as_ref().expect("named field");
        let ty = &field.ty;
        let key = name.to_string();
        let doc = docs::doc_lines(&field.attrs).join(" ");
        let slot_trait = crate::errors::respan(quote!(#krate::OutputSlot), ty.span());
        let slot = quote_spanned!(ty.span()=> <#ty as #slot_trait>);
        // Every item below requires `OutputSlot` of each field type in its where clause, spanned
        // at the field type: a field that is not an output gives one error, at the field (rustc
        // merges the identical diagnostics), instead of one per item and method.
        bounds.push(quote_spanned!(ty.span()=> #ty: #slot_trait));
        handle_fields.push(quote!(#[doc = #doc] pub #name: #slot::Handle,));
        specs.push(quote!(#slot::spec(#key, #doc)));
        makes.push(quote!(#name: #slot::handle(task, #key),));
        writes.push(quote!(#krate::OutputSlot::write_to(&self.#name, paths.get(#key)?)?;));
    }
    let bounds = quote!(#(#bounds),*);
    let handles_name = handles.to_string();
    let names: Vec<_> = fields.named.iter().map(|f| f.ident.as_ref()).collect();
    let keys: Vec<String> = names.iter().flatten().map(|n| n.to_string()).collect();
    quote! {
        #[doc = #handles_doc]
        #vis struct #handles where #bounds {
            #(#handle_fields)*
        }

        impl ::core::fmt::Debug for #handles where #bounds {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#handles_name)
                    #(.field(#keys, &self.#names))*
                    .finish()
            }
        }

        impl ::core::clone::Clone for #handles where #bounds {
            fn clone(&self) -> Self {
                *self
            }
        }
        impl ::core::marker::Copy for #handles where #bounds {}

        impl #krate::Outputs for #ident where #bounds {
            type Handles = #handles;
            fn specs() -> ::std::vec::Vec<#krate::OutputSpec> {
                ::std::vec![#(#specs),*]
            }
            fn handles(task: #krate::TaskId) -> #handles {
                #handles { #(#makes)* }
            }
            fn write(&self, paths: &#krate::OutputPaths) -> ::core::result::Result<(), #krate::ArtifactError> {
                #(#writes)*
                ::core::result::Result::Ok(())
            }
        }
    }
}

/// The errors and an `Outputs` impl that is never run.
fn dummy(errors: Errors, input: &DeriveInput, krate: &syn::Path) -> TokenStream {
    let errors = errors.into_compile_errors();
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let unreachable = quote!(::core::unreachable!("these outputs did not compile"));
    quote! {
        #errors
        impl #impl_generics #krate::Outputs for #ident #type_generics #where_clause {
            type Handles = ();
            fn specs() -> ::std::vec::Vec<#krate::OutputSpec> { #unreachable }
            fn handles(_: #krate::TaskId) {}
            fn write(&self, _: &#krate::OutputPaths) -> ::core::result::Result<(), #krate::ArtifactError> {
                #unreachable
            }
        }
    }
}
