//! Tests of the validator: the §1.4 workflow passes; each rule is broken once on a valid base.

use super::*;
use crate::emit::from_yaml;
use crate::model::*;
use crate::testdata::PATTERNS_1_4;

/// The PATTERNS.md §1.4 workflow.
pub(super) fn fixture() -> Workflow {
    from_yaml(PATTERNS_1_4).expect("fixture parses")
}

/// Mutable access to a template of `wf` by name.
pub(super) fn tmpl<'a>(wf: &'a mut Workflow, name: &str) -> &'a mut Template {
    wf.spec
        .templates
        .iter_mut()
        .find(|t| t.name == name)
        .expect("template exists")
}

/// Mutable access to a task of a DAG template.
pub(super) fn task<'a>(wf: &'a mut Workflow, template: &str, name: &str) -> &'a mut DagTask {
    tmpl(wf, template)
        .dag
        .as_mut()
        .expect("dag")
        .tasks
        .iter_mut()
        .find(|t| t.name == name)
        .expect("task exists")
}

/// Validates and returns the error messages (panics if the workflow is valid).
pub(super) fn errors(wf: &Workflow) -> Vec<String> {
    match validate_workflow(wf) {
        Ok(()) => panic!("expected validation errors"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

/// Asserts exactly one error, containing every needle.
#[track_caller]
pub(super) fn assert_one_error(wf: &Workflow, needles: &[&str]) {
    let errs = errors(wf);
    assert_eq!(errs.len(), 1, "expected one error, got {errs:#?}");
    for n in needles {
        assert!(errs[0].contains(n), "{:?} does not contain {n:?}", errs[0]);
    }
}

pub(super) fn s(v: &str) -> String {
    v.to_string()
}

#[test]
fn patterns_fixture_is_valid() {
    let wf = fixture();
    if let Err(e) = validate_workflow(&wf) {
        panic!("{e}");
    }
    assert_eq!(validate_spec(&wf.spec), Ok(()));
}

#[test]
fn all_errors_are_collected_and_displayed() {
    let mut wf = fixture();
    wf.spec.on_exit = Some(s("nope"));
    task(&mut wf, "main", "evaluate").depends = Some(s("ghost"));
    let err = validate_workflow(&wf).expect_err("invalid");
    assert_eq!(err.len(), 2, "{err}");
    let text = err.to_string();
    assert!(text.starts_with("2 Argo validation errors"), "{text}");
    assert!(
        text.contains("spec: spec.onExit refers to unknown template \"nope\""),
        "{text}"
    );
    assert!(
        text.contains("template \"main\": task \"evaluate\": depends on unknown task \"ghost\""),
        "{text}"
    );
}

mod dag;
mod fields;
mod graph;
mod names;
mod refs;
mod vars;

#[test]
fn odd_input_never_panics() {
    let odd = [
        "",
        " ",
        "{{",
        "}}",
        "{{}}",
        "{{=}}",
        "{{ = tasks['",
        "{{=tasks[\"é\"]}}",
        "é",
        "µs",
        "1µ",
        "((",
        "))",
        "!",
        "a.",
        ".a",
        "a..b",
        "{{tasks.}}",
        "{{tasks..x}}",
        "{{item.}}",
        "{{=tasks.a.outputs['x\\'y']}}",
        "\u{feff}",
        "a\u{0}b",
        "{{workflow.parameters.}}",
        "日本語",
        "-",
        "--",
        "&&",
        "||",
        "a.Succeeded.x",
    ];
    for text in odd {
        let mut wf = fixture();
        let t = task(&mut wf, "main", "publish");
        t.depends = Some(text.to_string());
        t.when = Some(text.to_string());
        t.with_param = Some(text.to_string());
        let r = retry_of(&mut wf);
        r.limit = Some(text.to_string());
        tmpl(&mut wf, "train").timeout = Some(text.to_string());
        tmpl(&mut wf, "train").memoize = Some(Memoize {
            key: text.to_string(),
            max_age: text.to_string(),
            ..Default::default()
        });
        tmpl(&mut wf, "publish").container.as_mut().expect("c").args = vec![text.to_string()];
        wf.metadata.generate_name = Some(text.to_string());
        // Only the absence of a panic matters here.
        let _ = validate_workflow(&wf);
    }
}

fn retry_of(wf: &mut Workflow) -> &mut RetryStrategy {
    tmpl(wf, "train").retry_strategy.as_mut().expect("retry")
}
