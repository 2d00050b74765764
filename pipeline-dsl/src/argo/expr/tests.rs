use super::*;

fn eval_with(text: &str, vars: &[(&str, &str)]) -> Result<Value, String> {
    let e = parse(text)?;
    evaluate(&e, &|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })
}

fn guarded_ge(a: &str, b: &str) -> Result<Value, String> {
    let num = quote(NUMBER_PATTERN);
    let text = format!(
        "(tasks.evaluate.outputs.parameters.accuracy matches {num} && workflow.parameters.threshold matches {num}) ? asFloat(tasks.evaluate.outputs.parameters.accuracy) >= asFloat(workflow.parameters.threshold) : false"
    );
    eval_with(
        &text,
        &[
            ("tasks.evaluate.outputs.parameters.accuracy", a),
            ("workflow.parameters.threshold", b),
        ],
    )
}

#[test]
fn the_guarded_numeric_comparison_never_errors() {
    assert_eq!(guarded_ge("0.93", "0.8"), Ok(Value::Bool(true)));
    assert_eq!(guarded_ge("0.5", "0.8"), Ok(Value::Bool(false)));
    assert_eq!(
        guarded_ge("10", "9"),
        Ok(Value::Bool(true)),
        "numeric order"
    );
    assert_eq!(guarded_ge("1e0", ".5"), Ok(Value::Bool(true)));
    for (a, b) in [
        ("null", "0.8"),
        ("NaN", "0.8"),
        ("0.9", "80%"),
        ("", "0.8"),
        ("0.9", "inf"),
    ] {
        assert_eq!(guarded_ge(a, b), Ok(Value::Bool(false)), "{a} >= {b}");
    }
}

#[test]
fn unguarded_float_conversion_errors_like_argo() {
    let err = eval_with("asFloat(x) >= 0.8", &[("x", "80%")]).unwrap_err();
    assert!(err.contains("ParseFloat"), "{err}");
}

#[test]
fn retry_expression_over_last_retry() {
    let expr = "lastRetry.exitCode != '2'";
    for (code, retry) in [("1", true), ("2", false), ("-1", true), ("137", true)] {
        assert_eq!(
            eval_with(expr, &[("lastRetry.exitCode", code)]),
            Ok(Value::Bool(retry)),
            "{code}"
        );
    }
    assert_eq!(
        eval_with(
            "asInt(lastRetry.exitCode) > 1 and lastRetry.status == \"Failed\"",
            &[("lastRetry.exitCode", "3"), ("lastRetry.status", "Failed")]
        ),
        Ok(Value::Bool(true))
    );
}

#[test]
fn semantics_of_the_subset() {
    let t = |s: &str| eval_with(s, &[("tasks.a-b.outputs.result", "x y")]);
    assert_eq!(
        t("tasks['a-b'].outputs.result == 'x y'"),
        Ok(Value::Bool(true))
    );
    assert_eq!(t("'2' == 2"), Ok(Value::Bool(false)), "no coercion");
    assert_eq!(t("not (1 < 2) || 'a' < 'b'"), Ok(Value::Bool(true)));
    assert_eq!(
        t("false && asFloat('x') > 1"),
        Ok(Value::Bool(false)),
        "short-circuit"
    );
    assert_eq!(t("true ? 'a' : 'b'"), Ok(Value::Str("a".into())));
    assert_eq!(t("-asInt('3') < 0"), Ok(Value::Bool(true)));
    assert_eq!(t("string(2.5)"), Ok(Value::Str("2.5".into())));
    for bad in [
        "1 < 'a'",
        "1 && true",
        "unknown.var == 1",
        "sprig.trim('x')",
        "(1",
        "a ==",
        "'open",
        "x[0]",
        "1 ? 2 : 3",
        "'a' matches '('",
    ] {
        assert!(t(bad).is_err(), "{bad} should fail");
    }
}

#[test]
fn paths_and_quotes_round_trip() {
    assert_eq!(
        path_text(&["tasks", "train-fold", "outputs", "parameters", "acc"]),
        "tasks['train-fold'].outputs.parameters.acc"
    );
    assert_eq!(
        parse(&quote("it's \\ ok")),
        Ok(Expr::Str("it's \\ ok".into()))
    );
    let e = parse("tasks['train-fold'].outputs.result").unwrap();
    assert_eq!(e.variables().len(), 1);
}
