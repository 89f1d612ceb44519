//! Bad input gets diagnostics, never a panic: every truncation and a spread of byte corruptions
//! of real specs, in both formats, must load or fail cleanly.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

fn must_not_panic(name: &str, text: &str) {
    let outcome = catch_unwind(AssertUnwindSafe(|| match sync_build::load_text(name, text) {
        Ok(loaded) => {
            loaded.render_warnings(sync_build::Style::Plain);
        }
        Err(error) => {
            // Rendering points into the text: it must cope with every position too.
            assert!(!error.render(sync_build::Style::Plain).is_empty());
            assert!(!error.summary().is_empty());
        }
    }));
    assert!(outcome.is_ok(), "{name} panicked on:\n{}", &text[..text.len().min(300)]);
}

fn mutations(name: &str, text: &str) {
    let bytes = text.as_bytes();
    // Truncations at every 89th byte (and each char boundary near it).
    for cut in (0..bytes.len()).step_by(89) {
        let cut = (cut..=bytes.len()).find(|&c| text.is_char_boundary(c)).unwrap();
        must_not_panic(name, &text[..cut]);
    }
    // Single-byte replacements with characters that matter to the grammars.
    let specials = [b'{', b'}', b'[', b']', b'"', b':', b',', b'\n', b'-', b'&', b'*', b'!', b'#', b'\\', b' ', b'\''];
    for (i, position) in (0..bytes.len()).step_by(101).enumerate() {
        if !text.is_char_boundary(position) || !text.is_char_boundary(position + 1) {
            continue;
        }
        let mut mutated = bytes.to_vec();
        mutated[position] = specials[i % specials.len()];
        if let Ok(mutated) = String::from_utf8(mutated) {
            must_not_panic(name, &mutated);
        }
    }
}

#[test]
fn corrupted_yaml_specs_never_panic() {
    let text = std::fs::read_to_string(common::corpus().join("train-travel.yaml")).unwrap();
    mutations("train-travel.yaml", &text);
}

#[test]
fn corrupted_json_specs_never_panic() {
    let text = std::fs::read_to_string(common::corpus().join("petstore-3.1.json")).unwrap();
    mutations("petstore-3.1.json", &text);
}

#[test]
fn hostile_shapes_never_panic() {
    for text in [
        "",
        "[]",
        "42",
        "openapi: 3.1.0",
        "openapi: [3]\ninfo: {}\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: []\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a: 7\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get: []\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents: {schemas: {A: {$ref: '#/components/schemas/A'}}}\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents: {schemas: {A: {$ref: '#/components/schemas/B'}, B: {$ref: '#/components/schemas/A'}}}\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents: {schemas: {A: {allOf: [{$ref: '#/components/schemas/A'}]}}}\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents: {schemas: {A: {type: [object, array, string, 'null'], items: {$ref: '#/components/schemas/A'}}}}\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a/{b}/{c:\n    get: {responses: {'200': {description: ok}}}\n",
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents: {schemas: {A: {oneOf: 5, anyOf: [], allOf: {}, enum: 3, required: 1, properties: []}}}\n",
        "a: &a [*a]\n",
        "a: *nope\n",
        "- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n",
    ] {
        must_not_panic("hostile.yaml", text);
    }
}
