// A secret reference without the key part.
use pipeline_dsl::prelude::*;

/// Publishes.
#[component(secret_env(AWS_ACCESS_KEY_ID = "s3-credentials"))]
pub fn publish(bucket: String) -> Result<()> {
    let _ = bucket;
    Ok(())
}

fn main() {}
