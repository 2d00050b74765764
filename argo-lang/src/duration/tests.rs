use super::*;
use proptest::prelude::*;

#[test]
fn parses_as_go_does() {
    let ns = |t: &str| parse_go(t).map(GoDuration::nanos);
    assert_eq!(ns("500ms"), Ok(500_000_000));
    assert_eq!(ns("1h30m"), Ok(5_400 * SECOND as i64));
    assert_eq!(ns("1.5h"), Ok(5_400 * SECOND as i64));
    assert_eq!(ns(".5s"), Ok(500_000_000));
    assert_eq!(ns("5.s"), Ok(5 * SECOND as i64));
    assert_eq!(ns("250us"), Ok(250_000));
    assert_eq!(ns("250µs"), Ok(250_000));
    assert_eq!(ns("-1m"), Ok(-60 * SECOND as i64));
    assert_eq!(ns("+0"), Ok(0));
    assert_eq!(ns("2562047h47m16.854775807s"), Ok(i64::MAX));
    assert_eq!(ns("-2562047h47m16.854775808s"), Ok(i64::MIN));
    for (bad, reason) in [
        ("", "it is empty"),
        ("30", "a unit is missing"),
        ("1d", "unknown unit"),
        ("5 s", "unknown unit"),
        (".s", "a number is missing"),
        ("-", "it is empty"),
        ("2562048h", "it is too long"),
    ] {
        assert_eq!(parse_go(bad).unwrap_err().reason, reason, "{bad}");
    }
}

#[test]
fn what_validates() {
    for ok in [
        "0", "30s", "1h", "1h30m", "1.5h", "300ms", "2m", "10us", "-1s", ".5s",
    ] {
        assert!(parse_go(ok).is_ok(), "{ok}");
    }
    for bad in ["", "1d", "30", "s", "1 h", "1h 30m", "1.h.", "five"] {
        assert!(parse_go(bad).is_err(), "{bad}");
    }
}

#[test]
fn argo_takes_whole_seconds_first() {
    assert_eq!(
        parse_argo("30").unwrap().to_std(),
        Some(Duration::from_secs(30))
    );
    assert_eq!(parse_argo("-5").unwrap().to_std(), None);
    assert_eq!(
        parse_argo("2m").unwrap().to_std(),
        Some(Duration::from_secs(120))
    );
    assert!(parse_argo("2.5").is_err());
    assert!(parse_argo("99999999999999999999").is_err());
    assert!(is_whole_seconds("+30") && !is_whole_seconds("30s") && !is_whole_seconds(""));
}

#[test]
fn an_error_says_what_to_write() {
    let e = parse_go("10x").unwrap_err().to_string();
    assert_eq!(
        e,
        "`10x` is not a duration (unknown unit): write e.g. `500ms`, `30s`, `2m` or `1h30m` \
         (units ns, us, ms, s, m, h)"
    );
}

proptest! {
    #[test]
    fn printing_then_parsing_round_trips(n in any::<i64>().prop_filter("Go cannot negate it", |n| *n != i64::MIN)) {
        let d = GoDuration(n);
        prop_assert_eq!(parse_go(&d.to_string()), Ok(d));
    }

    #[test]
    fn sums_of_components_parse_to_their_total(parts in prop::collection::vec((0u32..100_000, 0usize..6), 1..5)) {
        let units = ["ns", "us", "ms", "s", "m", "h"];
        let text: String = parts.iter().map(|(v, u)| format!("{v}{}", units[*u])).collect();
        let total: i64 = parts.iter().map(|(v, u)| i64::from(*v) * unit(units[*u]).unwrap() as i64).sum();
        prop_assert_eq!(parse_go(&text).map(GoDuration::nanos), Ok(total));
    }

    #[test]
    fn any_text_is_a_value_or_one_error(text in "[-+]?[0-9.]{0,4}[a-zµ ]{0,3}[0-9]{0,2}") {
        match parse_go(&text) {
            Ok(d) => prop_assert!(d.nanos() > i64::MIN),
            Err(e) => {
                let prefix = format!("`{text}` is not a duration");
                prop_assert!(e.to_string().starts_with(&prefix));
            }
        }
    }
}
