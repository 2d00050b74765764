//! The defects a reading of Argo's source found in the `pipeline.yaml` of before issue 8
//! (kept in `tests/data/pipeline-before-issue8.yaml`): each has a check that fails on that shape
//! and passes on the committed `pipeline.yaml`.

use mlops_titanic::PIPELINE_YAML;
use pipeline_dsl::argo::expr::{evaluate, parse, Value as ExprValue};
use pipeline_dsl::argo::{from_yaml, from_yaml_as, lint_workflow, LintContext, Workflow};

const BEFORE: &str = include_str!("data/pipeline-before-issue8.yaml");

/// The artifact repositories `deploy/base` creates: `(ConfigMap, key)` per data key.
fn shipped() -> LintContext {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("deploy/base/artifact-repositories.yaml"),
    )
    .unwrap();
    let cm: serde_json::Value = from_yaml_as(&text).unwrap();
    let name = cm["metadata"]["name"].as_str().unwrap().to_owned();
    let default = cm["metadata"]["annotations"]
        ["workflows.argoproj.io/default-artifact-repository"]
        .as_str()
        .unwrap();
    assert!(
        cm["data"].get(default).is_some(),
        "the annotated default key exists"
    );
    LintContext {
        repositories: cm["data"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| (name.clone(), k.clone()))
            .collect(),
    }
}

fn rules(wf: &Workflow) -> Vec<&'static str> {
    let mut r: Vec<_> = lint_workflow(wf, &shipped())
        .into_iter()
        .map(|w| w.rule)
        .collect();
    r.dedup();
    r
}

#[test]
fn the_old_manifest_has_every_defect_and_the_new_one_none() {
    let before = rules(&from_yaml(BEFORE).unwrap());
    for rule in [
        "artifact-repository-ref", // 1: key missing from the quick-start's ConfigMap
        "service-account",         // 2: `default` lacks workflowtaskresults create/patch
        "active-deadline",         // 3: can hang forever
        "pod-gc",                  // 6
        "ttl",                     // 6
        "pod-metadata",            // 6: workflow labels never reach pods
        "when-raw-values",         // 4: govaluate on raw values
        "unmounted-dir",           // 6: HOME/TMPDIR nobody creates
    ] {
        assert!(before.contains(&rule), "{rule} not found in {before:?}");
    }
    let now = from_yaml(PIPELINE_YAML).unwrap();
    assert_eq!(rules(&now), Vec::<&str>::new());
    assert!(
        now.spec.artifact_repository_ref.is_none(),
        "namespace default repository"
    );
    assert_eq!(
        now.spec.service_account_name.as_deref(),
        Some("mlops-titanic")
    );
    assert!(now.spec.active_deadline_seconds.is_some_and(|s| s > 0));
}

fn template<'a>(wf: &'a Workflow, name: &str) -> &'a pipeline_dsl::argo::Template {
    wf.spec.templates.iter().find(|t| t.name == name).unwrap()
}

#[test]
fn idempotent_steps_retry_errors_and_no_step_retries_exit_code_2() {
    let before = from_yaml(BEFORE).unwrap();
    let now = from_yaml(PIPELINE_YAML).unwrap();
    for step in ["train-fold", "publish"] {
        let old = template(&before, step).retry_strategy.as_ref().unwrap();
        assert_eq!(
            old.retry_policy.as_deref(),
            Some("OnFailure"),
            "the old shape"
        );
        let rs = template(&now, step).retry_strategy.as_ref().unwrap();
        assert_eq!(rs.retry_policy.as_deref(), Some("Always"), "{step}");
        let expr = parse(rs.expression.as_deref().unwrap()).unwrap();
        for (code, retried) in [("2", false), ("1", true), ("-1", true), ("137", true)] {
            let vars = |name: &str| (name == "lastRetry.exitCode").then(|| code.to_owned());
            assert_eq!(
                evaluate(&expr, &vars),
                Ok(ExprValue::Bool(retried)),
                "{step} exit {code}"
            );
        }
    }
    for t in &now.spec.templates {
        if let Some(rs) = &t.retry_strategy {
            assert!(rs.expression.is_some(), "{} retries exit code 2", t.name);
        }
    }
}

/// The `when` of `publish` after substitution in Argo's expression environment.
fn publish_when(wf: &Workflow, accuracy: &str, threshold: &str) -> Result<ExprValue, String> {
    let main = template(wf, "main").dag.as_ref().unwrap();
    let when = main
        .tasks
        .iter()
        .find(|t| t.name == "publish")
        .unwrap()
        .when
        .clone()
        .unwrap();
    let body = when
        .strip_prefix("{{=")
        .and_then(|w| w.strip_suffix("}}"))
        .ok_or_else(|| format!("not an expression tag: {when}"))?;
    let vars = |name: &str| match name {
        "tasks.evaluate.outputs.parameters.accuracy" => Some(accuracy.to_owned()),
        "workflow.parameters.threshold" => Some(threshold.to_owned()),
        _ => None,
    };
    Ok(evaluate(&parse(body)?, &vars)?)
}

#[test]
fn a_nan_accuracy_or_a_percent_threshold_skips_publish_instead_of_erroring() {
    let before = from_yaml(BEFORE).unwrap();
    assert!(
        publish_when(&before, "null", "0.8").is_err(),
        "the old form is govaluate on raw text"
    );
    let now = from_yaml(PIPELINE_YAML).unwrap();
    assert_eq!(publish_when(&now, "0.84", "0.8"), Ok(ExprValue::Bool(true)));
    assert_eq!(
        publish_when(&now, "0.79", "0.8"),
        Ok(ExprValue::Bool(false))
    );
    for (accuracy, threshold) in [("null", "0.8"), ("NaN", "0.8"), ("0.9", "80%"), ("0.9", "")] {
        assert_eq!(
            publish_when(&now, accuracy, threshold),
            Ok(ExprValue::Bool(false)),
            "{accuracy} vs {threshold}"
        );
    }
}

#[test]
fn pods_get_the_labels_and_writable_home_and_tmp() {
    let now = from_yaml(PIPELINE_YAML).unwrap();
    let pod = now.spec.pod_metadata.as_ref().unwrap();
    for (k, v) in &now.metadata.labels {
        assert_eq!(pod.labels.get(k), Some(v));
    }
    assert!(now.spec.pod_gc.is_some() && now.spec.ttl_strategy.is_some());
    for t in now.spec.templates.iter().filter(|t| t.container.is_some()) {
        let c = t.container.as_ref().unwrap();
        for var in ["HOME", "TMPDIR"] {
            let dir = c
                .env
                .iter()
                .find(|e| e.name == var)
                .and_then(|e| e.value.clone())
                .unwrap();
            let mount = c
                .volume_mounts
                .iter()
                .find(|m| m.mount_path == dir)
                .unwrap();
            let volume = now
                .spec
                .volumes
                .iter()
                .find(|v| v.name == mount.name)
                .unwrap();
            assert!(volume.empty_dir.is_some(), "{}: {var}", t.name);
        }
    }
}
