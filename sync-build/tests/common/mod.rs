//! Helpers shared by the engine's integration tests.

#![allow(dead_code)]

use std::path::PathBuf;

use sync_build::model::{Api, Ty, TypeKind};
use sync_build::{LoadError, Loaded, Style};

/// The shared corpus of real public specs, beside the repo.
pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/specs")
}

pub fn load_yaml(text: &str) -> Result<Loaded, LoadError> {
    sync_build::load_text("spec.yaml", text)
}

pub fn load_ok(text: &str) -> Loaded {
    match load_yaml(text) {
        Ok(loaded) => loaded,
        Err(error) => panic!("expected the spec to load:\n{}", error.render(Style::Plain)),
    }
}

/// The rendered errors of a spec that must fail.
pub fn load_err(text: &str) -> String {
    match load_yaml(text) {
        Ok(_) => panic!("expected the spec to be rejected"),
        Err(error) => error.render(Style::Plain),
    }
}

pub fn type_named<'a>(api: &'a Api, name: &str) -> &'a TypeKind {
    &api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type `{name}` among {:?}", api.types.iter().map(|t| &t.name).collect::<Vec<_>>()))
        .kind
}

pub fn field_ty(api: &Api, type_name: &str, field: &str) -> Ty {
    match type_named(api, type_name) {
        TypeKind::Struct(s) => {
            s.fields.iter().find(|f| f.name == field).unwrap_or_else(|| panic!("no field {field}")).ty.clone()
        }
        other => panic!("`{type_name}` is not a struct: {other:?}"),
    }
}

/// A minimal spec with the given `paths:` block (indented by two spaces) and schemas.
pub fn spec(paths: &str, schemas: &str) -> String {
    format!(
        "openapi: 3.1.0\ninfo:\n  title: Test\n  version: \"1\"\npaths:\n{paths}\ncomponents:\n  schemas:\n    Contact:\n      type: object\n      required: [id]\n      properties:\n        id: {{type: string}}\n        name: {{type: string}}\n{schemas}"
    )
}

/// `/contacts` listing `Contact`s plus `/contacts/{id}` with the usual mutations, with `extra`
/// lines placed on the collection path item.
pub fn contacts(extra: &str) -> String {
    let list_response = "      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: array\n                items: {$ref: \"#/components/schemas/Contact\"}\n";
    let item_response = "      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/Contact\"}\n";
    let body = "      requestBody:\n        content:\n          application/json:\n            schema: {$ref: \"#/components/schemas/Contact\"}\n";
    format!(
        "  /contacts:\n{extra}    get:\n{list_response}    post:\n{body}{item_response}  /contacts/{{id}}:\n    parameters:\n      - {{name: id, in: path, required: true, schema: {{type: string}}}}\n    get:\n{item_response}    put:\n{body}{item_response}    patch:\n{body}{item_response}    delete:\n      responses:\n        \"204\":\n          description: gone\n"
    )
}
