//! The x-sync vocabulary, one rule per test (docs/x-sync.md describes the same rules).

mod common;

use common::{contacts, load_err, load_ok, spec};
use sync_build::model::{ListItems, Method, SyncMode, SyncSource};

#[test]
fn without_x_sync_everything_is_push() {
    let loaded = load_ok(&spec(&contacts(""), ""));
    let resource = &loaded.api.resources[0];
    assert_eq!(resource.mode, SyncMode::Push);
    assert!(loaded.api.operations.iter().all(|op| op.sync == SyncMode::Push));
}

#[test]
fn live_on_the_collection_path_makes_the_whole_resource_live() {
    let loaded = load_ok(&spec(&contacts("    x-sync: live\n"), ""));
    let api = &loaded.api;
    let resource = &api.resources[0];
    assert_eq!(resource.mode, SyncMode::Live);
    assert_eq!(resource.name, "contacts");
    assert_eq!(resource.singular, "contact");
    assert_eq!(resource.collection_path, "/contacts");
    assert_eq!(resource.item_path.as_deref(), Some("/contacts/{id}"));
    assert_eq!(resource.key.field, "id");
    assert_eq!(resource.key.param.as_deref(), Some("id"));
    assert_eq!(api.type_def(resource.item).name, "Contact");
    assert_eq!(resource.list_items, ListItems::Array);
    assert_eq!(resource.source, SyncSource::Rest);
    // The item path's operations join the resource, and its mode, without saying so.
    let roles: Vec<_> = resource.operations().map(|(role, id)| (role.as_str(), api.operation(id).method)).collect();
    assert_eq!(
        roles,
        [
            ("list", Method::Get),
            ("get", Method::Get),
            ("create", Method::Post),
            ("update", Method::Patch),
            ("delete", Method::Delete)
        ]
    );
    assert!(resource.operations().all(|(_, id)| api.operation(id).sync == SyncMode::Live));
    // PUT is not the update (PATCH is preferred) and stays a plain push call.
    let put = api.operations.iter().find(|op| op.method == Method::Put).unwrap();
    assert_eq!(put.sync, SyncMode::Push);
}

#[test]
fn x_sync_on_the_operation_overrides_its_path() {
    // Live on the list operation alone makes the resource live; its members follow.
    let paths = contacts("").replacen("    get:\n      responses", "    get:\n      x-sync: live\n      responses", 1);
    let loaded = load_ok(&spec(&paths, ""));
    let api = &loaded.api;
    assert_eq!(api.resources[0].mode, SyncMode::Live);
    assert!(api.resources[0].operations().all(|(_, id)| api.operation(id).sync == SyncMode::Live));
    // Push on an operation under a live path: that operation is push.
    let paths = contacts("    x-sync: live\n").replace("    put:\n", "    put:\n      x-sync: push\n");
    let loaded = load_ok(&spec(&paths, ""));
    let put = loaded.api.operations.iter().find(|op| op.method == Method::Put).unwrap();
    assert_eq!(put.sync, SyncMode::Push);
    assert!(loaded.warnings.is_empty());
}

#[test]
fn an_extra_operation_on_a_live_item_path_stays_push_with_a_warning() {
    let paths = contacts("    x-sync: live\n").replace("  /contacts/{id}:\n", "  /contacts/{id}:\n    x-sync: live\n");
    let loaded = load_ok(&spec(&paths, ""));
    let put = loaded.api.operations.iter().find(|op| op.method == Method::Put).unwrap();
    assert_eq!(put.sync, SyncMode::Push);
    insta::assert_snapshot!(loaded.render_warnings(sync_build::Style::Plain));
}

#[test]
fn a_root_default_makes_resources_live_and_leaves_other_paths_push() {
    let paths = format!(
        "{}  /analytics:\n    get:\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, properties: {{count: {{type: integer}}}}}}\n",
        contacts("")
    );
    let text = spec(&paths, "").replace("paths:\n", "x-sync: live\npaths:\n");
    let loaded = load_ok(&text);
    assert_eq!(loaded.api.resources.len(), 1);
    assert_eq!(loaded.api.resources[0].mode, SyncMode::Live);
    let analytics = loaded.api.operations.iter().find(|op| op.path == "/analytics").unwrap();
    assert_eq!(analytics.sync, SyncMode::Push);
}

#[test]
fn an_unknown_mode_is_an_error_with_a_suggestion() {
    insta::assert_snapshot!(load_err(&spec(&contacts("    x-sync: liev\n"), "")));
}

#[test]
fn a_mode_that_is_not_a_string_is_an_error() {
    insta::assert_snapshot!(load_err(&spec(&contacts("    x-sync: true\n"), "")));
}

