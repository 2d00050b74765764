//! `{{...}}` variable scopes.

use super::*;

fn set_arg(wf: &mut Workflow, template: &str, name: &str, value: &str) {
    let t = task(wf, template, name);
    t.arguments.as_mut().expect("args").parameters[0].value = Some(s(value));
}

#[test]
fn workflow_parameters_must_be_declared() {
    let mut wf = fixture();
    set_arg(&mut wf, "main", "train", "{{workflow.parameters.fold}}");
    assert_one_error(
        &wf,
        &[
            "template \"main\": task \"train\"",
            "arguments.parameters[0].value: cannot resolve {{workflow.parameters.fold}}",
            "\"fold\" is not declared in spec.arguments.parameters",
        ],
    );
}

#[test]
fn workflow_status_only_in_the_exit_handler() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").when = Some(s("{{workflow.status}} == Succeeded"));
    assert_one_error(
        &wf,
        &[
            "task \"publish\"",
            "{{workflow.status}}",
            "only available in the exit handler",
        ],
    );
    let mut wf = fixture();
    tmpl(&mut wf, "publish").container.as_mut().expect("c").args = vec![s("{{workflow.failures}}")];
    assert_one_error(
        &wf,
        &[
            "template \"publish\"",
            "container.args[0]",
            "{{workflow.failures}}",
        ],
    );
}

#[test]
fn workflow_builtins_and_global_outputs_resolve() {
    let mut wf = fixture();
    tmpl(&mut wf, "publish").container.as_mut().expect("c").args = vec![
        s("{{workflow.uid}} {{workflow.namespace}} {{workflow.creationTimestamp.RFC3339}}"),
        s("{{workflow.outputs.parameters.accuracy}} {{pod.name}} {{node.name}}"),
        s("{{ workflow.parameters.folds }} {{workflow.parameters.json}}"),
        s("go template {{.Values.x}} and {{custom}} are not Argo's"),
    ];
    assert_eq!(validate_workflow(&wf), Ok(()));
    tmpl(&mut wf, "publish").container.as_mut().expect("c").args =
        vec![s("{{workflow.outputs.parameters.acc}}")];
    assert_one_error(
        &wf,
        &["\"acc\" is not the globalName of any output parameter"],
    );
}

#[test]
fn container_inputs_must_be_declared() {
    let mut wf = fixture();
    tmpl(&mut wf, "train").container.as_mut().expect("c").args[1] =
        s("{{inputs.parameters.folds}}");
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "container.args[1]",
            "declares no input parameter \"folds\"",
        ],
    );
}

#[test]
fn output_paths_must_be_declared() {
    let mut wf = fixture();
    tmpl(&mut wf, "evaluate")
        .container
        .as_mut()
        .expect("c")
        .args[3] = s("{{outputs.parameters.accuracy.path}}");
    assert_eq!(validate_workflow(&wf), Ok(()));
    tmpl(&mut wf, "evaluate")
        .container
        .as_mut()
        .expect("c")
        .args[3] = s("{{outputs.artifacts.report.path}}");
    assert_one_error(
        &wf,
        &[
            "template \"evaluate\"",
            "declares no output artifact \"report\"",
        ],
    );
}

#[test]
fn item_only_in_looped_tasks() {
    let mut wf = fixture();
    task(&mut wf, "main", "evaluate").when = Some(s("{{item}} == 1"));
    assert_one_error(
        &wf,
        &[
            "task \"evaluate\"",
            "{{item}}",
            "withItems, withParam or withSequence",
        ],
    );
}

#[test]
fn item_never_inside_a_template() {
    let mut wf = fixture();
    tmpl(&mut wf, "train").container.as_mut().expect("c").args[1] = s("{{item}}");
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "{{item}}",
            "pass it as an input parameter",
        ],
    );
}

#[test]
fn item_keys_come_from_with_items() {
    let mut wf = fixture();
    let t = task(&mut wf, "main", "train");
    t.with_sequence = None;
    t.with_items = vec![serde_json::json!({"fold": 0, "seed": 1})];
    set_arg(&mut wf, "main", "train", "{{item.fold}}-{{item.seed}}");
    assert_eq!(validate_workflow(&wf), Ok(()));
    set_arg(&mut wf, "main", "train", "{{item.folds}}");
    assert_one_error(
        &wf,
        &["task \"train\"", "no withItems entry has the key \"folds\""],
    );
}

#[test]
fn tasks_must_be_upstream() {
    let mut wf = fixture();
    task(&mut wf, "main", "evaluate").depends = Some(s("train"));
    task(&mut wf, "main", "publish").depends = Some(s("train"));
    assert_one_error(
        &wf,
        &[
            "template \"main\": task \"publish\"",
            "{{tasks.evaluate.outputs.parameters.accuracy}}",
            "task \"evaluate\" is not upstream of task \"publish\"",
        ],
    );
}

