//! `#[component]`: parse the function, generate the task struct, the `Component` impl and the
//! registration.

use crate::attrs::Options;
use crate::docs;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, Pat, PathArguments, ReturnType, Type};

/// One argument of the component function.
enum Arg {
    /// `name: Input<A>`: an artifact input.
    Artifact {
        ident: syn::Ident,
        ty: Type,
        doc: String,
    },
    /// `name: T`: a parameter.
    Param {
        ident: syn::Ident,
        ty: Type,
        doc: String,
    },
}

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let mut options = Options::default();
    let parser = syn::meta::parser(|meta| options.parse(meta));
    syn::parse::Parser::parse2(parser, attr)?;
    let mut function: ItemFn = syn::parse2(item)?;
    check_signature(&function)?;

    let lines = docs::doc_lines(&function.attrs);
    let args = parse_args(&mut function, &lines)?;
    let outputs = output_type(&function.sig)?;

    let fn_ident = &function.sig.ident;
    let fn_name = fn_ident.to_string();
    let struct_ident = format_ident!("{}", pascal_case(&fn_name), span = fn_ident.span());
    let component_name = match &options.name {
        Some(lit) => check_name(lit)?,
        None => fn_name.replace('_', "-"),
    };
    let description = docs::description(&lines);
    let version = options
        .version
        .as_ref()
        .map(|v| v.value())
        .unwrap_or_default();
    let digest = format!(
        "{:016x}",
        fnv1a(&format!("{version}{}", function.to_token_stream()))
    );
    let vis = &function.vis;
    let task_options = options.task_options();

    let fields = args.iter().map(|arg| match arg {
        Arg::Artifact { ident, ty, doc } => {
            let doc = field_doc("Artifact input", ident, doc);
            quote!(#[doc = #doc] pub #ident: ::pipeline_dsl::ArtifactRef<#ty>,)
        }
        Arg::Param { ident, ty, doc } => {
            let doc = field_doc("Parameter", ident, doc);
            quote!(#[doc = #doc] pub #ident: ::pipeline_dsl::Value<#ty>,)
        }
    });
    let input_specs = args.iter().filter_map(|arg| match arg {
        Arg::Artifact { ident, ty, .. } => {
            let name = ident.to_string();
            Some(quote_spanned!(ty.span()=> ::pipeline_dsl::__private::input_spec::<#ty>(#name)))
        }
        Arg::Param { .. } => None,
    });
    let param_specs = args.iter().filter_map(|arg| match arg {
        Arg::Param { ident, ty, doc } => {
            let name = ident.to_string();
            Some(quote_spanned!(ty.span()=> ::pipeline_dsl::__private::param_spec::<#ty>(#name, #doc)))
        }
        Arg::Artifact { .. } => None,
    });
    let bind_artifacts = args.iter().filter_map(|arg| match arg {
        Arg::Artifact { ident, .. } => {
            let name = ident.to_string();
            Some(quote!((#name, self.#ident.source())))
        }
        Arg::Param { .. } => None,
    });
    let bind_params = args.iter().filter_map(|arg| match arg {
        Arg::Param { ident, .. } => {
            let name = ident.to_string();
            Some(quote!((#name, self.#ident.source().clone())))
        }
        Arg::Artifact { .. } => None,
    });
    // The arguments are read into locals that cannot shadow the function itself (a component
    // `fn seed(seed: u64)` must still call `seed`), with errors pointing at the argument's type.
    let local = |ident: &syn::Ident| format_ident!("__component_arg_{}", ident);
    let reads = args.iter().map(|arg| match arg {
        Arg::Artifact { ident, ty, .. } => {
            let name = ident.to_string();
            let local = local(ident);
            quote_spanned!(ty.span()=> let #local = ctx.input::<#ty>(#name)?;)
        }
        Arg::Param { ident, ty, .. } => {
            let name = ident.to_string();
            let local = local(ident);
            quote_spanned!(ty.span()=> let #local = ctx.param::<#ty>(#name)?;)
        }
    });
    let call_args = args.iter().map(|arg| match arg {
        Arg::Artifact { ident, .. } | Arg::Param { ident, .. } => local(ident),
    });
    let write_outputs = quote_spanned!(outputs.span()=> ctx.write_outputs::<#outputs>(&outputs));
    let struct_doc = format!(
        "Pipeline task running the [`{fn_name}`] component (`{component_name}`); add it with `Pipeline::add`.\n\n{description}"
    );
    // Points at the `name = "..."` literal (or the function name), so a clash shows both places.
    let marker_span = options
        .name
        .as_ref()
        .map(|lit| lit.span())
        .unwrap_or_else(|| fn_ident.span());
    let marker = format_ident!(
        "__DUPLICATE_COMPONENT_NAME_{}",
        component_name.replace('-', "_"),
        span = marker_span
    );
    let marker_doc =
        format!("Two components in one module may not share the name `{component_name}`.");
    let marker_item = quote_spanned! {marker_span=>
        #[doc = #marker_doc]
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        struct #marker;
    };

    Ok(quote! {
        // A component's arguments are its named inputs, wired by the generated task struct, so
        // many of them is normal (as in KFP components), not an API smell.
        #[allow(clippy::too_many_arguments)]
        #function

        #[doc = #struct_doc]
        #vis struct #struct_ident {
            #(#fields)*
        }

        #marker_item

        impl ::pipeline_dsl::Component for #struct_ident {
            type Outputs = #outputs;

            fn spec() -> ::pipeline_dsl::ComponentSpec {
                ::pipeline_dsl::ComponentSpec {
                    name: #component_name.to_owned(),
                    description: #description.to_owned(),
                    source_digest: #digest.to_owned(),
                    inputs: ::std::vec![#(#input_specs),*],
                    parameters: ::std::vec![#(#param_specs),*],
                    outputs: <#outputs as ::pipeline_dsl::Outputs>::specs(),
                    options: #task_options,
                }
            }

            fn bind(self) -> ::pipeline_dsl::Bindings {
                ::pipeline_dsl::Bindings {
                    artifacts: ::std::vec![#(#bind_artifacts),*],
                    params: ::std::vec![#(#bind_params),*],
                }
            }

            fn run(ctx: &::pipeline_dsl::RunContext) -> ::core::result::Result<(), ::pipeline_dsl::RunError> {
                #(#reads)*
                let outputs = #fn_ident(#(#call_args),*)
                    .map_err(|e| ctx.failed(::core::convert::Into::into(e)))?;
                #write_outputs
            }
        }

        ::pipeline_dsl::__private::inventory::submit! {
            ::pipeline_dsl::Registration {
                spec: <#struct_ident as ::pipeline_dsl::Component>::spec,
                run: <#struct_ident as ::pipeline_dsl::Component>::run,
            }
        }
    })
}

fn check_signature(function: &ItemFn) -> syn::Result<()> {
    let sig = &function.sig;
    let problem = if let Some(a) = &sig.asyncness {
        Some((
            a.span(),
            "a component must be a plain `fn`, not `async fn`: it runs as its own process",
        ))
    } else if !sig.generics.params.is_empty() {
        Some((
            sig.generics.span(),
            "a component cannot be generic: it is run by name from the command line",
        ))
    } else if let Some(FnArg::Receiver(r)) = sig.inputs.first() {
        Some((r.span(), "a component is a free function, not a method"))
    } else {
        None
    };
    match problem {
        Some((span, message)) => Err(syn::Error::new(span, message)),
        None => Ok(()),
    }
}

/// Splits the arguments into artifact inputs and parameters; strips `#[doc]` attributes from them.
fn parse_args(function: &mut ItemFn, lines: &[String]) -> syn::Result<Vec<Arg>> {
    let mut args = Vec::new();
    for input in function.sig.inputs.iter_mut() {
        let FnArg::Typed(pat_type) = input else {
            continue;
        };
        let Pat::Ident(pat) = &*pat_type.pat else {
            return Err(syn::Error::new(
                pat_type.pat.span(),
                "component arguments must be plain names (`seed: u64`), not patterns",
            ));
        };
        let ident = pat.ident.clone();
        let mut doc = docs::doc_lines(&pat_type.attrs).join(" ");
        pat_type.attrs.retain(|a| !a.path().is_ident("doc"));
        if doc.is_empty() {
            doc = docs::argument_doc(lines, &ident.to_string());
        }
        let ty = (*pat_type.ty).clone();
        args.push(match input_inner(&ty) {
            Some(inner) => Arg::Artifact {
                ident,
                ty: inner,
                doc,
            },
            None => {
                check_param_type(&ty)?;
                Arg::Param { ident, ty, doc }
            }
        });
    }
    Ok(args)
}

/// `Input<A>` -> `Some(A)`.
fn input_inner(ty: &Type) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Input" {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match args.args.first()? {
            GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn check_param_type(ty: &Type) -> syn::Result<()> {
    let what = match ty {
        Type::Path(_) | Type::Tuple(_) | Type::Array(_) => return Ok(()),
        Type::Reference(_) => "a reference",
        Type::ImplTrait(_) => "`impl Trait`",
        Type::BareFn(_) => "a function pointer",
        Type::TraitObject(_) => "a trait object",
        Type::Ptr(_) => "a raw pointer",
        Type::Slice(_) => "a slice",
        _ => "this type",
    };
    Err(syn::Error::new(
        ty.span(),
        format!(
            "unsupported component argument type: {what}. An argument is either an artifact, written \
             `Input<A>` (e.g. `Input<Dataset<Passenger>>`), or an owned parameter type that is \
             serde + schemars::JsonSchema (e.g. `String`, `f64`, `Vec<u32>`, your own struct)"
        ),
    ))
}

/// `Result<X>` / `Result<X, E>` -> `X`.
fn output_type(sig: &syn::Signature) -> syn::Result<Type> {
    const HELP: &str = "a component must return `Result<Outputs>`: a `#[derive(Outputs)]` struct \
                        (or `()`) wrapped in `Result`, e.g. `-> Result<SplitOutputs>`";
    let ty = match &sig.output {
        ReturnType::Type(_, ty) => ty,
        ReturnType::Default => {
            // Point at the signature (`fn name(..)`), where the return type is missing.
            return Err(syn::Error::new_spanned(
                sig,
                "a component must return `Result<Outputs>`, e.g. `-> Result<()>` when it has no \
                 outputs or `-> Result<SplitOutputs>` with a `#[derive(Outputs)]` struct; failures \
                 are reported through the `Err` value",
            ));
        }
    };
    let Type::Path(path) = &**ty else {
        return Err(syn::Error::new(ty.span(), HELP));
    };
    let last = path
        .path
        .segments
        .last()
        .ok_or_else(|| syn::Error::new(ty.span(), HELP))?;
    if last.ident != "Result" {
        return Err(syn::Error::new(ty.span(), HELP));
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(GenericArgument::Type(t)) => Ok(t.clone()),
            _ => Err(syn::Error::new(ty.span(), HELP)),
        },
        _ => Err(syn::Error::new(ty.span(), HELP)),
    }
}

fn check_name(lit: &syn::LitStr) -> syn::Result<String> {
    let name = lit.value();
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    if ok {
        Ok(name)
    } else {
        Err(syn::Error::new(
            lit.span(),
            "a component name is lowercase letters, digits and `-`, starts with a letter, at most 63 characters",
        ))
    }
}

fn field_doc(what: &str, ident: &syn::Ident, doc: &str) -> String {
    if doc.is_empty() {
        format!("{what} `{ident}`.")
    } else {
        format!("{what} `{ident}`: {doc}")
    }
}

fn pascal_case(name: &str) -> String {
    name.split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// FNV-1a, to tell component versions apart (not cryptographic).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
