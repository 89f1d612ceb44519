//! OpenAPI 3.0 and 3.1 spell some things differently; both lower to the same model.

mod common;

use common::{field_ty, load_err, load_ok, type_named};
use sync_build::model::{EnumValue, IntFormat, Literal, StringFormat, Ty, TypeKind, UnionKind};

fn with_schemas(version: &str, schemas: &str) -> String {
    format!("openapi: {version}\ninfo: {{title: T, version: \"1\"}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}")
}

#[test]
fn nullable_is_spelled_two_ways_and_means_the_same() {
    let v30 = load_ok(&with_schemas(
        "3.0.3",
        "    A:\n      type: object\n      properties:\n        b: {type: string, nullable: true}\n",
    ));
    let v31 = load_ok(&with_schemas(
        "3.1.0",
        "    A:\n      type: object\n      properties:\n        b: {type: [string, \"null\"]}\n",
    ));
    let expected = Ty::Nullable(Box::new(Ty::String(StringFormat::Plain)));
    assert_eq!(field_ty(&v30.api, "A", "b"), expected);
    assert_eq!(field_ty(&v31.api, "A", "b"), expected);
    // 3.1's oneOf-with-null spelling too.
    let v31_one_of = load_ok(&with_schemas(
        "3.1.0",
        "    A:\n      type: object\n      properties:\n        b:\n          oneOf: [{type: string}, {type: \"null\"}]\n",
    ));
    assert_eq!(field_ty(&v31_one_of.api, "A", "b"), expected);
}

#[test]
fn const_and_single_value_enums_are_literals() {
    let loaded = load_ok(&with_schemas(
        "3.1.0",
        "    A:\n      type: object\n      properties:\n        kind: {const: cat}\n        legacy: {type: string, enum: [dog]}\n",
    ));
    assert_eq!(field_ty(&loaded.api, "A", "kind"), Ty::Literal(Literal::String("cat".into())));
    assert_eq!(field_ty(&loaded.api, "A", "legacy"), Ty::Literal(Literal::String("dog".into())));
}

#[test]
fn ref_siblings_keep_the_reference_and_its_description() {
    let loaded = load_ok(&with_schemas(
        "3.1.0",
        "    A:\n      type: object\n      properties:\n        b:\n          $ref: \"#/components/schemas/B\"\n          description: The B of this A.\n    B: {type: object, properties: {c: {type: integer, format: int32}}}\n",
    ));
    let TypeKind::Struct(a) = type_named(&loaded.api, "A") else { panic!() };
    assert_eq!(a.fields[0].doc.as_deref(), Some("The B of this A."));
    assert!(matches!(a.fields[0].ty, Ty::Named(_)));
    assert_eq!(field_ty(&loaded.api, "B", "c"), Ty::Integer(IntFormat::Int32));
}

#[test]
fn webhooks_are_read_without_operations() {
    let loaded = load_ok(
        "openapi: 3.1.0\ninfo: {title: T, version: \"1\"}\nwebhooks:\n  newPet:\n    post:\n      responses:\n        \"200\": {description: ok}\n",
    );
    assert!(loaded.api.operations.is_empty());
}

#[test]
fn examples_and_annotations_do_not_change_types() {
    let loaded = load_ok(&with_schemas(
        "3.1.0",
        "    A:\n      type: object\n      properties:\n        n: {type: integer, examples: [1, 2], exclusiveMinimum: 0}\n",
    ));
    assert_eq!(field_ty(&loaded.api, "A", "n"), Ty::Integer(IntFormat::Int64));
}

#[test]
fn openapi_3_2_is_read_as_3_1_with_a_warning() {
    let loaded = load_ok(
        "openapi: 3.2.0\ninfo: {title: T, version: \"1\"}\npaths:\n  /a:\n    query:\n      responses:\n        \"200\": {description: ok}\n",
    );
    insta::assert_snapshot!(loaded.render_warnings(sync_build::Style::Plain));
}

#[test]
fn swagger_2_is_rejected_by_name() {
    insta::assert_snapshot!(load_err("swagger: \"2.0\"\ninfo: {title: T, version: \"1\"}\npaths: {}\n"));
}

#[test]
fn unknown_versions_are_rejected() {
    insta::assert_snapshot!(load_err("openapi: 4.0.0\ninfo: {title: T, version: \"1\"}\npaths: {}\n"));
}

#[test]
fn a_document_without_a_version_is_not_openapi() {
    insta::assert_snapshot!(load_err("info: {title: T, version: \"1\"}\npaths: {}\n"));
}

#[test]
fn invalid_yaml_is_located() {
    insta::assert_snapshot!(load_err("openapi: 3.1.0\ninfo:\n  title: [unclosed\n  version: 1\n"));
}

#[test]
fn invalid_json_is_located() {
    let error = match sync_build::load_text(
        "spec.json",
        "{\n  \"openapi\": \"3.1.0\",\n  \"info\": {\"title\": \"T\" \"version\": \"1\"}\n}",
    ) {
        Ok(_) => panic!("must fail"),
        Err(error) => error.render(sync_build::Style::Plain),
    };
    insta::assert_snapshot!(error);
}

#[test]
fn dangling_refs_are_errors_at_the_ref() {
    insta::assert_snapshot!(load_err(&with_schemas(
        "3.0.3",
        "    A:\n      type: object\n      properties:\n        b: {$ref: \"#/components/schemas/Missing\"}\n"
    )));
}

