//! The passes over the finished model: read and write shapes, merged duplicate types, subsets
//! of an API, and open enums.

mod common;

use common::{corpus, load_ok, type_named};
use sync_build::model::{Api, Ty, TypeKind};
use sync_build::{ModelOptions, Style, Subset};

fn field_names(api: &Api, type_name: &str) -> Vec<String> {
    match type_named(api, type_name) {
        TypeKind::Struct(s) => s.fields.iter().map(|f| f.name.clone()).collect(),
        other => panic!("`{type_name}` is not a struct: {other:?}"),
    }
}

fn named(api: &Api, ty: &Ty) -> String {
    match ty {
        Ty::Named(id) => api.type_def(*id).name.clone(),
        Ty::Array(inner) => format!("[{}]", named(api, inner)),
        other => format!("{other:?}"),
    }
}

const ACCOUNTS: &str = r##"openapi: 3.1.0
info: {title: Accounts, version: "1"}
paths:
  /accounts:
    get:
      operationId: listAccounts
      responses:
        "200":
          description: All.
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Account"}}
    post:
      operationId: createAccount
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Account"}
      responses:
        "201":
          description: Made.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Account"}
components:
  schemas:
    Account:
      type: object
      required: [id, email, password, profile, createdAt]
      properties:
        id: {type: string, readOnly: true}
        email: {type: string}
        password: {type: string, writeOnly: true}
        createdAt: {type: string, format: date-time, readOnly: true}
        profile: {$ref: "#/components/schemas/Profile"}
        tags: {type: array, items: {$ref: "#/components/schemas/Tag"}}
    Profile:
      type: object
      properties:
        displayName: {type: string}
        avatarUrl: {type: string, readOnly: true}
    Tag:
      type: object
      properties:
        label: {type: string}
"##;

#[test]
fn responses_decode_the_read_shape_and_requests_send_the_write_shape() {
    let api = load_ok(ACCOUNTS).api;
    // The read shape keeps the spec's name and loses the write-only field.
    assert_eq!(field_names(&api, "Account"), ["id", "email", "createdAt", "profile", "tags"]);
    assert_eq!(field_names(&api, "Profile"), ["displayName", "avatarUrl"]);
    // The write shape loses the read-only fields, nested ones included.
    assert_eq!(field_names(&api, "AccountInput"), ["email", "password", "profile", "tags"]);
    assert_eq!(field_names(&api, "ProfileInput"), ["displayName"]);
    let create = api.operations.iter().find(|op| op.name == "createAccount").unwrap();
    assert_eq!(named(&api, &create.body.as_ref().unwrap().ty), "AccountInput");
    assert_eq!(named(&api, &create.success().unwrap().body.as_ref().unwrap().ty), "Account");
    let TypeKind::Struct(input) = type_named(&api, "AccountInput") else { unreachable!() };
    let profile = input.fields.iter().find(|f| f.name == "profile").unwrap();
    assert_eq!(named(&api, &profile.ty), "ProfileInput");
    // A type whose two forms coincide stays one type, used by both.
    let tags = input.fields.iter().find(|f| f.name == "tags").unwrap();
    assert_eq!(named(&api, &tags.ty), "[Tag]");
    assert!(!api.types.iter().any(|t| t.name == "TagInput"));
}

