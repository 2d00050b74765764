//! Compile-fail tests: wiring and component mistakes are compile errors that point at the user's
//! code with a message a newcomer understands. Each `tests/ui/<topic>/*.rs` must fail to compile
//! with the committed `.stderr` (the first error is the helpful one, and none is longer than 30
//! lines); each `tests/ui/pass/*.rs` must compile and run.
//!
//! rustc's wording and layout change between releases, so the expected output is pinned to one
//! toolchain (as clap does); on another one the test prints that it was skipped and passes.
//! Regenerate the `.stderr` files after an intended change with
//! `TRYBUILD=overwrite cargo test --release --workspace --test compile_fail`.

/// The topics, one directory each.
const TOPICS: [&str; 5] = ["signature", "options", "types", "outputs", "wiring"];

#[rustversion::stable(1.95)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    for topic in TOPICS {
        t.compile_fail(format!("tests/ui/{topic}/*.rs"));
    }
    t.pass("tests/ui/pass/*.rs");
}

#[rustversion::not(stable(1.95))]
#[test]
fn ui() {
    use std::io::Write;
    // Written to stderr directly, past the test harness's output capture.
    let _ = writeln!(
        std::io::stderr(),
        "compile_fail::ui skipped: the expected compiler output in tests/ui is pinned to rustc \
         1.95 (stable); run it with that toolchain"
    );
}

/// The most lines an expected output may have.
const MAX_LINES: usize = 30;

/// Every expected output stays short, has one error per mistake, and starts with the helpful
/// error: the first line is our own message (from the macro or a `diagnostic::on_unimplemented`),
/// not a bare trait bound.
#[test]
fn expected_outputs_are_short_and_start_with_the_helpful_error() {
    let mut checked = 0;
    for topic in TOPICS {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/ui")
            .join(topic);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let stderr = std::fs::read_to_string(path.with_extension("stderr"))
                .unwrap_or_else(|_| panic!("{} has no .stderr", path.display()));
            let case = format!("{topic}/{}", path.file_stem().unwrap().to_string_lossy());
            let lines = stderr.lines().count();
            assert!(
                lines <= MAX_LINES,
                "{case}: {lines} lines, at most {MAX_LINES}"
            );
            // One mistake, one error: only the case made of several mistakes has more.
            let errors = stderr.lines().filter(|l| l.starts_with("error")).count();
            let expected = if case == "signature/several_mistakes" {
                3
            } else {
                1
            };
            assert_eq!(errors, expected, "{case}: {errors} errors");
            let first = stderr.lines().next().unwrap_or_default();
            assert!(
                !first.contains("the trait bound"),
                "{case}: the first error is a bare trait bound: {first}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} cases found");
}