#[test]
fn live_on_a_path_without_a_list_is_an_error() {
    let paths = "  /analytics:\n    x-sync: live\n    get:\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {type: object, properties: {count: {type: integer}}}\n";
    insta::assert_snapshot!(load_err(&spec(paths, "")));
}

#[test]
fn live_on_a_path_with_no_get_is_an_error() {
    let paths =
        "  /events:\n    x-sync: live\n    post:\n      responses:\n        \"204\":\n          description: ok\n";
    insta::assert_snapshot!(load_err(&spec(paths, "")));
}

#[test]
fn live_items_must_be_objects() {
    let paths = "  /tags:\n    x-sync: live\n    get:\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {type: array, items: {type: string}}\n";
    insta::assert_snapshot!(load_err(&spec(paths, "")));
}

#[test]
fn live_items_need_a_key_field() {
    let text = spec(&contacts("    x-sync: live\n"), "")
        .replace("        id: {type: string}\n", "        uid: {type: string}\n")
        .replace("required: [id]", "required: [uid]");
    insta::assert_snapshot!(load_err(&text));
}

#[test]
fn x_sync_key_names_another_key_field() {
    let text = spec(&contacts("    x-sync: live\n    x-sync-key: uid\n"), "")
        .replace("        id: {type: string}\n", "        uid: {type: string, format: uuid}\n");
    let loaded = load_ok(&text);
    assert_eq!(loaded.api.resources[0].key.field, "uid");
    assert_eq!(loaded.api.resources[0].key.ty, sync_build::model::Ty::String(sync_build::model::StringFormat::Uuid));
}

#[test]
fn x_sync_items_names_the_array_inside_a_list_object() {
    let paths = "  /contacts:\n    x-sync: live\n    x-sync-items: data\n    get:\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  data: {type: array, items: {$ref: \"#/components/schemas/Contact\"}}\n                  next: {type: string}\n";
    let loaded = load_ok(&spec(paths, ""));
    let resource = &loaded.api.resources[0];
    assert_eq!(resource.list_items, ListItems::Field("data".into()));
    assert_eq!(loaded.api.type_def(resource.item).name, "Contact");
}

#[test]
fn x_sync_items_must_name_an_array_field() {
    let paths = "  /contacts:\n    x-sync: live\n    x-sync-items: next\n    get:\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  data: {type: array, items: {$ref: \"#/components/schemas/Contact\"}}\n                  next: {type: string}\n";
    insta::assert_snapshot!(load_err(&spec(paths, "")));
}

#[test]
fn a_member_that_contradicts_its_resource_is_an_error() {
    let paths = contacts("    x-sync: live\n").replace("    delete:\n", "    delete:\n      x-sync: push\n");
    insta::assert_snapshot!(load_err(&spec(&paths, "")));
}

#[test]
fn x_sync_shape_names_the_table_the_rows_stream_from() {
    let extra = "    x-sync: live\n    x-sync-shape:\n      table: contacts\n      where: \"owner = 'me'\"\n      columns: [id, name]\n";
    let loaded = load_ok(&spec(&contacts(extra), ""));
    let SyncSource::Shape(shape) = &loaded.api.resources[0].source else {
        panic!("expected a shape source");
    };
    assert_eq!(shape.table, "contacts");
    assert_eq!(shape.where_clause.as_deref(), Some("owner = 'me'"));
    assert_eq!(shape.columns, ["id", "name"]);
}

#[test]
fn x_sync_shape_needs_a_table() {
    insta::assert_snapshot!(load_err(&spec(&contacts("    x-sync: live\n    x-sync-shape: {where: \"a = 1\"}\n"), "")));
}

#[test]
fn resources_without_an_item_path_have_list_and_create_only() {
    let paths = "  /notes:\n    x-sync: live\n    get:\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json:\n              schema: {type: array, items: {$ref: \"#/components/schemas/Contact\"}}\n";
    let loaded = load_ok(&spec(paths, ""));
    let resource = &loaded.api.resources[0];
    assert_eq!(resource.item_path, None);
    assert_eq!(resource.key.param, None);
    assert_eq!(resource.operations().count(), 1);
}

#[test]
fn an_item_path_addressed_by_another_type_than_the_key_is_not_joined() {
    let text = spec(&contacts("    x-sync: live\n"), "")
        .replace("        id: {type: string}\n", "        id: {type: integer}\n");
    let loaded = load_ok(&text);
    let resource = &loaded.api.resources[0];
    assert_eq!(resource.item_path, None);
    assert_eq!((resource.get, resource.update, resource.delete), (None, None, None));
    insta::assert_snapshot!(loaded.render_warnings(sync_build::Style::Plain));
}
