// An `async fn` component: a component is a process, not a future.
use pipeline_dsl::prelude::*;

/// Downloads.
#[component]
pub async fn download(url: String) -> Result<()> {
    let _ = url;
    Ok(())
}

fn main() {}