#[test]
fn json_and_yaml_give_the_same_model() {
    let yaml = load_ok(&with_schemas(
        "3.1.0",
        "    A:\n      type: object\n      required: [id]\n      properties:\n        id: {type: string, format: uuid}\n        tags: {type: array, items: {type: string}}\n",
    ));
    let json = sync_build::load_text(
        "spec.json",
        r#"{"openapi":"3.1.0","info":{"title":"T","version":"1"},"paths":{},"components":{"schemas":{"A":{"type":"object","required":["id"],"properties":{"id":{"type":"string","format":"uuid"},"tags":{"type":"array","items":{"type":"string"}}}}}}}"#,
    )
    .unwrap();
    assert_eq!(yaml.api.types, json.api.types);
}

#[test]
fn all_of_merges_fields_and_required() {
    let loaded = load_ok(&with_schemas(
        "3.0.3",
        "    Pet:\n      type: object\n      required: [name]\n      properties:\n        name: {type: string}\n    Cat:\n      allOf:\n        - $ref: \"#/components/schemas/Pet\"\n        - type: object\n          required: [lives]\n          properties:\n            lives: {type: integer}\n",
    ));
    let TypeKind::Struct(cat) = type_named(&loaded.api, "Cat") else { panic!() };
    let fields: Vec<(&str, bool)> = cat.fields.iter().map(|f| (f.name.as_str(), f.required)).collect();
    assert_eq!(fields, [("name", true), ("lives", true)]);
}

#[test]
fn one_of_with_a_discriminator_maps_tags_to_variants() {
    let loaded = load_ok(&with_schemas(
        "3.0.3",
        "    Pet:\n      oneOf: [{$ref: \"#/components/schemas/Cat\"}, {$ref: \"#/components/schemas/Dog\"}]\n      discriminator:\n        propertyName: kind\n        mapping: {cat: \"#/components/schemas/Cat\", kitty: Cat}\n    Cat: {type: object, properties: {kind: {type: string}}}\n    Dog: {type: object, properties: {kind: {type: string}}}\n",
    ));
    let TypeKind::Union(pet) = type_named(&loaded.api, "Pet") else { panic!() };
    assert_eq!(pet.kind, UnionKind::OneOf);
    assert_eq!(pet.discriminator.as_deref(), Some("kind"));
    let tags: Vec<(&str, Vec<String>)> = pet.variants.iter().map(|v| (v.name.as_str(), v.tags.clone())).collect();
    assert_eq!(tags, [("Cat", vec!["cat".to_owned(), "kitty".to_owned()]), ("Dog", vec!["Dog".to_owned()])]);
}

#[test]
fn recursive_schemas_refer_to_themselves() {
    let loaded = load_ok(&with_schemas(
        "3.0.3",
        "    Node:\n      type: object\n      properties:\n        children: {type: array, items: {$ref: \"#/components/schemas/Node\"}}\n",
    ));
    let node = loaded.api.types.iter().position(|t| t.name == "Node").unwrap();
    assert_eq!(
        field_ty(&loaded.api, "Node", "children"),
        Ty::Array(Box::new(Ty::Named(sync_build::model::TypeId(node))))
    );
}

#[test]
fn inline_objects_and_enums_are_named_from_where_they_stand() {
    let loaded = load_ok(&with_schemas(
        "3.1.0",
        "    Contact:\n      type: object\n      properties:\n        address: {type: object, properties: {city: {type: string}}}\n        status: {type: string, enum: [active, archived]}\n        labels: {type: object, additionalProperties: {type: string}}\n    ContactAddress: {type: string}\n",
    ));
    // The component keeps its name; the inline object takes the next free one.
    assert!(matches!(type_named(&loaded.api, "ContactAddress"), TypeKind::Alias(Ty::String(_))));
    assert!(matches!(type_named(&loaded.api, "ContactAddress2"), TypeKind::Struct(_)));
    let TypeKind::Enum(status) = type_named(&loaded.api, "ContactStatus") else { panic!() };
    assert_eq!(status.values, [EnumValue::String("active".into()), EnumValue::String("archived".into())]);
    assert_eq!(field_ty(&loaded.api, "Contact", "labels"), Ty::Map(Box::new(Ty::String(StringFormat::Plain))));
}

#[test]
fn relative_file_refs_are_followed() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/split/openapi.yaml");
    let loaded = sync_build::load(&path).unwrap();
    assert_eq!(loaded.api.source_files.len(), 2);
    assert_eq!(loaded.api.resources[0].key.ty, Ty::String(StringFormat::Uuid));
    assert!(matches!(field_ty(&loaded.api, "Contact", "address"), Ty::Named(_)));
    assert!(matches!(type_named(&loaded.api, "Address"), TypeKind::Struct(_)));
}

#[test]
fn a_response_without_description_is_a_warning_not_an_error() {
    let loaded = load_ok(
        "openapi: 3.0.0\ninfo: {title: T, version: \"1\"}\npaths:\n  /:\n    get:\n      responses:\n        200:\n          content:\n            application/json:\n              schema: {type: string}\n",
    );
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.api.operations[0].success().unwrap().body.as_ref().unwrap().ty, Ty::String(StringFormat::Plain));
}

#[test]
fn ref_cycles_without_a_schema_are_errors() {
    insta::assert_snapshot!(load_err(&with_schemas(
        "3.1.0",
        "    A: {$ref: \"#/components/schemas/B\"}\n    B: {$ref: \"#/components/schemas/A\"}\n"
    )));
}
