//! `#[component]`: parse the function, generate the task struct, the `Component` impl and the
//! registration.

use crate::attrs::Options;
use crate::docs;
use crate::errors::Errors;
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

/// Expands `#[component]`: the function, the task struct, the `Component` impl and the
/// registration; or, when the input has mistakes, all of them as errors next to a dummy expansion
/// (the function and its task struct) so the rest of the crate adds no follow-up errors.
impl Arg {
    fn ident(&self) -> &syn::Ident {
        match self {
            Arg::Artifact { ident, .. } | Arg::Param { ident, .. } => ident,
        }
    }

    /// The argument's type (the artifact type for `Input<A>`).
    fn ty(&self) -> &Type {
        match self {
            Arg::Artifact { ty, .. } | Arg::Param { ty, .. } => ty,
        }
    }

    /// The task struct's field for this argument.
    fn field(&self, krate: &syn::Path) -> TokenStream {
        match self {
            Arg::Artifact { ident, ty, doc } => {
                let doc = field_doc("Artifact input", ident, doc);
                quote!(#[doc = #doc] pub #ident: #krate::ArtifactRef<#ty>,)
            }
            Arg::Param { ident, ty, doc } => {
                let doc = field_doc("Parameter", ident, doc);
                quote!(#[doc = #doc] pub #ident: #krate::Value<#ty>,)
            }
        }
    }
}

pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let options = Options::parse(attr, &mut errors);
    let mut function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            errors.push(syn::Error::new_spanned(
                &item,
                "#[component] goes on a free function: `pub fn step(...) -> Result<Outputs>`",
            ));
            let errors = errors.into_compile_errors();
            return quote!(#errors #item);
        }
    };
    let is_method = check_signature(&function, &mut errors);

    let lines = docs::doc_lines(&function.attrs);
    let args = parse_args(&mut function, &lines, &mut errors);
    let outputs = errors.ok(output_type(&function.sig));
    if is_method {
        // Inside an `impl` only the method itself may be emitted.
        let errors = errors.into_compile_errors();
        return quote!(#errors #function);
    }

    let fn_ident = &function.sig.ident;
    let fn_name = fn_ident.to_string();
    let struct_ident = format_ident!("{}", pascal_case(&fn_name), span = fn_ident.span());
    let component_name = match &options.name {
        Some(lit) => errors
            .ok(crate::literals::component_name(lit))
            .unwrap_or_else(|| lit.value()),
        None => fn_name.replace('_', "-"),
    };
    let krate = &options.krate;
    let vis = &function.vis;
    let struct_doc = format!(
        "Pipeline task running the [`{fn_name}`] component (`{component_name}`); add it with `Pipeline::add`."
    );
    // Fields of generic argument types would not resolve outside the function.
    let fields = if function.sig.generics.params.is_empty() {
        args.iter().map(|arg| arg.field(krate)).collect()
    } else {
        Vec::new()
    };
    let task_struct = quote! {
        #[doc = #struct_doc]
        #vis struct #struct_ident {
            #(#fields)*
        }
    };
    let Some(outputs) = outputs.filter(|_| errors.is_empty()) else {
        return dummy(errors, &function, &task_struct, &struct_ident, krate);
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
    let struct_doc = format!("{struct_doc}\n\n{description}");
    // Every use of an argument's type goes through `<T as ArtifactArg>` / `<T as ParamArg>`,
    // spanned (crate path included) at the user's type: a type that does not qualify fails the
    // same obligation at the same place each time, which rustc reports once, at the argument.
    let arg_specs = args.iter().map(|arg| {
        let name = arg.ident().to_string();
        let (ty, span) = (arg.ty(), arg.ty().span());
        let private = private_at(krate, span);
        match arg {
            Arg::Artifact { .. } => {
                quote_spanned!(span=> <#ty as #private::ArtifactArg>::spec(builder, #name))
            }
            Arg::Param { doc, .. } => {
                quote_spanned!(span=> <#ty as #private::ParamArg>::spec(builder, #name, #doc))
            }
        }
    });
    let option_calls = options.builder_calls();
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
            Some(quote!((#name, ::core::clone::Clone::clone(self.#ident.source()))))
        }
        Arg::Artifact { .. } => None,
    });
    // The arguments are read into locals that cannot shadow the function itself (a component
    // `fn seed(seed: u64)` must still call `seed`), with errors pointing at the argument's type.
    let local = |ident: &syn::Ident| format_ident!("__component_arg_{}", ident);
    let reads = args.iter().map(|arg| {
        let local = local(arg.ident());
        let name = arg.ident().to_string();
        let (ty, span) = (arg.ty(), arg.ty().span());
        let private = private_at(krate, span);
        match arg {
            Arg::Artifact { .. } => quote_spanned!(span=>
                let #local = <#ty as #private::ArtifactArg>::read(ctx, #name)?;
            ),
            Arg::Param { .. } => quote_spanned!(span=>
                let #local = <#ty as #private::ParamArg>::read(ctx, #name)?;
            ),
        }
    });
    let call_args = args.iter().map(|arg| local(arg.ident()));

    let site = quote_spanned!(fn_ident.span()=>
        ::core::concat!(::core::module_path!(), "::", #fn_name), ::core::file!(), ::core::line!()
    );

    quote! {
        // A component's arguments are its named inputs, wired by the generated task struct, so
        // many of them is normal (as in KFP components), not an API smell.
        #[allow(clippy::too_many_arguments)]
        #function

        #[doc = #struct_doc]
        #vis struct #struct_ident {
            #(#fields)*
        }

        impl #krate::Component for #struct_ident {
            // `Component` requires `Outputs` of this type: the one place that checks it.
            type Outputs = #outputs;

            fn spec() -> #krate::ComponentSpec {
                let builder = #krate::__private::spec(#component_name, #description, #digest);
                #(let builder = #arg_specs;)*
                #krate::__private::outputs_spec::<Self>(builder)
                    #option_calls
                    .build()
            }

            fn bind(self) -> #krate::Bindings {
                #krate::__private::bindings(
                    ::std::vec![#(#bind_artifacts),*],
                    ::std::vec![#(#bind_params),*],
                )
            }

            fn run(ctx: &#krate::RunContext) -> ::core::result::Result<(), #krate::RunError> {
                #(#reads)*
                let outputs = #fn_ident(#(#call_args),*)
                    .map_err(|e| ctx.failed(::core::convert::Into::into(e)))?;
                #krate::__private::write_outputs::<Self>(ctx, &outputs)
            }
        }

        #krate::__private::inventory::submit! {
            #krate::__private::registration(
                <#struct_ident as #krate::Component>::spec,
                <#struct_ident as #krate::Component>::run,
                #site
            )
        }
    }
}

