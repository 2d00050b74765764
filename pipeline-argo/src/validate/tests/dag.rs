//! DAG structure, dependencies, loops and arguments.

use super::*;

#[test]
fn dag_needs_tasks() {
    let mut wf = fixture();
    tmpl(&mut wf, "exit-handler")
        .dag
        .as_mut()
        .expect("dag")
        .tasks
        .clear();
    assert_one_error(&wf, &["template \"exit-handler\"", "at least one task"]);
}

#[test]
fn task_names_are_valid_and_unique() {
    let mut wf = fixture();
    task(&mut wf, "exit-handler", "cleanup").name = s("notify");
    assert_one_error(
        &wf,
        &[
            "template \"exit-handler\"",
            "task name \"notify\" is not unique",
        ],
    );
    let mut wf = fixture();
    task(&mut wf, "exit-handler", "cleanup").name = s("clean.up");
    assert_one_error(&wf, &["task name \"clean.up\" is invalid"]);
}

#[test]
fn task_names_cannot_start_with_a_digit_with_depends() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").name = s("3publish");
    assert_one_error(&wf, &["task \"3publish\"", "cannot begin with a digit"]);
    // Without depends/dependencies in the DAG a digit is fine.
    let mut wf = fixture();
    task(&mut wf, "exit-handler", "cleanup").name = s("2cleanup");
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn depends_and_dependencies_are_not_mixed() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").depends = None;
    task(&mut wf, "main", "publish").dependencies = vec![s("evaluate")];
    assert_one_error(
        &wf,
        &[
            "task \"publish\"",
            "cannot use both 'depends' and 'dependencies'",
        ],
    );
}

