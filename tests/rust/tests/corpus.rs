//! The generated Rust for every valid corpus spec compiles and is clippy-clean.
//!
//! All specs become crates of ONE throwaway workspace (`target/corpus-check`), checked by one
//! `cargo clippy` run so shared dependencies build once. Specs that cannot compile yet are
//! listed in `corpus-known-failures.txt` with the reason; the test fails when a spec outside
//! the list fails, and also when a listed spec passes (so the list cannot go stale).
//!
//! `SYNC_CORPUS_ONLY=name,name` limits the run to some specs while working on the emitter.
//! The heaviest specs ([`sync_tests::HEAVY_SPECS`]) are compiled as the part a typical app
//! uses; `SYNC_CORPUS_FULL=1` compiles them whole (as the corpus report does).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use sync_tests::{corpus_options, corpus_specs, repo_root, write_workspace_with};

#[test]
fn every_valid_corpus_spec_generates_rust_that_passes_clippy() {
    let mut specs = corpus_specs();
    if let Ok(only) = std::env::var("SYNC_CORPUS_ONLY") {
        let wanted: Vec<&str> = only.split(',').collect();
        specs
            .retain(|spec| wanted.iter().any(|w| spec.file_name().is_some_and(|n| n.to_string_lossy().starts_with(w))));
    }
    assert!(!specs.is_empty(), "no corpus specs found in ../shared/corpus/specs");
    let dir = repo_root().join("target/corpus-check");
    let whole = std::env::var_os("SYNC_CORPUS_FULL").is_some_and(|v| v != "0");
    let specs: Vec<_> = specs
        .into_iter()
        .map(|spec| {
            let options = corpus_options(&spec, whole);
            (spec, options)
        })
        .collect();
    let outcomes = write_workspace_with(&dir, &specs);
    let specs: Vec<_> = specs.into_iter().map(|(spec, _)| spec).collect();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut child = Command::new(cargo)
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .args(["clippy", "--workspace", "--keep-going", "--message-format=short", "--", "-D", "warnings"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cargo clippy on the generated workspace");
    // Relayed line by line: with `--nocapture` the (long) run shows its progress.
    let mut stderr = String::new();
    for line in BufReader::new(child.stderr.take().expect("piped stderr")).lines() {
        let line = line.expect("cargo's output is text");
        eprintln!("{line}");
        stderr.push_str(&line);
        stderr.push('\n');
    }
    let status = child.wait().expect("cargo clippy finishes");

    // Per crate: its first error lines, from `--message-format=short` (`path:line:col: error...`).
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    for outcome in &outcomes {
        let reason = match &outcome.result {
            Err(load_error) => Some(format!("does not load: {load_error}")),
            Ok(()) if stderr.contains(&format!("could not compile `{}`", outcome.crate_name)) => {
                let prefix = format!("{}/src/lib.rs", outcome.crate_name);
                let errors: Vec<&str> =
                    stderr.lines().filter(|line| line.starts_with(&prefix) && line.contains("error")).take(3).collect();
                Some(format!("does not compile: {}", errors.join(" | ")))
            }
            Ok(()) => None,
        };
        if let Some(reason) = reason {
            let name = outcome.spec.file_name().unwrap().to_string_lossy().into_owned();
            failures.insert(name, reason);
        }
    }
    if !status.success() && failures.is_empty() {
        panic!("cargo clippy failed without a crate to blame:\n{stderr}");
    }

    let known = known_failures();
    let checked: Vec<String> = specs.iter().map(|s| s.file_name().unwrap().to_string_lossy().into_owned()).collect();
    let unexpected: Vec<String> = failures
        .iter()
        .filter(|(name, _)| !known.contains_key(*name))
        .map(|(name, reason)| format!("{name}: {reason}"))
        .collect();
    let fixed: Vec<&String> =
        known.keys().filter(|name| checked.contains(name) && !failures.contains_key(*name)).collect();
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "corpus specs failing that are not listed in corpus-known-failures.txt:\n{}\n\nlisted but now passing (remove them from the list): {fixed:?}",
        unexpected.join("\n")
    );
}

/// `corpus-known-failures.txt`: `spec-file: reason` per line, `#` comments.
fn known_failures() -> BTreeMap<String, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus-known-failures.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once(':'))
        .map(|(name, reason)| (name.trim().to_owned(), reason.trim().to_owned()))
        .collect()
}