#[test]
fn write_shapes_exist_only_where_a_request_uses_them() {
    // Only responses use `Account`: no `AccountInput` is made.
    let spec = ACCOUNTS.replace("    post:\n      operationId: createAccount\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {$ref: \"#/components/schemas/Account\"}\n", "    post:\n      operationId: createAccount\n");
    let api = load_ok(&spec).api;
    assert!(
        !api.types.iter().any(|t| t.name.ends_with("Input")),
        "{:?}",
        api.types.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
}

#[test]
fn a_write_shape_name_already_taken_is_numbered() {
    let spec = format!(
        "{ACCOUNTS}    AccountInput:\n      type: object\n      properties:\n        other: {{type: integer}}\n"
    );
    let api = load_ok(&spec).api;
    assert_eq!(field_names(&api, "AccountInput"), ["other"]);
    assert_eq!(field_names(&api, "AccountInput2"), ["email", "password", "profile", "tags"]);
}

const REPEATS: &str = r##"openapi: 3.1.0
info: {title: Repeats, version: "1"}
paths: {}
components:
  schemas:
    Team:
      type: object
      properties:
        permission: {type: string, enum: [read, write]}
        owner: {type: object, properties: {login: {type: string}, permission: {type: string, enum: [read, write]}}}
    Org:
      type: object
      properties:
        permission: {type: string, enum: [read, write]}
        owner: {type: object, properties: {login: {type: string}, permission: {type: string, enum: [read, write]}}}
    Other:
      type: object
      properties:
        permission: {type: string, enum: [read, write, admin]}
"##;

#[test]
fn identical_types_are_defined_once_and_keep_their_names_as_aliases() {
    let api = load_ok(REPEATS).api;
    let alias_of = |name: &str| match type_named(&api, name) {
        TypeKind::Alias(Ty::Named(id)) => Some(api.type_def(*id).name.clone()),
        _ => None,
    };
    // The first of each shape is kept; later copies point at it, whole objects included once
    // what they hold has merged.
    assert_eq!(alias_of("TeamPermission"), None);
    assert_eq!(alias_of("OrgPermission").as_deref(), Some("TeamPermission"));
    assert_eq!(alias_of("TeamOwnerPermission").as_deref(), Some("TeamPermission"));
    assert_eq!(alias_of("OrgOwner").as_deref(), Some("TeamOwner"));
    assert_eq!(alias_of("Org").as_deref(), Some("Team"));
    // A different value list is a different type.
    assert_eq!(alias_of("OtherPermission"), None);
}

fn load_options(text: &str, options: &ModelOptions) -> Result<sync_build::Loaded, String> {
    sync_build::load_text_with("spec.yaml", text, options).map_err(|e| e.render(Style::Plain))
}

#[test]
fn a_subset_keeps_the_selected_operations_and_only_the_types_they_reach() {
    let github = std::fs::read_to_string(corpus().join("github-api.json")).unwrap();
    let options = ModelOptions {
        subset: Some(Subset { tags: vec!["issues".into()], ..Subset::default() }),
        ..ModelOptions::default()
    };
    let whole = load_options(&github, &ModelOptions::default()).unwrap().api;
    let part = load_options(&github, &options).unwrap().api;
    assert!(!part.operations.is_empty());
    assert!(part.operations.iter().all(|op| op.tags.iter().any(|t| t == "issues")));
    assert_eq!(
        part.operations.len(),
        whole.operations.iter().filter(|op| op.tags.iter().any(|t| t == "issues")).count()
    );
    assert!(part.types.len() * 3 < whole.types.len(), "{} of {} types", part.types.len(), whole.types.len());
    assert!(part.types.iter().any(|t| t.name == "Issue"));
    // Every id still points inside the model.
    for resource in &part.resources {
        assert!(resource.item.0 < part.types.len());
        for (_, op) in resource.operations() {
            assert!(op.0 < part.operations.len());
        }
    }

    let by_path = ModelOptions {
        subset: Some(Subset {
            paths: vec!["/gists".into()],
            operations: vec!["meta/root".into()],
            ..Subset::default()
        }),
        ..ModelOptions::default()
    };
    let part = load_options(&github, &by_path).unwrap().api;
    assert!(part.operations.iter().all(|op| op.path.starts_with("/gists") || op.name == "meta/root"));
    assert!(part.operations.iter().any(|op| op.name == "meta/root"));
}

#[test]
fn a_selector_that_matches_nothing_is_an_error_naming_what_exists() {
    let github = std::fs::read_to_string(corpus().join("github-api.json")).unwrap();
    let typo = ModelOptions {
        subset: Some(Subset { tags: vec!["isues".into()], ..Subset::default() }),
        ..ModelOptions::default()
    };
    let message = load_options(&github, &typo).unwrap_err();
    assert!(message.contains("tag `isues` matches no operation"), "{message}");
    assert!(message.contains("`issues`"), "{message}");
    let prefix = ModelOptions {
        subset: Some(Subset { paths: vec!["/repo".into()], ..Subset::default() }),
        ..ModelOptions::default()
    };
    let message = load_options(&github, &prefix).unwrap_err();
    assert!(message.contains("path prefix `/repo` matches no operation"), "{message}");
    assert!(message.contains("`/repos`"), "{message}");
}

const ENUMS: &str = r##"openapi: 3.1.0
info: {title: Enums, version: "1"}
paths: {}
components:
  schemas:
    State: {type: string, enum: [open, closed]}
    Closed: {type: string, enum: [a, b], x-enum-open: false}
    Extensible: {type: string, enum: [a, b], x-extensible-enum: [a, b]}
"##;

#[test]
fn enums_are_open_by_default_and_closed_by_the_strict_switch_or_the_spec() {
    let open = |api: &Api, name: &str| match type_named(api, name) {
        TypeKind::Enum(e) => e.open,
        other => panic!("{other:?}"),
    };
    let api = load_ok(ENUMS).api;
    assert!(open(&api, "State"));
    assert!(!open(&api, "Closed"));
    assert!(open(&api, "Extensible"));
    let strict = load_options(ENUMS, &ModelOptions { strict_enums: true, ..ModelOptions::default() }).unwrap().api;
    assert!(!open(&strict, "State"));
    assert!(!open(&strict, "Closed"));
    // What the spec marks open stays open.
    assert!(open(&strict, "Extensible"));
}
