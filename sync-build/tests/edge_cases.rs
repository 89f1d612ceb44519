//! Inputs that once lowered wrongly or crashed: each pinned by a test.

mod common;

use common::{field_ty, load_err, load_ok, type_named};
use sync_build::model::{EnumValue, Ty, TypeKind};

fn with_schemas(schemas: &str) -> String {
    format!("openapi: 3.1.0\ninfo: {{title: T, version: \"1\"}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}")
}

#[test]
fn a_very_long_reference_chain_does_not_exhaust_the_stack() {
    let schemas: String = (0..5_000)
        .map(|i| {
            format!("    S{i}: {{type: object, properties: {{next: {{$ref: '#/components/schemas/S{}'}}}}}}\n", i + 1)
        })
        .collect();
    let loaded = load_ok(&with_schemas(&format!("{schemas}    S5000: {{type: string}}\n")));
    assert_eq!(loaded.api.types.len(), 5_001);
    assert!(matches!(field_ty(&loaded.api, "S4999", "next"), Ty::Named(_)));
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = "x-a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n".to_owned();
    for i in 1..9 {
        text.push_str(&format!("x-a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(",")));
    }
    let error = load_err(&text);
    assert!(error.contains("aliases expand to too large a document"), "{error}");
}

#[test]
fn yaml_keys_are_names_as_written() {
    let loaded = load_ok(&with_schemas(
        "    Obj:\n      type: object\n      properties:\n        null: {type: string}\n        1.0: {type: string}\n        010: {type: string}\n",
    ));
    let TypeKind::Struct(obj) = type_named(&loaded.api, "Obj") else { panic!() };
    let names: Vec<&str> = obj.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["null", "1.0", "010"]);
}

#[test]
fn numbers_in_a_string_enum_stay_as_written() {
    let loaded = load_ok(&with_schemas("    Code: {type: string, enum: [01, 02, 10]}\n"));
    let TypeKind::Enum(code) = type_named(&loaded.api, "Code") else { panic!() };
    assert_eq!(code.values, ["01", "02", "10"].map(|v| EnumValue::String(v.into())));
}

#[test]
fn an_unquoted_short_version_is_read_as_written() {
    load_ok("openapi: 3.0\ninfo: {title: T, version: '1'}\npaths: {}\n");
}

#[test]
fn component_names_that_case_alike_stay_apart() {
    let loaded = load_ok(&with_schemas(
        "    pet_owner: {type: object, properties: {a: {type: string}}}\n    PetOwner: {type: object, properties: {b: {type: string}}}\n",
    ));
    let names: Vec<&str> = loaded.api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["PetOwner", "PetOwner2"]);
    assert!(matches!(field_ty(&loaded.api, "PetOwner2", "b"), Ty::String(_)));
}

#[test]
fn all_of_required_does_not_depend_on_part_order() {
    for parts in [
        "[{required: [id]}, {$ref: '#/components/schemas/Base'}]",
        "[{$ref: '#/components/schemas/Base'}, {required: [id]}]",
    ] {
        let loaded = load_ok(&with_schemas(&format!(
            "    Base: {{type: object, properties: {{id: {{type: string}}}}}}\n    A: {{allOf: {parts}}}\n"
        )));
        let TypeKind::Struct(a) = type_named(&loaded.api, "A") else { panic!() };
        assert!(a.fields[0].required, "{parts}");
    }
}

#[test]
fn implicit_discriminator_tags_are_the_schema_keys_or_the_variant_constants() {
    let loaded = load_ok(&with_schemas(
        "    Pet:\n      oneOf:\n        - $ref: '#/components/schemas/dog_v1'\n        - {type: object, properties: {kind: {const: cat}}}\n      discriminator: {propertyName: kind}\n    dog_v1: {type: object, properties: {kind: {type: string}}}\n",
    ));
    let TypeKind::Union(pet) = type_named(&loaded.api, "Pet") else { panic!() };
    let tags: Vec<&[String]> = pet.variants.iter().map(|v| v.tags.as_slice()).collect();
    assert_eq!(tags, [&["dog_v1".to_owned()][..], &["cat".to_owned()][..]]);
}

#[test]
fn numbered_operation_names_never_collide() {
    let loaded = load_ok(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get: {operationId: getFoo, responses: {'200': {description: ok}}}\n  /b:\n    get: {operationId: getFoo, responses: {'200': {description: ok}}}\n  /c:\n    get: {operationId: getFoo2, responses: {'200': {description: ok}}}\n",
    );
    let mut names: Vec<&str> = loaded.api.operations.iter().map(|o| o.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn percent_encoded_references_name_the_same_type() {
    let loaded = load_ok(&with_schemas(
        "    Foo Bar: {type: object, properties: {a: {type: string}}}\n    Holder:\n      type: object\n      properties:\n        x: {$ref: '#/components/schemas/Foo%20Bar'}\n        y: {$ref: '#/components/schemas/Foo Bar'}\n",
    ));
    assert_eq!(field_ty(&loaded.api, "Holder", "x"), field_ty(&loaded.api, "Holder", "y"));
    assert_eq!(loaded.api.types.len(), 2);
}

#[test]
fn item_paths_join_whatever_their_parameters_are_called() {
    let loaded = load_ok(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /orgs/{org}/members:\n    x-sync: live\n    parameters: [{name: org, in: path, required: true, schema: {type: string}}]\n    get:\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/M'}}}}}}\n  /orgs/{orgId}/members/{id}:\n    parameters: [{name: orgId, in: path, required: true, schema: {type: string}}, {name: id, in: path, required: true, schema: {type: string}}]\n    delete: {responses: {'204': {description: gone}}}\ncomponents:\n  schemas:\n    M: {type: object, required: [id], properties: {id: {type: string}}}\n",
    );
    let resource = &loaded.api.resources[0];
    assert_eq!(resource.item_path.as_deref(), Some("/orgs/{orgId}/members/{id}"));
    assert!(resource.delete.is_some());
}

#[test]
fn a_component_that_only_points_at_a_file_takes_its_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/component-ref/openapi.yaml");
    let loaded = sync_build::load(&path).unwrap();
    let names: Vec<&str> = loaded.api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Contact"]);
    assert_eq!(loaded.api.types[0].doc.as_deref(), Some("A person."));
    assert_eq!(loaded.api.resources[0].item, sync_build::model::TypeId(0));
}

#[test]
fn a_byte_order_mark_is_not_a_column() {
    let text = "\u{feff}{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"t\", \"version\": \"1\"}, \"x-sync\": \"liev\", \"paths\": {}}";
    let error = match sync_build::load_text("spec.json", text) {
        Ok(_) => panic!("must fail"),
        Err(error) => error.render(sync_build::Style::Plain),
    };
    assert!(error.contains("spec.json:1:72"), "{error}");
    assert!(!error.contains('\u{feff}'), "{error}");
}

#[test]
fn the_union_of_a_nullable_oneof_keeps_its_variants() {
    let loaded = load_ok(&with_schemas(
        "    Pet:\n      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}, {type: 'null'}]\n    Cat: {type: object, properties: {a: {type: string}}}\n    Dog: {type: object, properties: {b: {type: string}}}\n    Home:\n      type: object\n      properties:\n        pet: {$ref: '#/components/schemas/Pet'}\n",
    ));
    let TypeKind::Union(pet) = type_named(&loaded.api, "Pet") else { panic!("the union was overwritten") };
    assert_eq!(pet.variants.len(), 2);
    assert!(matches!(field_ty(&loaded.api, "Home", "pet"), Ty::Nullable(_)));
}
