//! Expansion tests: what the generated code refers to, and how many errors a mistake gives.

use quote::quote;

fn compile_errors(tokens: &proc_macro2::TokenStream) -> usize {
    tokens.to_string().matches("compile_error").count()
}

#[test]
fn crate_override_replaces_every_path_to_pipeline_dsl() {
    let out = crate::component::expand(
        quote!(crate = "sdk::dsl", retries = 2, env(MODE = "x")),
        quote!(
            /// Counts.
            pub fn count(n: u64) -> Result<()> {
                Ok(())
            }
        ),
    )
    .to_string();
    assert!(!out.contains("pipeline_dsl"), "{out}");
    assert!(out.contains("sdk :: dsl :: __private :: spec"), "{out}");
    let out = crate::outputs::expand(quote!(
        #[outputs(crate = "sdk::dsl")]
        pub struct Counted {
            pub count: Param<u64>,
        }
    ))
    .to_string();
    assert!(!out.contains("pipeline_dsl"), "{out}");
}

#[test]
fn generated_code_only_calls_the_private_builders() {
    let out = crate::component::expand(
        quote!(
            cpu = "1",
            memory_limit = "1Gi",
            gpu = 1,
            secret_env(K = "s/k")
        ),
        quote!(
            pub fn f(a: Input<Dataset<Row>>, b: u32) -> Result<()> {
                Ok(())
            }
        ),
    )
    .to_string();
    // No spec literal and no field write: the spec types may grow without breaking components.
    let forbidden = [
        "ComponentSpec { name",
        "TaskOptions",
        ". resources",
        "Bindings { artifacts",
        "Registration { spec",
    ];
    for forbidden in forbidden {
        assert!(!out.contains(forbidden), "{forbidden:?} in {out}");
    }
    assert!(
        out.contains(". option (\"memory_limit\" , \"1Gi\")"),
        "{out}"
    );
}

#[test]
fn every_mistake_of_one_component_is_reported_at_once() {
    let out = crate::component::expand(
        quote!(cpus = "1", retry_policy = "Sometimes", name = "Bad_Name"),
        quote!(
            pub async fn f<T>((a, b): (u8, u8), c: &str) -> Result<()> {
                Ok(())
            }
        ),
    );
    // cpus, retry_policy, async, generics, the pattern, the reference, the name.
    assert_eq!(compile_errors(&out), 7, "{out}");
    // The dummy expansion keeps the function and the task struct, and registers nothing.
    let text = out.to_string();
    assert!(text.contains("pub async fn f"), "{text}");
    assert!(text.contains("struct F"), "{text}");
    assert!(!text.contains("inventory"), "{text}");
}

#[test]
fn a_method_keeps_only_the_method() {
    let out = crate::component::expand(
        quote!(),
        quote!(
            pub fn f(&self, x: u32) -> Result<()> {
                Ok(())
            }
        ),
    );
    assert_eq!(compile_errors(&out), 1);
    assert!(!out.to_string().contains("struct"), "{out}");
}

#[test]
fn outputs_on_an_enum_is_one_error_and_a_dummy_impl() {
    let out = crate::outputs::expand(quote!(
        pub enum Trained {
            A(u8),
            B(u8),
        }
    ));
    assert_eq!(compile_errors(&out), 1);
    assert!(
        out.to_string()
            .contains("impl :: pipeline_dsl :: Outputs for Trained"),
        "{out}"
    );
}

#[test]
fn misspelt_options_get_a_suggestion() {
    assert_eq!(
        crate::errors::did_you_mean("cpus", ["cpu", "memory"]),
        " did you mean `cpu`?"
    );
    assert_eq!(crate::errors::did_you_mean("zzzzzz", ["cpu"]), "");
}
