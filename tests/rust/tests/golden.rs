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
    // The live side: the marker's doc line, then the accessor's body and nothing outside it
    // (what the live constructor is handed may grow; where it sits may not).
    let (doc, constructor) = live_only.split_first().expect("the live output differs");
    assert_eq!(
        doc,
        "/// The `contacts` resource (`x-sync: live`), handled through [`::sync_runtime::Resource`]: list, get, create, update, delete."
    );
    let accessor = accessor_body(&live, "pub fn contacts(&self) -> ::sync_runtime::Resource<ContactsResource> {");
    assert_eq!(constructor, accessor, "everything else that differs is the accessor's body");
    assert_eq!(accessor.first().map(String::as_str), Some("::sync_runtime::Resource::live("));
}

/// The trimmed lines of the function body that opens with line `signature`.
fn accessor_body(code: &str, signature: &str) -> Vec<String> {
    let mut lines = code.lines().map(str::trim).skip_while(|line| *line != signature).skip(1);
    let mut depth = 0i32;
    let mut body = Vec::new();
    for line in lines.by_ref() {
        depth += line.matches(['{', '(']).count() as i32 - line.matches(['}', ')']).count() as i32;
        if depth < 0 {
            break;
        }
        body.push(line.to_owned());
    }
    body
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

/// Spec text never becomes code in the written file either: the items are exactly the ones the
/// spec names (no `fn injected`), and no comment holds a character rustc rejects or that
/// could make the code read differently from how it compiles.
#[test]
fn hostile_spec_text_stays_text() {
    let code = generate(sync_tests::spec("hostile.json"));
    // The header line names the spec's title; everything after it is the emitter's.
    let (_, body) = code.split_once('\n').expect("a header line");
    let file = syn::parse_file(body).expect("the file parses");
    let mut items: Vec<String> = file
        .items
        .iter()
        .map(|item| match item {
            syn::Item::Struct(s) => format!("struct {}", s.ident),
            syn::Item::Enum(e) => format!("enum {}", e.ident),
            syn::Item::Impl(i) => {
                let ty = &i.self_ty;
                format!("impl {}", quote::quote!(#ty))
            }
            other => format!("other {}", quote::quote!(#other)),
        })
        .collect();
    items.sort();
    assert_eq!(
        items,
        [
            "enum Value",
            "impl Client",
            "impl Client",
            "struct Client",
            "struct Fn",
            "struct FnInjectedParams",
            "struct Self_",
        ]
    );
    let hidden: Vec<char> = body
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    assert!(hidden.is_empty(), "hidden characters in the generated file: {hidden:?}");
}
