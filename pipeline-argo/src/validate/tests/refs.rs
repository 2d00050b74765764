//! References between spec, templates and arguments; template shape.

use super::*;

#[test]
fn entrypoint_is_required() {
    let mut wf = fixture();
    wf.spec.entrypoint = None;
    assert_one_error(&wf, &["spec.entrypoint is required"]);
}

#[test]
fn entrypoint_must_exist() {
    let mut wf = fixture();
    wf.spec.entrypoint = Some(s("mian"));
    assert_one_error(
        &wf,
        &["spec.entrypoint refers to unknown template \"mian\""],
    );
}

#[test]
fn on_exit_must_exist() {
    let mut wf = fixture();
    wf.spec.on_exit = Some(s("exit"));
    assert_one_error(&wf, &["spec.onExit refers to unknown template \"exit\""]);
}

#[test]
fn task_template_must_exist() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").template = s("pubish");
    assert_one_error(
        &wf,
        &[
            "template \"main\": task \"publish\"",
            "unknown template \"pubish\"",
        ],
    );
}

#[test]
fn template_needs_a_type() {
    let mut wf = fixture();
    tmpl(&mut wf, "cleanup").container = None;
    assert_one_error(&wf, &["template \"cleanup\"", "template type unspecified"]);
}

#[test]
fn template_has_one_type_only() {
    let mut wf = fixture();
    let dag = tmpl(&mut wf, "main").dag.clone();
    tmpl(&mut wf, "cleanup").dag = dag;
    let errs = errors(&wf);
    assert!(
        errs[0]
            .contains("template \"cleanup\": multiple template types specified (container, dag)"),
        "{errs:?}"
    );
}

#[test]
fn timeout_only_on_leaf_templates() {
    let mut wf = fixture();
    tmpl(&mut wf, "main").timeout = Some(s("1h"));
    assert_one_error(
        &wf,
        &["template \"main\"", "timeout is only valid for leaf"],
    );
}

#[test]
fn active_deadline_only_on_leaf_templates() {
    let mut wf = fixture();
    tmpl(&mut wf, "main").active_deadline_seconds = Some(s("60"));
    assert_one_error(
        &wf,
        &[
            "template \"main\"",
            "activeDeadlineSeconds is only valid for leaf",
        ],
    );
}

#[test]
fn parallelism_only_on_dag_templates() {
    let mut wf = fixture();
    tmpl(&mut wf, "train").parallelism = Some(2);
    assert_one_error(
        &wf,
        &["template \"train\"", "parallelism is only valid for DAG"],
    );
}

#[test]
fn workflow_arguments_need_values() {
    let mut wf = fixture();
    wf.spec.arguments.as_mut().expect("args").parameters[1].value = None;
    assert_one_error(
        &wf,
        &[
            "spec: arguments",
            "argument parameter \"threshold\" needs a value",
        ],
    );
}

#[test]
fn workflow_argument_value_in_enum() {
    let mut wf = fixture();
    wf.spec.arguments.as_mut().expect("args").parameters[0].enum_ = vec![s("3"), s("10")];
    assert_one_error(&wf, &["parameter \"folds\" value \"5\" is not in its enum"]);
}

#[test]
fn argument_value_from_is_restricted() {
    let mut wf = fixture();
    let p = &mut wf.spec.arguments.as_mut().expect("args").parameters[0];
    p.value = None;
    p.value_from = Some(ValueFrom {
        path: Some(s("/tmp/x")),
        ..Default::default()
    });
    assert_one_error(
        &wf,
        &["argument parameter \"folds\": valueFrom only allows"],
    );
}

#[test]
fn entrypoint_inputs_come_from_spec_arguments() {
    let mut wf = fixture();
    tmpl(&mut wf, "main").inputs = Some(Inputs {
        parameters: vec![Parameter {
            name: s("dataset"),
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_one_error(
        &wf,
        &[
            "spec.arguments",
            "input parameter \"dataset\" of template \"main\"",
        ],
    );
    // A default makes it optional.
    tmpl(&mut wf, "main")
        .inputs
        .as_mut()
        .expect("in")
        .parameters[0]
        .default = Some(s("x"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn input_artifacts_cannot_use_from() {
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .from = Some(s("{{workflow.name}}"));
    assert_one_error(
        &wf,
        &[
            "template \"evaluate\": inputs",
            "\"models\": from is not valid in inputs",
        ],
    );
}

#[test]
fn artifact_paths_where_they_belong() {
    let mut wf = fixture();
    tmpl(&mut wf, "train")
        .outputs
        .as_mut()
        .expect("out")
        .artifacts[0]
        .path = None;
    assert_one_error(
        &wf,
        &[
            "template \"train\": outputs",
            "output artifact \"model\": path is required",
        ],
    );
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .path = None;
    assert_one_error(
        &wf,
        &[
            "template \"evaluate\": inputs",
            "input artifact \"models\": path is required",
        ],
    );
}

#[test]
fn artifact_with_two_locations() {
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .raw = Some(RawArtifact { data: s("x") });
    assert_one_error(&wf, &["artifact \"models\" sets more than one location"]);
}

#[test]
fn output_parameters_need_a_source() {
    let mut wf = fixture();
    let p = &mut tmpl(&mut wf, "evaluate")
        .outputs
        .as_mut()
        .expect("out")
        .parameters[0];
    p.value_from.as_mut().expect("vf").path = None;
    assert_one_error(
        &wf,
        &["output parameter \"accuracy\": valueFrom.path is required"],
    );
    let mut wf = fixture();
    let p = &mut tmpl(&mut wf, "evaluate")
        .outputs
        .as_mut()
        .expect("out")
        .parameters[0];
    p.value = Some(s("1"));
    assert_one_error(
        &wf,
        &["output parameter \"accuracy\": has both value and valueFrom"],
    );
}

#[test]
fn dag_outputs_use_parameter_or_expression() {
    let mut wf = fixture();
    tmpl(&mut wf, "main").outputs = Some(Outputs {
        parameters: vec![Parameter {
            name: s("acc"),
            value_from: Some(ValueFrom {
                path: Some(s("/tmp/acc")),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_one_error(
        &wf,
        &[
            "template \"main\": outputs",
            "\"acc\": valueFrom.parameter or valueFrom.expression is required",
        ],
    );
    let vf = ValueFrom {
        parameter: Some(s("{{tasks.evaluate.outputs.parameters.accuracy}}")),
        ..Default::default()
    };
    tmpl(&mut wf, "main")
        .outputs
        .as_mut()
        .expect("out")
        .parameters[0]
        .value_from = Some(vf);
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn pod_gc_and_artifact_gc_strategies() {
    let mut wf = fixture();
    wf.spec.pod_gc = Some(PodGC {
        strategy: Some(s("OnSuccess")),
    });
    assert_one_error(&wf, &["podGC.strategy \"OnSuccess\" is invalid"]);
    let mut wf = fixture();
    wf.spec.artifact_gc = Some(ArtifactGC {
        strategy: Some(s("Sometimes")),
    });
    assert_one_error(&wf, &["artifactGC.strategy \"Sometimes\" is invalid"]);
}