#[test]
fn transitive_dependencies_are_upstream() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").when = Some(s("{{tasks.train.status}} == Succeeded"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn task_outputs_must_be_declared() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").when =
        Some(s("{{tasks.evaluate.outputs.parameters.acc}} > 0.5"));
    assert_one_error(
        &wf,
        &[
            "task \"publish\"",
            "template \"evaluate\" (task \"evaluate\") declares no output parameter \"acc\"",
        ],
    );
}

#[test]
fn unknown_task_in_a_reference() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").when = Some(s("{{tasks.eval.outputs.result}} == ok"));
    assert_one_error(&wf, &["task \"publish\"", "no task \"eval\" in this DAG"]);
}

#[test]
fn aggregated_parameters_only_for_looped_tasks() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").when = Some(s("{{tasks.train.outputs.parameters}} != []"));
    assert_eq!(validate_workflow(&wf), Ok(()));
    task(&mut wf, "main", "publish").when = Some(s("{{tasks.evaluate.outputs.parameters}} != []"));
    assert_one_error(
        &wf,
        &["aggregated tasks.evaluate.outputs.parameters exists only for looped tasks"],
    );
}

#[test]
fn exit_handler_cannot_reach_main_dag_tasks() {
    let mut wf = fixture();
    task(&mut wf, "exit-handler", "cleanup").when =
        Some(s("{{tasks.evaluate.outputs.parameters.accuracy}} < 0.5"));
    assert_one_error(
        &wf,
        &[
            "template \"exit-handler\": task \"cleanup\"",
            "no task \"evaluate\"",
            "exit handler cannot reference tasks of the main DAG",
        ],
    );
    let mut wf = fixture();
    tmpl(&mut wf, "cleanup").container.as_mut().expect("c").args =
        vec![s("{{tasks.evaluate.outputs.parameters.accuracy}}")];
    assert_one_error(
        &wf,
        &[
            "template \"cleanup\"",
            "exit handler cannot reference tasks of the main DAG",
        ],
    );
}

#[test]
fn exit_handler_may_use_its_own_tasks() {
    let mut wf = fixture();
    let eh = task(&mut wf, "exit-handler", "cleanup");
    eh.depends = Some(s("notify"));
    eh.when = Some(s("{{tasks.notify.status}} == Succeeded"));
    assert_eq!(validate_workflow(&wf), Ok(()));
}

#[test]
fn pod_name_and_retries_scope() {
    let mut wf = fixture();
    tmpl(&mut wf, "train").container.as_mut().expect("c").args[1] =
        s("{{pod.name}}-{{retries}}-{{lastRetry.exitCode}}");
    assert_eq!(validate_workflow(&wf), Ok(()));
    tmpl(&mut wf, "publish").container.as_mut().expect("c").args = vec![s("{{retries}}")];
    assert_one_error(
        &wf,
        &[
            "template \"publish\"",
            "retries exists only in templates with a retryStrategy",
        ],
    );
}

#[test]
fn unclosed_tags_are_errors() {
    let mut wf = fixture();
    tmpl(&mut wf, "publish").container.as_mut().expect("c").args = vec![s("{{workflow.name")];
    assert_one_error(&wf, &["template \"publish\"", "unclosed '{{'"]);
}

#[test]
fn expression_tags_check_task_references() {
    let mut wf = fixture();
    task(&mut wf, "main", "publish").when = Some(s(
        "{{=asFloat(tasks.evaluate.outputs.parameters.accuracy) >= 0.8}}",
    ));
    assert_eq!(validate_workflow(&wf), Ok(()));
    task(&mut wf, "main", "publish").depends = Some(s("train"));
    assert_one_error(
        &wf,
        &["task \"publish\"", "task \"evaluate\" is not upstream"],
    );
    let mut wf = fixture();
    task(&mut wf, "main", "publish").when = Some(s(
        "{{=tasks['evaluate'].outputs.parameters['acc'] > 'tasks.x'}}",
    ));
    assert_one_error(&wf, &["declares no output parameter \"acc\""]);
}

#[test]
fn expression_tags_hint_at_index_syntax() {
    let mut wf = fixture();
    task(&mut wf, "main", "evaluate").name = s("cv-eval");
    task(&mut wf, "main", "publish").depends = Some(s("cv-eval.Succeeded"));
    task(&mut wf, "main", "publish").when = Some(s(
        "{{=asFloat(tasks.cv-eval.outputs.parameters.accuracy) > 0.5}}",
    ));
    assert_one_error(&wf, &["no task \"cv\"", "index syntax"]);
}

#[test]
fn expression_tags_check_inputs() {
    let mut wf = fixture();
    tmpl(&mut wf, "train").container.as_mut().expect("c").args[1] =
        s("{{=sprig.sha256sum(inputs.parameters['data-uri'])}}");
    assert_one_error(
        &wf,
        &[
            "template \"train\"",
            "declares no input parameter \"data-uri\"",
        ],
    );
}
