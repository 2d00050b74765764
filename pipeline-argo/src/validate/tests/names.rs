//! Names, metadata and labels.

use super::*;

#[test]
fn workflow_needs_name_or_generate_name() {
    let mut wf = fixture();
    wf.metadata.generate_name = None;
    assert_one_error(
        &wf,
        &["metadata", "name or metadata.generateName is required"],
    );
}

#[test]
fn metadata_name_must_be_dns_1123() {
    let mut wf = fixture();
    wf.metadata.name = Some(s("CV_Train"));
    assert_one_error(&wf, &["metadata.name \"CV_Train\" is invalid"]);
}

#[test]
fn metadata_name_at_most_63() {
    let mut wf = fixture();
    wf.metadata.name = Some("a".repeat(64));
    assert_one_error(&wf, &["metadata.name", "no more than 63"]);
}

#[test]
fn generate_name_prefix_rule() {
    let mut wf = fixture();
    wf.metadata.generate_name = Some(s("-cv-"));
    assert_one_error(&wf, &["metadata.generateName \"-cv-\" is invalid"]);
    wf.metadata.generate_name = Some(format!("{}-", "a".repeat(58)));
    assert_one_error(&wf, &["metadata.generateName", "no more than 58"]);
}

#[test]
fn namespace_must_be_a_dns_label() {
    let mut wf = fixture();
    wf.metadata.namespace = Some(s("ml.team"));
    assert_one_error(&wf, &["metadata.namespace \"ml.team\" is invalid"]);
}

#[test]
fn label_keys_and_values_are_checked() {
    let mut wf = fixture();
    wf.metadata.labels.insert(s("app"), s("has space"));
    assert_one_error(&wf, &["metadata", "label value \"has space\""]);
    let mut wf = fixture();
    tmpl(&mut wf, "train").metadata = Some(Metadata {
        labels: [(s("bad key!"), s("v"))].into_iter().collect(),
        ..Default::default()
    });
    assert_one_error(&wf, &["template \"train\"", "label key \"bad key!\""]);
}

#[test]
fn api_version_and_kind() {
    let mut wf = fixture();
    wf.kind = s("Pipeline");
    assert_one_error(&wf, &["kind \"Pipeline\" is invalid"]);
    let mut wf = fixture();
    wf.api_version = s("argoproj.io/v1");
    assert_one_error(&wf, &["apiVersion \"argoproj.io/v1\""]);
}

#[test]
fn template_names_follow_the_field_name_rule() {
    let mut wf = fixture();
    tmpl(&mut wf, "cleanup").name = s("clean_up");
    wf.spec.templates.iter_mut().for_each(|t| {
        for task in t.dag.iter_mut().flat_map(|d| d.tasks.iter_mut()) {
            if task.template == "cleanup" {
                task.template = s("clean_up");
            }
        }
    });
    assert_one_error(
        &wf,
        &["spec.templates", "template name \"clean_up\" is invalid"],
    );
}

#[test]
fn template_names_at_most_128() {
    let mut wf = fixture();
    let long = "c".repeat(129);
    tmpl(&mut wf, "cleanup").name = long.clone();
    task(&mut wf, "exit-handler", "cleanup").template = long;
    assert_one_error(&wf, &["template name", "no more than 128"]);
}

#[test]
fn template_names_are_unique() {
    let mut wf = fixture();
    let dup = tmpl(&mut wf, "cleanup").clone();
    wf.spec.templates.push(dup);
    assert_one_error(&wf, &["template name \"cleanup\" is not unique"]);
}

#[test]
fn parameter_names_follow_the_param_rule() {
    let mut wf = fixture();
    wf.spec.arguments.as_mut().expect("args").parameters[0].name = s("fold.count");
    let errs = errors(&wf);
    // The bad name is reported, and so is the now-undeclared workflow.parameters.folds.
    assert!(
        errs[0].contains("parameter name \"fold.count\" is invalid"),
        "{errs:?}"
    );
}

#[test]
fn input_names_are_unique() {
    let mut wf = fixture();
    let inputs = tmpl(&mut wf, "notify").inputs.as_mut().expect("inputs");
    inputs.parameters[1].name = s("status");
    let errs = errors(&wf);
    assert!(
        errs.iter()
            .any(|e| e
                .contains("template \"notify\": inputs: parameter name \"status\" is not unique")),
        "{errs:?}"
    );
}

#[test]
fn output_artifact_names_are_checked() {
    let mut wf = fixture();
    tmpl(&mut wf, "train")
        .outputs
        .as_mut()
        .expect("outputs")
        .artifacts[0]
        .name = s("mo del");
    let errs = errors(&wf);
    assert!(
        errs[0].contains("template \"train\": outputs: artifact name \"mo del\" is invalid"),
        "{errs:?}"
    );
}

#[test]
fn global_names_are_checked() {
    let mut wf = fixture();
    let p = &mut tmpl(&mut wf, "evaluate")
        .outputs
        .as_mut()
        .expect("out")
        .parameters[0];
    p.global_name = Some(s("acc.uracy"));
    assert_one_error(
        &wf,
        &["template \"evaluate\"", "globalName name \"acc.uracy\""],
    );
}

#[test]
fn workflow_template_needs_a_name() {
    let wf = fixture();
    let mut wt = WorkflowTemplate::new(wf.metadata.clone(), wf.spec.clone());
    let err = validate_workflow_template(&wt).expect_err("generateName only");
    assert!(
        err.to_string().contains("metadata.name is required"),
        "{err}"
    );
    wt.metadata.generate_name = None;
    wt.metadata.name = Some(s("cv-train"));
    wt.spec.arguments.as_mut().expect("args").parameters[0].value = None;
    assert_eq!(validate_workflow_template(&wt), Ok(()));
}

#[test]
fn cron_workflow_rules() {
    let wf = fixture();
    let mut cw = CronWorkflow::new(
        ObjectMeta {
            name: Some(s("nightly-cv-train")),
            ..Default::default()
        },
        CronWorkflowSpec {
            schedules: vec![s("0 3 * * *"), s("@every 6h")],
            concurrency_policy: Some(s("Forbid")),
            workflow_spec: wf.spec.clone(),
            ..Default::default()
        },
    );
    assert_eq!(validate_cron_workflow(&cw), Ok(()));
    cw.metadata.name = Some("n".repeat(53));
    cw.spec.schedules = vec![s("0 3 * *")];
    cw.spec.concurrency_policy = Some(s("Sometimes"));
    cw.spec.starting_deadline_seconds = Some(-1);
    let err = validate_cron_workflow(&cw).expect_err("invalid");
    let text = err.to_string();
    assert_eq!(err.len(), 4, "{text}");
    for needle in [
        "no more than 52",
        "\"0 3 * *\" is malformed",
        "\"Sometimes\"",
        "startingDeadlineSeconds",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
}
