//! Compile-fail tests: wiring and component mistakes are compile errors that point at the user's
//! code with a message a newcomer understands. Each `tests/ui/*.rs` must fail to compile with the
//! committed `.stderr`; each `tests/ui/pass/*.rs` must compile and run.
//!
//! Regenerate the `.stderr` files after an intended change with
//! `TRYBUILD=overwrite cargo test -p pipeline-dsl --test compile_fail`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
