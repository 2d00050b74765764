//! Compiles the Titanic pipeline definition to `pipeline.yaml` at the repository root, with the
//! same one call a user's own crate makes (`pipeline_dsl::build::emit`): deterministic, the file
//! is rewritten only when its content changes, an invalid pipeline fails the build.

fn main() {
    // The image reference is read by titanic-components (`option_env!`), which cargo rebuilds
    // when it changes; declared here too so this script reruns and rewrites pipeline.yaml.
    println!("cargo::rerun-if-env-changed=MLOPS_TITANIC_IMAGE");
    pipeline_dsl::build::emit(&titanic_components::pipeline());
}
