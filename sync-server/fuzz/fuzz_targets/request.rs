//! The whole request decoder, from the raw query string to a compiled shape:
//! `cargo +nightly fuzz run request`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|query: &str| {
    let _ = sync_server::fuzzing::query(query);
});