#[test]
fn dependencies_list_works_alone() {
    let mut wf = fixture();
    for name in ["evaluate", "publish"] {
        let t = task(&mut wf, "main", name);
        let dep = t.depends.take().expect("depends");
        t.dependencies = vec![dep.trim_end_matches(".Succeeded").to_string()];
    }
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn continue_on_is_not_used_with_depends() {
    let mut wf = fixture();
    task(&mut wf, "main", "evaluate").continue_on = Some(ContinueOn {
        failed: true,
        ..Default::default()
    });
    assert_one_error(&wf, &["task \"evaluate\"", "cannot use 'continueOn'"]);
}

#[test]
fn depends_on_unknown_task() {
    let mut wf = fixture();
    task(&mut wf, "main", "evaluate").depends = Some(s("train && foo"));
    assert_one_error(
        &wf,
        &["template \"main\": task \"evaluate\": depends on unknown task \"foo\""],
    );
}

#[test]
fn depends_on_itself() {
    let mut wf = fixture();
    task(&mut wf, "main", "evaluate").depends = Some(s("train && evaluate"));
    assert_one_error(&wf, &["task \"evaluate\": depends on itself"]);
}

#[test]
fn depends_must_parse() {
    for bad in [
        "train &&",
        "(train",
        "train evaluate",
        "train & x",
        "train.",
        "&& train",
        "",
    ] {
        let mut wf = fixture();
        task(&mut wf, "main", "evaluate").depends = Some(s(bad));
        assert_one_error(
            &wf,
            &[
                "task \"evaluate\"",
                &format!("depends {bad:?} is malformed"),
            ],
        );
    }
    let mut wf = fixture();
    task(&mut wf, "main", "evaluate").depends =
        Some(s("!(train.Failed || train.Errored) && train"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn task_results_are_known() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").depends = Some(s("evaluate.Finished"));
    assert_one_error(
        &wf,
        &[
            "task \"publish\"",
            "task result 'Finished' for task \"evaluate\"",
        ],
    );
}

#[test]
fn items_results_need_a_loop() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").depends = Some(s("evaluate.AnySucceeded"));
    assert_one_error(
        &wf,
        &["dependency \"evaluate\" uses the items-based condition .AnySucceeded"],
    );
    let mut wf = fixture();
    task(&mut wf, "main", "evaluate").depends = Some(s("train.AnySucceeded"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn cycles_are_named() {
    let mut wf = fixture();
    task(&mut wf, "main", "train").depends = Some(s("publish"));
    let errs = errors(&wf);
    let cycle: Vec<&String> = errs.iter().filter(|e| e.contains("cycle")).collect();
    assert_eq!(cycle.len(), 1, "{errs:#?}");
    assert!(
        cycle[0]
            .contains("template \"main\": dependency cycle: train -> publish -> evaluate -> train"),
        "{cycle:?}"
    );
}

#[test]
fn target_names_tasks() {
    let mut wf = fixture();
    tmpl(&mut wf, "main").dag.as_mut().expect("dag").target = Some(s("publish pubish"));
    assert_one_error(&wf, &["template \"main\"", "target \"pubish\""]);
}

#[test]
fn one_loop_kind_per_task() {
    let mut wf = fixture();
    task(&mut wf, "main", "train").with_param = Some(s("[0, 1]"));
    assert_one_error(
        &wf,
        &[
            "task \"train\"",
            "only one of withItems, withParam, withSequence",
        ],
    );
}

#[test]
fn with_sequence_count_xor_end() {
    let mut wf = fixture();
    task(&mut wf, "main", "train")
        .with_sequence
        .as_mut()
        .expect("seq")
        .end = Some(s("4"));
    assert_one_error(&wf, &["task \"train\"", "only one of count or end"]);
    let mut wf = fixture();
    task(&mut wf, "main", "train")
        .with_sequence
        .as_mut()
        .expect("seq")
        .count = None;
    assert_one_error(&wf, &["task \"train\"", "one of count or end is required"]);
}

#[test]
fn with_sequence_numbers() {
    let mut wf = fixture();
    task(&mut wf, "main", "train")
        .with_sequence
        .as_mut()
        .expect("seq")
        .count = Some(s("five"));
    assert_one_error(&wf, &["task \"train\"", "withSequence.count \"five\""]);
}

#[test]
fn task_arguments_supply_required_inputs() {
    let mut wf = fixture();
    task(&mut wf, "exit-handler", "notify")
        .arguments
        .as_mut()
        .expect("args")
        .parameters
        .remove(1);
    assert_one_error(
        &wf,
        &[
            "template \"exit-handler\": task \"notify\"",
            "does not supply input parameter \"failures\" of template \"notify\"",
        ],
    );
}

#[test]
fn task_arguments_are_declared_inputs() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").arguments = Some(Arguments {
        parameters: vec![Parameter {
            name: s("dry-run"),
            value: Some(s("true")),
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_one_error(
        &wf,
        &[
            "task \"publish\"",
            "passes parameter \"dry-run\" that template \"publish\" does not declare",
        ],
    );
}

#[test]
fn task_arguments_supply_required_artifacts() {
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .s3 = None;
    assert_one_error(
        &wf,
        &[
            "task \"evaluate\"",
            "does not supply input artifact \"models\" of template \"evaluate\"",
        ],
    );
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .optional = Some(true);
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn task_argument_parameters_need_values() {
    let mut wf = fixture();
    let args = task(&mut wf, "main", "train")
        .arguments
        .as_mut()
        .expect("args");
    args.parameters[0].value = None;
    assert_one_error(
        &wf,
        &[
            "task \"train\": arguments",
            "argument parameter \"fold\" needs a value",
        ],
    );
}

#[test]
fn task_argument_artifacts_need_a_source() {
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .s3 = None;
    task(&mut wf, "main", "evaluate").arguments = Some(Arguments {
        artifacts: vec![Artifact {
            name: s("models"),
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_one_error(
        &wf,
        &[
            "task \"evaluate\": arguments",
            "argument artifact \"models\" needs from",
        ],
    );
}

#[test]
fn artifact_from_and_from_expression() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").depends = Some(s("evaluate.Succeeded && train"));
    tmpl(&mut wf, "publish").inputs = Some(Inputs {
        artifacts: vec![Artifact {
            name: s("m"),
            path: Some(s("/scratch/m")),
            ..Default::default()
        }],
        ..Default::default()
    });
    task(&mut wf, "main", "publish").arguments = Some(Arguments {
        artifacts: vec![Artifact {
            name: s("m"),
            from: Some(s("{{workflow.outputs.artifacts.m}}")),
            from_expression: Some(s("true ? 'a' : 'b'")),
            ..Default::default()
        }],
        ..Default::default()
    });
    let errs = errors(&wf);
    assert!(
        errs.iter()
            .any(|e| e.contains("artifact \"m\" has both from and fromExpression")),
        "{errs:#?}"
    );
}

/// PATTERNS.md §1.1.
#[test]
fn artifact_from_a_looped_task_is_rejected() {
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .s3 = None;
    task(&mut wf, "main", "evaluate").arguments = Some(Arguments {
        artifacts: vec![Artifact {
            name: s("models"),
            from: Some(s("{{tasks.train.outputs.artifacts.model}}")),
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_one_error(
        &wf,
        &[
            "template \"main\": task \"evaluate\"",
            "artifact \"models\" takes \"{{tasks.train.outputs.artifacts.model}}\"",
            "task \"train\" loops",
        ],
    );
    // The same reference without the loop is fine.
    let t = task(&mut wf, "main", "train");
    t.with_sequence = None;
    t.arguments.as_mut().expect("args").parameters[0].value = Some(s("0"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn looped_artifact_in_from_expression_is_rejected() {
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .inputs
        .as_mut()
        .expect("in")
        .artifacts[0]
        .s3 = None;
    task(&mut wf, "main", "evaluate").arguments = Some(Arguments {
        artifacts: vec![Artifact {
            name: s("models"),
            from_expression: Some(s("tasks.train.outputs.artifacts.model")),
            ..Default::default()
        }],
        ..Default::default()
    });
    assert_one_error(&wf, &["task \"evaluate\"", "task \"train\" loops"]);
}
