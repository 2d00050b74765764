//! Compiles the Titanic pipeline definition to `pipeline.yaml` at the repository root.
//! Deterministic; the file is rewritten only when its content changes.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The image reference is read by titanic-components (`option_env!`), which cargo rebuilds
    // when it changes; declared here too so this script reruns and rewrites pipeline.yaml.
    println!("cargo:rerun-if-env-changed=MLOPS_TITANIC_IMAGE");
    let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let yaml = match pipeline_dsl::cli::render(
        &titanic_components::pipeline(),
        pipeline_dsl::cli::Kind::Workflow,
        None,
    ) {
        Ok(yaml) => yaml,
        Err(e) => {
            println!("cargo:error=the Titanic pipeline does not compile to Argo: {e}");
            std::process::exit(1);
        }
    };
    for warning in pipeline_dsl::cli::warnings(&titanic_components::pipeline()) {
        println!("cargo:warning={warning}");
    }
    if let Err(e) = pipeline_dsl::cli::write_if_changed(&root.join("pipeline.yaml"), &yaml) {
        println!("cargo:error=cannot write pipeline.yaml: {e}");
        std::process::exit(1);
    }
}
