//! trybuild UI tests of `sync_api!`: every kind of error gives a located, readable message
//! (the `.stderr` files are reviewed like code), and the settings compile as documented.
//!
//! Specs are referenced relative to trybuild's scratch crate in `target/tests/trybuild/`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
