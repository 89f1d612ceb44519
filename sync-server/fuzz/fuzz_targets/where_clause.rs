//! The `where` parser and the filter it builds, with up to two params: `cargo +nightly fuzz run where_clause`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let mut parts = input.splitn(3, '\u{1f}');
    let clause = parts.next().unwrap_or_default();
    let params: Vec<&str> = parts.collect();
    let _ = sync_server::fuzzing::where_clause(clause, &params);
});
