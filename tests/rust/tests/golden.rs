//! Golden files of the generated Rust (reviewed like code: `cargo insta review`).

use sync_build::emit::rust::{RustOptions, file};

fn generate(path: std::path::PathBuf) -> String {
    let loaded = sync_build::load(&path).unwrap_or_else(|err| panic!("{}", err.render(sync_build::Style::Plain)));
    file(&loaded.api, &RustOptions::default())
}

#[test]
fn contacts() {
    insta::assert_snapshot!("contacts", generate(sync_tests::spec("contacts.yaml")));
}

#[test]
fn kitchen_sink() {
    insta::assert_snapshot!("kitchen_sink", generate(sync_tests::spec("kitchen-sink.yaml")));
}

#[test]
fn corpus_train_travel() {
    insta::assert_snapshot!("train_travel", generate(sync_tests::corpus_dir().join("train-travel.yaml")));
}

/// Flipping `x-sync` changes the accessor's constructor and the marker's doc line, nothing else.
#[test]
fn push_and_live_differ_only_in_the_accessor() {
    let push = generate(sync_tests::spec("contacts.yaml"));
    let live = generate(sync_tests::spec("contacts-live.yaml"));
    let (push_only, live_only) = line_difference(&push, &live);
    assert_eq!(
        push_only,
        [
            "/// The `contacts` resource (`x-sync: push`), handled through [`::sync_runtime::Resource`]: list, get, create, update, delete.",
            "::sync_runtime::Resource::push(self.clone(), ())",
        ]
    );
    assert_eq!(
        live_only,
        [
            "/// The `contacts` resource (`x-sync: live`), handled through [`::sync_runtime::Resource`]: list, get, create, update, delete.",
            "::sync_runtime::Resource::live(",
            "self.clone(),",
            "(),",
            "::sync_runtime::LiveSource::Rest,",
            ")",
        ]
    );
}

/// Lines (trimmed) of `a` not in `b` and of `b` not in `a`, in order, counting repeats.
fn line_difference(a: &str, b: &str) -> (Vec<String>, Vec<String>) {
    let only = |x: &str, y: &str| {
        let mut rest: Vec<&str> = y.lines().map(str::trim).collect();
        x.lines()
            .map(str::trim)
            .filter(|line| match rest.iter().position(|other| other == line) {
                Some(index) => {
                    rest.remove(index);
                    false
                }
                None => true,
            })
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    (only(a, b), only(b, a))
}

/// The same model always gives the same bytes.
#[test]
fn generation_is_deterministic() {
    let spec = sync_tests::spec("kitchen-sink.yaml");
    assert_eq!(generate(spec.clone()), generate(spec));
}
