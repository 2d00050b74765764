use super::*;

fn eval_with(text: &str, vars: &[(&str, &str)]) -> Result<Value, String> {
    let e = parse(text)?;
    Ok(evaluate(&e, &|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    })?)
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
        "sprig.date('2006')",
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

#[test]
fn sprig_functions_follow_sprig_and_cast() {
    let s = |v: &str| Ok(Value::Str(v.into()));
    let n = |v: f64| Ok(Value::Num(v));
    let vars = [("x", "1"), ("name", "abc")];
    for (text, want) in [
        ("sprig.trim(' \\t hi \\n')", s("hi")),
        ("sprig.upper(name)", s("ABC")),
        ("sprig.replace('-', '_', 'a-b-c')", s("a_b_c")),
        ("sprig.trimSuffix('.csv', 'data.csv')", s("data")),
        ("sprig.trimAll('$', '$$5$')", s("5")),
        ("sprig.repeat(3, 'ab')", s("ababab")),
        ("sprig.b64dec(sprig.b64enc('hello'))", s("hello")),
        ("sprig.default('none', '')", s("none")),
        ("sprig.default('none', name)", s("abc")),
        ("sprig.toString(sprig.add(x, 2))", s("3")),
        // cast.ToInt64: strings are Go integer literals; a fraction other than .0 counts as 0.
        ("sprig.add(x, 2, '3')", n(6.0)),
        ("sprig.add('1.5', 1)", n(1.0)),
        ("sprig.int('0x10')", n(16.0)),
        ("sprig.int('010')", n(8.0)),
        ("sprig.int('3.00')", n(3.0)),
        ("sprig.int(3.7)", n(3.0)),
        ("sprig.max(1, '7', 3)", n(7.0)),
        ("sprig.min(4, 2)", n(2.0)),
        ("sprig.div(7, 2)", n(3.0)),
        ("sprig.mod(-7, 2)", n(-1.0)),
        ("sprig.sub(x, 5)", n(-4.0)),
        ("sprig.float64('2.5')", n(2.5)),
    ] {
        assert_eq!(eval_with(text, &vars), want, "{text}");
    }
    for (text, want) in [
        ("sprig.contains('b', name)", true),
        ("sprig.hasPrefix('ab', name)", true),
        ("sprig.hasSuffix('ab', name)", false),
        ("sprig.empty('')", true),
        ("sprig.upper(name) == 'ABC' ? true : false", true),
    ] {
        assert_eq!(eval_with(text, &vars), Ok(Value::Bool(want)), "{text}");
    }
}

#[test]
fn sprig_misuse_is_one_clear_error() {
    let err = |text: &str| eval_with(text, &[("x", "1")]).unwrap_err();
    assert!(err("sprig.date('2006', x)").contains("`sprig.date` is not in the supported subset"));
    assert!(err("sprig.trim('a', 'b')").contains("`sprig.trim` takes 1 argument(s), got 2"));
    assert!(err("sprig.sub(1)").contains("takes 2 argument(s)"));
    assert!(err("sprig.trim(1)").contains("argument 1 must be a string, got number"));
    assert!(err("sprig.div(x, 0)").contains("integer divide by zero"));
    assert!(err("sprig.trim").contains("must be followed by a call"));
}
