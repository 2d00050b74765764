//! Tests of the YAML emitter and the size budget.

use std::collections::BTreeMap;

use super::*;
use crate::model::*;
use crate::testdata::PATTERNS_1_4;

fn small_workflow() -> Workflow {
    let mut requests = BTreeMap::new();
    requests.insert("cpu".to_string(), "500m".to_string());
    requests.insert("memory".to_string(), "512Mi".to_string());
    Workflow::new(
        ObjectMeta {
            generate_name: Some("hello-".to_string()),
            ..Default::default()
        },
        WorkflowSpec {
            entrypoint: Some("main".to_string()),
            arguments: Some(Arguments {
                parameters: vec![
                    Parameter {
                        name: "threshold".to_string(),
                        value: Some("0.8".to_string()),
                        ..Default::default()
                    },
                    Parameter {
                        name: "flag".to_string(),
                        value: Some("true".to_string()),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }),
            templates: vec![Template {
                name: "main".to_string(),
                retry_strategy: Some(RetryStrategy {
                    limit: Some("2".to_string()),
                    retry_policy: Some("OnError".to_string()),
                    ..Default::default()
                }),
                container: Some(Container {
                    image: "ghcr.io/example/app:1.0.0".to_string(),
                    command: vec!["app".to_string(), "--fold".to_string()],
                    args: vec!["{{workflow.parameters.threshold}}".to_string()],
                    resources: Some(ResourceRequirements {
                        requests,
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                outputs: Some(Outputs {
                    artifacts: vec![Artifact {
                        name: "model".to_string(),
                        path: Some("/scratch/model.bin".to_string()),
                        archive: Some(ArchiveStrategy {
                            none: Some(NoneStrategy {}),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
}

const SMALL_YAML: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  arguments:
    parameters:
      - name: threshold
        value: '0.8'
      - name: flag
        value: 'true'
  templates:
    - name: main
      outputs:
        artifacts:
          - name: model
            path: /scratch/model.bin
            archive:
              none: {}
      retryStrategy:
        limit: '2'
        retryPolicy: OnError
      container:
        image: ghcr.io/example/app:1.0.0
        command:
          - app
          - --fold
        args:
          - '{{workflow.parameters.threshold}}'
        resources:
          requests:
            cpu: '500m'
            memory: '512Mi'
";

#[test]
fn small_workflow_has_the_exact_expected_yaml() {
    let yaml = to_yaml(&small_workflow()).expect("emit");
    assert_eq!(yaml, SMALL_YAML);
}

#[test]
fn numbers_and_bools_in_strings_are_quoted() {
    let yaml = to_yaml(&small_workflow()).expect("emit");
    assert!(yaml.contains("limit: '2'"), "{yaml}");
    assert!(yaml.contains("value: '0.8'"), "{yaml}");
    assert!(yaml.contains("value: 'true'"), "{yaml}");
    assert!(yaml.contains("cpu: '500m'"), "{yaml}");
}

#[test]
fn output_is_deterministic_and_round_trips() {
    let wf = small_workflow();
    let a = to_yaml(&wf).expect("emit");
    let b = to_yaml(&wf.clone()).expect("emit");
    assert_eq!(a, b);
    assert_eq!(from_yaml(&a).expect("parse"), wf);
}

#[test]
fn patterns_fixture_round_trips_through_the_emitter() {
    let wf = from_yaml(PATTERNS_1_4).expect("fixture parses");
    let yaml = to_yaml(&wf).expect("emit");
    let back = from_yaml(&yaml).expect("reparse");
    assert_eq!(back, wf);
    assert_eq!(to_yaml(&back).expect("emit again"), yaml);
    // The YAML must be the same document as the original, read generically.
    let a: serde_json::Value = serde_yaml::from_str(PATTERNS_1_4).expect("original");
    let b: serde_json::Value = serde_yaml::from_str(&yaml).expect("ours");
    assert_eq!(a, b);
}

/// Strings that YAML 1.1 (Kubernetes' go-yaml v2, PyYAML) or YAML 1.2 read as non-strings, or that
/// need quoting for syntax reasons. Each must be quoted and read back unchanged.
const TRICKY: &[&str] = &[
    "2",
    "0.8",
    "true",
    "True",
    "FALSE",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "null",
    "Null",
    "~",
    "",
    "1_000",
    "12:30",
    "0o17",
    "0777",
    "0x1F",
    "1e3",
    ".inf",
    "-.inf",
    ".NaN",
    "+1",
    "-1",
    "2024-01-01",
    "500m",
    "512Mi",
    "=",
    "<<",
    "-",
    "- x",
    "a: b",
    "#c",
    "a #c",
    " lead",
    "trail ",
    "{{item}}",
    "[a]",
    "*x",
    "&x",
    "!x",
    "%x",
    "@x",
    "`x",
    "'q'",
    "\"q\"",
    "?",
    "x:",
    "a,b",
    "tab\there",
    "bell\u{7}",
];

#[test]
fn tricky_strings_are_quoted_and_read_back_unchanged() {
    for s in TRICKY {
        let mut m = BTreeMap::new();
        m.insert("k".to_string(), s.to_string());
        let yaml = to_yaml(&m).expect("emit");
        let rest = yaml.strip_prefix("k: ").expect("one key");
        assert!(
            rest.starts_with('\'') || rest.starts_with('"'),
            "{s:?} not quoted: {yaml}"
        );
        let back: BTreeMap<String, String> = serde_yaml::from_str(&yaml).expect("parse");
        assert_eq!(back.get("k").map(String::as_str), Some(*s), "{yaml}");
    }
}

#[test]
fn plain_strings_stay_plain() {
    for s in [
        "main",
        "argoproj.io/v1alpha1",
        "/scratch/out/model.bin",
        "ghcr.io/example/trainer:1.0.0",
        "--fold",
        "-m",
        "OnError",
        "a b",
        "x=1",
    ] {
        assert!(crate::yaml_writer::is_safe_plain(s), "{s}");
    }
}

#[test]
fn multi_line_strings_round_trip() {
    for s in [
        "a\nb",
        "a\nb\n",
        "a\nb\n\n",
        "a\n\n  b\n",
        "\nleading",
        " a\nb",
        "a\r\nb",
        "a\n\tb",
    ] {
        let t = Template {
            name: "t".to_string(),
            container: Some(Container {
                image: "x".to_string(),
                args: vec![s.to_string(), "z".to_string()],
                env: vec![EnvVar {
                    name: "E".to_string(),
                    value: Some(s.to_string()),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let yaml = to_yaml(&t).expect("emit");
        let back: Template = from_yaml_as(&yaml).expect("parse");
        assert_eq!(back, t, "{s:?}\n{yaml}");
    }
}

#[test]
fn with_items_values_keep_their_types() {
    let task = DagTask {
        name: "a".to_string(),
        template: "t".to_string(),
        with_items: vec![
            serde_json::json!(1),
            serde_json::json!("1"),
            serde_json::json!(true),
            serde_json::json!({"b": [1, 2], "a": null}),
            serde_json::json!([]),
            serde_json::json!(1.5),
        ],
        ..Default::default()
    };
    let yaml = to_yaml(&task).expect("emit");
    let back: DagTask = from_yaml_as(&yaml).expect("parse");
    assert_eq!(back, task, "{yaml}");
}

#[test]
fn from_yaml_rejects_another_kind() {
    let yaml = to_yaml(&WorkflowTemplate::default()).expect("emit");
    let err = from_yaml(&yaml).expect_err("wrong kind");
    assert!(err.to_string().contains("WorkflowTemplate"), "{err}");
    let wt: WorkflowTemplate = from_yaml_as(&yaml).expect("as template");
    assert_eq!(wt.kind, "WorkflowTemplate");
}

#[test]
fn from_yaml_reports_bad_input() {
    assert!(matches!(
        from_yaml("spec: [unclosed"),
        Err(EmitError::Parse(_))
    ));
}

fn workflow_with_big_template(bytes: usize) -> Workflow {
    let mut wf = small_workflow();
    wf.spec.templates.push(Template {
        name: "big".to_string(),
        container: Some(Container {
            image: "x".to_string(),
            args: vec!["a".repeat(bytes)],
            ..Default::default()
        }),
        ..Default::default()
    });
    wf
}

#[test]
fn small_manifest_is_within_budget() {
    let (yaml, report) = emit_workflow(&small_workflow()).expect("emit");
    assert_eq!(report.bytes, yaml.len());
    assert!(report.is_ok());
    assert_eq!(report.warning(), None);
    assert_eq!(report.largest_templates[0].name, "main");
}

#[test]
fn manifest_over_512_kib_gets_a_warning_naming_the_biggest_template() {
    let wf = workflow_with_big_template(600 * 1024);
    let (_, report) = emit_workflow(&wf).expect("warn only");
    assert_eq!(report.level, SizeLevel::Warn);
    let msg = report.warning().expect("warning");
    assert!(msg.contains("\"big\""), "{msg}");
    assert_eq!(report.largest_templates[0].name, "big");
}

#[test]
fn manifest_over_1_mib_is_refused_naming_the_biggest_template() {
    let wf = workflow_with_big_template(1100 * 1024);
    let err = emit_workflow(&wf).expect_err("too large");
    let msg = err.to_string();
    assert!(matches!(err, EmitError::TooLarge(_)));
    assert!(msg.contains("largest templates: \"big\""), "{msg}");
}
