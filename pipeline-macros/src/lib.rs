//! Procedural macros for [`pipeline-dsl`](https://docs.rs/pipeline-dsl): `#[component]` and
//! `#[derive(Outputs)]`. This crate only parses and generates code; every type and all runtime
//! logic live in `pipeline-dsl`, which re-exports these macros from its prelude. Use them
//! through `pipeline_dsl::prelude::*`, not directly.

mod attrs;
mod component;
mod docs;
mod errors;
mod literals;
mod outputs;
#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Turns a function into a pipeline component.
///
/// The function stays callable as it is. Next to it the macro generates a task struct named
/// after the function in PascalCase (`fn train_fold` -> `TrainFold`) with one typed field per
/// argument (`Input<A>` arguments become `ArtifactRef<A>`, parameters become `Value<T>`), an
/// implementation of `pipeline_dsl::Component`, and a registration so the components binary can
/// run it by name.
///
/// Options: `name = "..."`, `image = "..."`, `cpu`, `memory`, `cpu_limit`, `memory_limit`
/// (Kubernetes quantities), `gpu = N`, `retries = N`, `backoff = "10s"`,
/// `retry_policy = "OnError"`, `timeout = "10m"`, `cache = false` or `cache = "720h"`,
/// `version = "..."`, `env(NAME = "value", ...)`, `secret_env(NAME = "secret/key", ...)`, and
/// `crate = "path::to::pipeline_dsl"` when the crate is not reachable as `::pipeline_dsl`
/// (renamed or re-exported). Every mistake in one component is reported at once.
///
/// The doc comment up to its first `#` heading is the component's description: `list`,
/// `describe`, the run report, and the `workflows.argoproj.io/description` annotation of its Argo
/// template (Argo copies template annotations onto the pod).
///
/// # Caching
///
/// The local runner reuses a step's result when its cache key is unchanged: its template, its
/// parameter values, its input artifacts' digests and **the components binary's digest, unless
/// the component declares `version = "..."`**, which then stands for the code. Without a version
/// any rebuild reruns every step (never stale); with one, editing other components keeps this
/// step's results, and you bump the version when this step's results would change.
/// `cache = false` is for side effects (logging a run, publishing): the step runs every time,
/// locally and on Argo, and records no cache entry. `cache = "720h"` also memoizes the step on
/// Argo for that long (steps without artifact inputs only).
#[proc_macro_attribute]
pub fn component(attr: TokenStream, item: TokenStream) -> TokenStream {
    component::expand(attr.into(), item.into()).into()
}

/// Derives `pipeline_dsl::Outputs` for a struct whose fields are artifacts or `Param<T>`s, and
/// generates `<Name>Handles`, the typed handles a pipeline gets for them.
/// `#[outputs(crate = "path::to::pipeline_dsl")]` sets the crate path, as for `#[component]`.
#[proc_macro_derive(Outputs, attributes(outputs))]
pub fn derive_outputs(item: TokenStream) -> TokenStream {
    outputs::expand(item.into()).into()
}
