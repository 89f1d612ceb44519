//! The shared corpus of real public specs through the `sync-patterns check` binary: every valid
//! spec loads, every invalid one gets a located diagnostic.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn check(spec: &str) -> Output {
    // Run from the corpus folder so messages carry short, stable paths.
    Command::new(env!("CARGO_BIN_EXE_sync-patterns"))
        .arg("check")
        .arg(spec)
        .current_dir(common::corpus())
        .env("NO_COLOR", "1")
        .output()
        .expect("the sync-patterns binary runs")
}

fn valid_specs() -> Vec<String> {
    let mut specs: Vec<String> = std::fs::read_dir(common::corpus())
        .expect("the corpus is beside the repo (../shared/corpus/specs)")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            path.is_file().then(|| path.file_name()?.to_str().map(str::to_owned)).flatten()
        })
        .collect();
    specs.sort();
    specs
}

#[test]
fn every_valid_corpus_spec_checks_cleanly() {
    let specs = valid_specs();
    assert!(specs.len() >= 25, "corpus incomplete: {specs:?}");
    let mut failures = Vec::new();
    for spec in &specs {
        let output = check(spec);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success()
            || stderr.contains("panicked")
            || !String::from_utf8_lossy(&output.stdout).contains("operation")
        {
            failures.push(format!("{spec}: {:?}\n{stderr}", output.status));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn rejected(spec: &str) -> String {
    let output = check(spec);
    assert_eq!(output.status.code(), Some(1), "{spec} must be rejected");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_dangling_ref_is_a_located_error() {
    insta::assert_snapshot!(rejected("invalid/property-missing-reference.yaml"));
}

#[test]
fn a_document_without_info_is_a_located_error() {
    insta::assert_snapshot!(rejected("invalid/empty-3.1.yaml"));
}

#[test]
fn swagger_2_is_a_located_error_naming_the_version() {
    insta::assert_snapshot!(rejected("invalid/swagger-2.0-petstore.yaml"));
}

#[test]
fn a_response_without_description_is_a_located_warning() {
    let output = check("invalid/missing-description.yaml");
    assert!(output.status.success());
    insta::assert_snapshot!(String::from_utf8(output.stderr).unwrap());
}

fn table(spec: &str) -> String {
    let output = check(spec);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn check_tables() {
    for spec in ["petstore-3.1.json", "ix-api.json", "train-travel.yaml", "xkcd.json", "vercel.json"] {
        insta::assert_snapshot!(spec, table(spec));
    }
}

#[test]
fn the_contacts_example_has_one_live_resource() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/contacts/openapi.yaml");
    insta::assert_snapshot!(table(spec.to_str().unwrap()));
}
