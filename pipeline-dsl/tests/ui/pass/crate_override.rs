// `crate = "..."`: the generated code reaches pipeline-dsl through the given path (here a
// re-export), and the registration records where the component is defined.
mod sdk {
    pub use pipeline_dsl as dsl;
}
use sdk::dsl::prelude::*;

#[derive(Outputs)]
#[outputs(crate = "sdk::dsl")]
pub struct Counted {
    /// The count.
    pub count: Param<u64>,
}

/// Counts.
#[component(crate = "sdk::dsl", retries = 1, env(MODE = "fast"))]
pub fn count(n: u64) -> Result<Counted> {
    Ok(Counted { count: Param(n) })
}

fn main() {
    let p = sdk::dsl::Pipeline::new("renamed");
    p.add(Count { n: 3.into() });
    p.compile().unwrap();
    let registered = sdk::dsl::component::find("count").unwrap().unwrap();
    // trybuild renames the crate, so only the function part of the path is fixed.
    assert!(registered.site.function.ends_with("::count"));
    assert!(registered.site.file.ends_with("crate_override.rs"));
    let spec = (registered.spec)();
    assert_eq!(spec.options.retry.map(|r| r.limit), Some(1));
    assert_eq!(spec.options.env["MODE"], "fast");
}
