//! Conformance set: small pipelines that together use every feature of the DSL, compiled to Argo
//! manifests and kept as reviewable snapshots.
//!
//! `conformance_manifests` compiles each pipeline of [`pipelines`] and compares every rendering
//! with its snapshot under `tests/conformance/snapshots/`:
//!
//! - `<case>.workflow.yaml` for every case,
//! - `<case>.workflow-template.yaml` / `<case>.cron-workflow.yaml` for the cases that ask for them.
//!
//! A change to what the compiler emits shows as a diff of those files: review it, then accept it
//! with `UPDATE_EXPECT=1 cargo test --release --workspace --test conformance`. It also checks
//! determinism: two builds of the same pipeline, and two compiles of one build, give
//! byte-identical YAML. `scripts/test.sh` validates the snapshots offline (Hera models and Argo's
//! full CRD schema, `scripts/validate_manifests.py`).
//!
//! [`rejected`] checks that the compiler refuses wiring Argo cannot run with a clear
//! `CompileError`.

mod components;
mod pipelines;
mod rejected;

use expect_test::expect_file;
use pipeline_dsl::prelude::*;
use pipelines::*;

/// Which Argo kinds a case is rendered as, besides `Workflow`.
#[derive(Clone, Copy)]
enum Kind {
    Template,
    Cron,
}

/// A case: its snapshot name, its pipeline, the kinds it is rendered as besides `Workflow`.
type Case = (&'static str, fn() -> Pipeline, &'static [Kind]);

const CASES: &[Case] = &[
    ("minimal", minimal, &[]),
    ("params-scalar", params_scalar, &[]),
    ("params-enum-struct", params_enum_struct, &[]),
    ("literals", literals, &[]),
    ("output-params", output_params, &[]),
    ("when-numeric", when_numeric, &[]),
    ("when-string", when_string, &[]),
    ("when-logic", when_logic, &[]),
    ("after-ordering", after_ordering, &[]),
    ("fan-out-structs", fan_out_structs, &[]),
    ("fan-out-range", fan_out_range, &[]),
    ("exit-handler", exit_handler, &[]),
    ("retries", retries, &[]),
    ("timeouts", timeouts, &[]),
    ("resources", resources, &[]),
    ("scheduling", scheduling, &[]),
    ("env-secrets", env_secrets, &[]),
    ("caching", caching, &[Kind::Template]),
    ("image-override", image_override, &[]),
    ("template-variants", template_variants, &[]),
    ("auto-names", auto_names, &[]),
    (
        "workflow-settings",
        workflow_settings,
        &[Kind::Template, Kind::Cron],
    ),
    ("diamond", diamond, &[]),
    ("artifact-kinds", artifact_kinds, &[]),
    ("component-options", component_options, &[Kind::Cron]),
    ("single-model", single_model, &[]),
    ("titanic-like", titanic_like, &[Kind::Template, Kind::Cron]),
    ("wide-layer", wide_layer, &[]),
];

/// Every rendering of one case: (file name, YAML).
fn render(name: &str, build: fn() -> Pipeline, extra: &[Kind]) -> Vec<(String, String)> {
    let pipeline = build();
    let compiled = pipeline.compile().unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = vec![(
        format!("{name}.workflow.yaml"),
        compiled.to_yaml().unwrap_or_else(|e| panic!("{name}: {e}")),
    )];
    for kind in extra {
        let (suffix, yaml) = match kind {
            Kind::Template => (
                "workflow-template",
                compiled.render(&compiled.workflow_template()),
            ),
            Kind::Cron => (
                "cron-workflow",
                compiled.render(&compiled.cron_workflow("0 3 * * *")),
            ),
        };
        let yaml = yaml.unwrap_or_else(|e| panic!("{name} ({suffix}): {e}"));
        out.push((format!("{name}.{suffix}.yaml"), yaml));
    }
    // Compiling the same pipeline again gives the same bytes.
    let again = pipeline.compile().unwrap().to_yaml().unwrap();
    assert_eq!(
        out[0].1, again,
        "{name}: compiling twice gave different YAML"
    );
    out
}

#[test]
fn conformance_manifests() {
    let mut names: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "two cases share a name");

    let mut expected: Vec<String> = Vec::new();
    for &(name, build, extra) in CASES {
        let first = render(name, build, extra);
        // Building the pipeline from scratch again gives the same bytes too.
        assert_eq!(
            first,
            render(name, build, extra),
            "{name}: two builds gave different YAML"
        );
        for (file, yaml) in first {
            expect_file![format!("snapshots/{file}")].assert_eq(&yaml);
            expected.push(file);
        }
    }

    // No snapshot is left over from a case that no longer exists.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/snapshots");
    let mut stale: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| !expected.contains(f))
        .collect();
    stale.sort();
    assert!(
        stale.is_empty(),
        "snapshots without a case in {}: {stale:?}",
        dir.display()
    );
}