/// The expansion of a component with mistakes: the errors, the function (so its callers still
/// compile), and the task struct with a `Component` impl that is never run (so pipelines using
/// it add no errors of their own).
fn dummy(
    errors: Errors,
    function: &ItemFn,
    task_struct: &TokenStream,
    struct_ident: &syn::Ident,
    krate: &syn::Path,
) -> TokenStream {
    let errors = errors.into_compile_errors();
    let unreachable = quote!(::core::unreachable!("this component did not compile"));
    quote! {
        #errors
        #[allow(clippy::too_many_arguments)]
        #function
        #task_struct
        impl #krate::Component for #struct_ident {
            type Outputs = ();
            fn spec() -> #krate::ComponentSpec { #unreachable }
            fn bind(self) -> #krate::Bindings { #unreachable }
            fn run(_: &#krate::RunContext) -> ::core::result::Result<(), #krate::RunError> {
                #unreachable
            }
        }
    }
}

/// Records what keeps the function from being a component; true when it is a method.
fn check_signature(function: &ItemFn, errors: &mut Errors) -> bool {
    let sig = &function.sig;
    if let Some(a) = &sig.asyncness {
        errors.push(syn::Error::new(
            a.span(),
            "a component must be a plain `fn`, not `async fn`: it runs as its own process, so \
             start a runtime inside it (e.g. `tokio::runtime::Runtime::new()?.block_on(..)`)",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            "a component cannot be generic: it is run by name from the command line, so every \
             argument and output needs one concrete type",
        ));
    }
    let receiver = sig.receiver();
    if let Some(r) = receiver {
        errors.push(syn::Error::new(
            r.span(),
            "a component is a free function, not a method: move it out of the `impl` block and \
             take what it needs as arguments",
        ));
    }
    receiver.is_some()
}

/// Splits the arguments into artifact inputs and parameters; strips `#[doc]` attributes from them
/// (rustc refuses doc comments on parameters). An argument with a mistake is recorded and left out.
fn parse_args(function: &mut ItemFn, lines: &[String], errors: &mut Errors) -> Vec<Arg> {
    let mut args = Vec::new();
    for input in function.sig.inputs.iter_mut() {
        let FnArg::Typed(pat_type) = input else {
            continue;
        };
        let mut doc = docs::doc_lines(&pat_type.attrs).join(" ");
        pat_type.attrs.retain(|a| !a.path().is_ident("doc"));
        let ident = match &*pat_type.pat {
            Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
            other => {
                errors.push(syn::Error::new(
                    other.span(),
                    "component arguments must be plain names (`seed: u64`), not patterns: the \
                     name is the input's or parameter's name in the pipeline; destructure inside \
                     the function",
                ));
                continue;
            }
        };
        if doc.is_empty() {
            doc = docs::argument_doc(lines, &ident.to_string());
        }
        let ty = (*pat_type.ty).clone();
        match input_inner(&ty) {
            Some(inner) => args.push(Arg::Artifact {
                ident,
                ty: inner,
                doc,
            }),
            None => {
                if errors.ok(check_param_type(&ty)).is_some() {
                    args.push(Arg::Param { ident, ty, doc });
                }
            }
        }
    }
    args
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

/// `krate::__private` with every token at `span`, so an error about a path through it points at
/// the user's code that caused it rather than at the attribute.
fn private_at(krate: &syn::Path, span: proc_macro2::Span) -> TokenStream {
    crate::errors::respan(quote!(#krate::__private), span)
}

/// FNV-1a, to tell component versions apart (not cryptographic).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
