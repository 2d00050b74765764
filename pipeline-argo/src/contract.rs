//! What a manifest compiled by pipeline-dsl tells its local runner beyond Argo's own fields
//! (Argo ignores them). The compiler writes these (`pipeline_dsl::compile` re-exports them);
//! pipeline-runner reads them.

/// Where the writable `emptyDir` is mounted in every container; the runner maps paths under it
/// into each attempt's work directory.
pub const SCRATCH: &str = "/scratch";
/// Annotation `"false"` on the template of a task that is never cached; the runner then neither
/// reads nor writes its cache entry.
pub const CACHE_ANNOTATION: &str = "pipeline-dsl/cache";
/// Annotation holding the version a component declares (`#[component(version = "...")]`); the
/// runner's cache key uses it instead of the components binary's digest.
pub const VERSION_ANNOTATION: &str = "pipeline-dsl/version";
