use super::*;
use proptest::prelude::*;

#[test]
fn reads_the_crd_pattern() {
    for ok in [
        "1", "500m", "0.5", ".5", "1.", "512Mi", "2Gi", "1G", "1k", "1e3", "1E-2", "+1", "-1",
        "100n", "1.5Ki", "1e.5", "-.5E+3",
    ] {
        assert!(is_quantity(ok), "{ok}");
    }
    for bad in [
        "", "m", "1mi", "1Ki2", "1.5.5", "1 Gi", "1KB", "1e", "Gi", "1gi", ".", "+", "1e+",
        "512MB", "1Ki ", " 1",
    ] {
        assert!(!is_quantity(bad), "{bad}");
    }
}

#[test]
fn says_what_is_wrong() {
    assert_eq!(
        parse("Gi").unwrap_err().reason,
        "it does not start with a number"
    );
    assert_eq!(
        parse("1e").unwrap_err().reason,
        "the exponent is not a number"
    );
    assert_eq!(
        parse("512MB").unwrap_err().to_string(),
        "\"512MB\" is not a Kubernetes quantity (the suffix is not one of Ki..Ei, n, u, m, k, \
         M..E or an exponent): write e.g. 500m, 1.5, 512Mi or 2G"
    );
}

fn number() -> impl Strategy<Value = String> {
    ("[+-]?", "[0-9]{0,4}", prop::option::of("[0-9]{0,3}")).prop_filter_map(
        "a number has a digit",
        |(sign, int, frac)| {
            let n = match frac {
                Some(f) => format!("{int}.{f}"),
                None => int,
            };
            n.bytes()
                .any(|b| b.is_ascii_digit())
                .then(|| format!("{sign}{n}"))
        },
    )
}

proptest! {
    /// Printing a parsed quantity gives the text back, for every suffix kind.
    #[test]
    fn printing_then_parsing_round_trips(
        n in number(),
        kind in 0..4u8,
        binary in prop::sample::select(&['K', 'M', 'G', 'T', 'P', 'E'][..]),
        decimal in prop::sample::select(&['n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E'][..]),
        exp in number(),
    ) {
        let text = match kind {
            0 => n.clone(),
            1 => format!("{n}{binary}i"),
            2 => format!("{n}{decimal}"),
            _ => format!("{n}e{exp}"),
        };
        let q = parse(&text).unwrap();
        prop_assert_eq!(q.number, n.as_str());
        prop_assert_eq!(q.to_string(), text);
    }

    /// Any text is a quantity or one error, never a panic.
    #[test]
    fn any_text_parses_or_errs(text in "\\PC{0,8}") {
        let _ = parse(&text);
    }
}
