//! The Swift emitter's unit tests: the golden package for the contacts spec, the unified
//! interface across modes, and spec text that must stay text. (That the output compiles, and
//! behaves, is checked with a real Swift toolchain by tests/swift/run.sh.)

use std::path::{Path, PathBuf};

use super::*;
use crate::model::SyncMode;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("sync-build is in the workspace").to_owned()
}

fn load_spec(path: &Path) -> Api {
    match crate::load(path) {
        Ok(loaded) => loaded.api,
        Err(error) => panic!("{}", error.render(crate::Style::Plain)),
    }
}

fn generated(api: &Api) -> Vec<GeneratedFile> {
    emit(api, &SwiftOptions::default())
}

fn contents<'a>(files: &'a [GeneratedFile], name: &str) -> &'a str {
    files
        .iter()
        .find(|f| f.path.file_name().is_some_and(|n| n == name))
        .map(|f| f.contents.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

/// The golden files: everything but the run-time copies, which are `runtimes/swift` verbatim.
/// `UPDATE_GOLDEN=1 cargo test -p sync-build swift` rewrites them.
#[test]
fn contacts_package_matches_the_golden_files() {
    let api = load_spec(&repo().join("examples/contacts/openapi.yaml"));
    let golden = repo().join("tests/swift/golden/contacts");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut differing = Vec::new();
    for file in generated(&api) {
        if file.path.components().any(|c| c.as_os_str() == "SyncRuntime") {
            continue;
        }
        let path = golden.join(&file.path);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &file.contents).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
            differing.push(file.path.display().to_string());
        }
    }
    assert!(
        differing.is_empty(),
        "differs from tests/swift/golden/contacts (UPDATE_GOLDEN=1 to accept): {differing:?}"
    );
}

#[test]
fn runtime_copies_are_the_runtime_package_verbatim() {
    let api = load_spec(&repo().join("examples/contacts/openapi.yaml"));
    for file in generated(&api).iter().filter(|f| f.path.components().any(|c| c.as_os_str() == "SyncRuntime")) {
        let name = file.path.file_name().unwrap();
        let original = std::fs::read_to_string(repo().join("runtimes/swift/Sources/SyncRuntime").join(name)).unwrap();
        assert!(file.contents.ends_with(&original), "{} is not a copy", file.path.display());
    }
    let listed = RUNTIME.len();
    let on_disk = std::fs::read_dir(repo().join("runtimes/swift/Sources/SyncRuntime")).unwrap().count();
    assert_eq!(listed, on_disk, "every runtime file is copied into generated packages");
}

/// Flipping `x-sync` changes the mode and source constants and nothing a caller uses.
#[test]
fn push_and_live_resources_declare_the_same_interface() {
    let mut api = load_spec(&repo().join("examples/contacts/openapi.yaml"));
    let live = generated(&api);
    for resource in &mut api.resources {
        resource.mode = SyncMode::Push;
    }
    let push = generated(&api);
    let strip = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.contains("static let mode") && !l.contains("(live: ") && !l.contains("(push: "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(strip(contents(&live, "Resources.swift")), strip(contents(&push, "Resources.swift")));
    assert_eq!(contents(&live, "Client.swift"), contents(&push, "Client.swift"));
    assert_eq!(contents(&live, "Models.swift"), contents(&push, "Models.swift"));
    assert!(contents(&live, "Resources.swift").contains("public static let mode = SyncMode.live"));
    assert!(contents(&push, "Resources.swift").contains("public static let mode = SyncMode.push"));
}

/// Whether `line` mentions `PWNED` only inside a comment or a string literal. (Identifiers
/// made from spec names are cased, `listThingsPwned`, so the upper-case marker outside text
/// would mean spec text became code.)
fn only_in_text(line: &str) -> bool {
    let trimmed = line.trim_start();
    if trimmed.starts_with("//") {
        return true;
    }
    // Outside string literals (escapes skipped), the marker must not appear.
    let mut outside = String::new();
    let mut in_string = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (in_string, c) {
            (true, '\\') => {
                chars.next();
            }
            (true, '"') | (false, '"') => in_string = !in_string,
            (false, c) => outside.push(c),
            (true, _) => {}
        }
    }
    !in_string && !outside.contains("PWNED")
}

/// Spec text full of Swift syntax (`*/`, `"""`, `\(`, `#if`, NUL, line separators, bidi
/// overrides) only ever lands in comments and escaped string literals.
#[test]
fn spec_strings_cannot_inject_code() {
    let api = load_spec(&repo().join("tests/swift/specs/injection.yaml"));
    for file in generated(&api).iter().filter(|f| f.path.extension().is_some_and(|e| e == "swift")) {
        for (number, line) in file.contents.lines().enumerate() {
            assert!(
                !line.contains("PWNED") || only_in_text(line),
                "{}:{}: spec text outside a comment or string: {line}",
                file.path.display(),
                number + 1
            );
            assert!(
                !line.contains('\u{0}') && !line.contains('\u{202E}') && !line.contains('\u{2028}'),
                "raw control character in {line:?}"
            );
        }
    }
}

#[test]
fn module_names_come_from_the_title() {
    assert_eq!(module_name("Contacts"), "ContactsAPI");
    assert_eq!(module_name("GitHub v3 REST API"), "GitHubV3RestApi");
    assert_eq!(module_name("3D printing"), "Generated3dPrintingAPI");
    assert_eq!(module_name(""), "GeneratedAPI");
}
