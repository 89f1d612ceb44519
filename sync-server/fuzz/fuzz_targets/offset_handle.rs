//! Offsets and handles as clients send them: `cargo +nightly fuzz run offset_handle`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = sync_server::fuzzing::offset(input);
    let _ = sync_server::fuzzing::handle(input);
});
