//! Emitter tests on hand-built models. Output compiling and staying prettier-formatted is
//! checked by tests/typescript (real tsc, real prettier, real TanStack packages).

use super::{TypeScriptOptions, emit};
use crate::model::*;

fn field(name: &str, ty: Ty, required: bool) -> Field {
    Field {
        name: name.into(),
        ty,
        required,
        doc: None,
        deprecated: false,
        read_only: false,
        write_only: false,
        default: None,
    }
}

fn named(name: &str, doc: Option<&str>, kind: TypeKind) -> TypeDef {
    TypeDef { name: name.into(), doc: doc.map(str::to_owned), deprecated: false, kind }
}

fn op(name: &str, method: Method, path: &str, params: Vec<Param>, body: Option<Ty>, reply: Option<Ty>) -> Operation {
    Operation {
        name: name.into(),
        method,
        path: path.into(),
        segments: Vec::new(),
        summary: None,
        doc: None,
        deprecated: false,
        tags: Vec::new(),
        params,
        body: body.map(|ty| RequestBody {
            content_type: "application/json".into(),
            media: MediaKind::Json,
            ty,
            required: true,
            doc: None,
            encoding: Vec::new(),
        }),
        responses: vec![Response {
            status: Status::Code(if reply.is_some() { 200 } else { 204 }),
            doc: None,
            body: reply.map(|ty| ResponseBody { content_type: "application/json".into(), media: MediaKind::Json, ty }),
        }],
        sync: SyncMode::Push,
    }
}

fn id_param() -> Param {
    Param {
        name: "id".into(),
        location: ParamLocation::Path,
        required: true,
        ty: Ty::String(StringFormat::Uuid),
        doc: None,
        deprecated: false,
        style: ParamStyle::Simple,
        explode: false,
    }
}

/// Contacts with the five resource operations, in `mode`.
fn contacts(mode: SyncMode, source: SyncSource) -> Api {
    let contact = TypeId(0);
    let new_contact = TypeId(1);
    let types = vec![
        named(
            "Contact",
            Some("A person. Never */ closes the comment."),
            TypeKind::Struct(Struct {
                fields: vec![
                    field("id", Ty::String(StringFormat::Uuid), true),
                    field("name", Ty::String(StringFormat::Plain), true),
                    field("phone", Ty::Nullable(Box::new(Ty::String(StringFormat::Plain))), false),
                    field("x-rank", Ty::Integer(IntFormat::Int32), false),
                ],
                additional: None,
            }),
        ),
        named(
            "NewContact",
            None,
            TypeKind::Struct(Struct {
                fields: vec![
                    field("id", Ty::String(StringFormat::Uuid), false),
                    field("name", Ty::String(StringFormat::Plain), true),
                ],
                additional: None,
            }),
        ),
        named(
            "Error",
            None,
            TypeKind::Struct(Struct {
                fields: vec![field("message", Ty::String(StringFormat::Plain), true)],
                additional: None,
            }),
        ),
    ];
    let list = Ty::Array(Box::new(Ty::Named(contact)));
    let operations = vec![
        op("listContacts", Method::Get, "/contacts", vec![], None, Some(list)),
        op("createContact", Method::Post, "/contacts", vec![], Some(Ty::Named(new_contact)), Some(Ty::Named(contact))),
        op("getContact", Method::Get, "/contacts/{id}", vec![id_param()], None, Some(Ty::Named(contact))),
        op(
            "updateContact",
            Method::Patch,
            "/contacts/{id}",
            vec![id_param()],
            Some(Ty::Named(new_contact)),
            Some(Ty::Named(contact)),
        ),
        op("deleteContact", Method::Delete, "/contacts/{id}", vec![id_param()], None, None),
    ];
    Api {
        info: Info { title: "Contacts".into(), version: "1".into(), description: None },
        source_files: Vec::new(),
        servers: vec!["https://api.example.com".into()],
        types,
        operations,
        resources: vec![Resource {
            name: "contacts".into(),
            singular: "contact".into(),
            mode,
            collection_path: "/contacts".into(),
            item_path: Some("/contacts/{id}".into()),
            item: contact,
            key: Key { field: "id".into(), ty: Ty::String(StringFormat::Uuid), param: Some("id".into()) },
            list: OperationId(0),
            list_items: ListItems::Array,
            get: Some(OperationId(2)),
            create: Some(OperationId(1)),
            update: Some(OperationId(3)),
            delete: Some(OperationId(4)),
            source,
        }],
    }
}

fn file(api: &Api, name: &str) -> String {
    emit(api, &TypeScriptOptions::default())
        .into_iter()
        .find(|f| f.path.to_str() == Some(name))
        .unwrap_or_else(|| panic!("{name} is generated"))
        .contents
}

/// The exported hook signatures of `resources.ts`, from `export function` to the body's `{`.
fn hook_signatures(resources: &str) -> Vec<String> {
    let mut signatures = Vec::new();
    let mut current: Option<String> = None;
    for line in resources.lines() {
        if line.starts_with("export function ") {
            current = Some(String::new());
        }
        if let Some(signature) = current.as_mut() {
            signature.push_str(line);
            if line.ends_with('{') {
                signatures.push(current.take().unwrap_or_default());
            }
        }
    }
    signatures
}

#[test]
fn flipping_a_resource_between_push_and_live_keeps_every_hook_signature() {
    let push = hook_signatures(&file(&contacts(SyncMode::Push, SyncSource::Rest), "resources.ts"));
    let live = hook_signatures(&file(&contacts(SyncMode::Live, SyncSource::Rest), "resources.ts"));
    let shape = SyncSource::Shape(Shape { table: "contacts".into(), where_clause: None, columns: Vec::new() });
    let streamed = hook_signatures(&file(&contacts(SyncMode::Live, shape), "resources.ts"));
    assert_eq!(push.len(), 5, "list, item, create, update and delete hooks: {push:#?}");
    assert_eq!(push, live);
    assert_eq!(push, streamed);
    assert!(push[0].contains("useContacts(  options: ResourceOptions = {},): ListResult<Contact>"), "{}", push[0]);
}

#[test]
fn push_and_live_use_their_own_engines() {
    let push = file(&contacts(SyncMode::Push, SyncSource::Rest), "resources.ts");
    assert!(push.contains("useQuery({") && !push.contains("useLiveQuery"));
    let live = file(&contacts(SyncMode::Live, SyncSource::Rest), "resources.ts");
    assert!(
        live.contains("queryCollectionOptions({")
            && live.contains("options.enabled === false ? undefined : collection")
    );
    // An item is looked up by its key, not found by a scan.
    assert!(live.contains("return itemFromLive(query, key, collection.utils);"), "{live}");
    // PATCH sends only the changed fields, and only the schema's: never TanStack DB's `$` props.
    assert!(live.contains("      onUpdate: async") && live.contains("mutation.changes,\n"), "{live}");
    assert!(live.contains("const UPDATE_CONTACT_FIELDS = [\"id\", \"name\"] as const;"));
    let shape =
        SyncSource::Shape(Shape { table: "contacts".into(), where_clause: Some("x = 1".into()), columns: Vec::new() });
    let streamed = file(&contacts(SyncMode::Live, shape), "resources.ts");
    assert!(streamed.contains("electricCollectionOptions({") && streamed.contains("where: \"x = 1\","));
    assert!(streamed.contains("readTxids(response, txids)"));
}

#[test]
fn types_carry_optionality_nullability_and_safe_docs() {
    let types = file(&contacts(SyncMode::Push, SyncSource::Rest), "types.ts");
    assert!(types.contains("/** A person. Never *\\/ closes the comment. */\nexport type Contact = {"), "{types}");
    assert!(types.contains("  phone?: string | null;\n"));
    assert!(types.contains("  \"x-rank\"?: number;\n"));
    // A spec type named like a global keeps its name in types.ts...
    assert!(types.contains("export type Error = {"));
}

#[test]
fn client_functions_encode_paths_and_carry_options() {
    let client = file(&contacts(SyncMode::Push, SyncSource::Rest), "client.ts");
    assert!(client.contains("const DEFAULT_BASE_URL = \"https://api.example.com\";"));
    assert!(client.contains(
        "export function updateContact(\n  params: UpdateContactParams,\n  body: NewContact,\n  options?: RequestOptions,\n): Promise<Contact> {"
    ), "{client}");
    assert!(client.contains("path: `/contacts/${encodePath(params.id)}`,"));
    assert!(client.contains("export function deleteContact(\n  params: DeleteContactParams,\n  options?: RequestOptions,\n): Promise<void> {"));
}

#[test]
fn discriminated_unions_narrow_each_variant() {
    let mut api = contacts(SyncMode::Push, SyncSource::Rest);
    api.types.push(named(
        "Party",
        None,
        TypeKind::Union(Union {
            kind: UnionKind::OneOf,
            discriminator: Some("kind".into()),
            variants: vec![
                Variant { name: "Contact".into(), ty: Ty::Named(TypeId(0)), tags: vec!["person".into()] },
                Variant {
                    name: "Error".into(),
                    ty: Ty::Named(TypeId(2)),
                    tags: vec!["error".into(), "failure".into()],
                },
            ],
        }),
    ));
    let types = file(&api, "types.ts");
    assert!(
        types.contains(
            "export type Party =\n  (Contact & { kind: \"person\" }) | (Error & { kind: \"error\" | \"failure\" });"
        ),
        "{types}"
    );
}

#[test]
fn output_is_deterministic() {
    let api = contacts(SyncMode::Live, SyncSource::Rest);
    assert_eq!(emit(&api, &TypeScriptOptions::default()), emit(&api, &TypeScriptOptions::default()));
}

#[test]
fn error_types_name_the_declared_error_bodies() {
    let mut api = contacts(SyncMode::Push, SyncSource::Rest);
    let error_body = |status| Response {
        status,
        doc: None,
        body: Some(ResponseBody {
            content_type: "application/json".into(),
            media: MediaKind::Json,
            ty: Ty::Named(TypeId(2)),
        }),
    };
    api.operations[1].responses.push(error_body(Status::Code(409)));
    api.operations[1].responses.push(error_body(Status::Default));
    let client = file(&api, "client.ts");
    // `Error` the spec type meets `Error` the global here, so it is imported under another name.
    assert!(client.contains("import type { Contact, Error as Error2, NewContact } from \"./types\";"), "{client}");
    assert!(client.contains("export type CreateContactError = ApiError<Error2>;"), "{client}");
    assert!(!client.contains("ListContactsError"));
}

#[test]
fn every_operation_outside_a_resource_gets_a_hook_with_key_and_options_factories() {
    let mut api = contacts(SyncMode::Push, SyncSource::Rest);
    api.operations.push(op("getStats", Method::Get, "/stats", vec![], None, Some(Ty::Named(TypeId(2)))));
    api.operations.push(op("resetStats", Method::Post, "/stats", vec![], Some(Ty::Named(TypeId(2))), None));
    let operations = file(&api, "operations.ts");
    assert!(operations.contains("export function getStatsQueryKey() {\n  return [\"getStats\"] as const;\n}"));
    assert!(
        operations.contains("export function getStatsQueryOptions(request: RequestOptions = {}) {"),
        "{operations}"
    );
    assert!(operations.contains("export function useGetStats<TData = Error2>("), "{operations}");
    assert!(operations.contains("): UseQueryResult<TData, Error> {"), "{operations}");
    assert!(operations.contains("export function useResetStats("), "{operations}");
    // The resource's own operations keep their resource hooks and get no second one.
    assert!(!operations.contains("useListContacts") && !operations.contains("useCreateContact"));
    let index = file(&api, "index.ts");
    assert!(index.contains("export * from \"./operations\";"));
}

#[test]
fn success_and_error_statuses_are_typed_as_declared() {
    let mut api = contacts(SyncMode::Push, SyncSource::Rest);
    // `PUT /contacts/{id}`: 201 with the contact, or 204 without content; 404 without a body.
    let mut star =
        op("starContact", Method::Put, "/contacts/{id}/star", vec![id_param()], None, Some(Ty::Named(TypeId(0))));
    star.responses[0].status = Status::Code(201);
    star.responses.push(Response { status: Status::Code(204), doc: None, body: None });
    star.responses.push(Response { status: Status::Code(404), doc: None, body: None });
    star.responses.push(Response {
        status: Status::Code(422),
        doc: None,
        body: Some(ResponseBody {
            content_type: "application/json".into(),
            media: MediaKind::Json,
            ty: Ty::Named(TypeId(2)),
        }),
    });
    api.operations.push(star);
    let client = file(&api, "client.ts");
    assert!(client.contains("): Promise<Contact | undefined> {"), "{client}");
    assert!(
        client.contains("export type StarContactError =\n  | ApiError<undefined, 404>\n  | ApiError<Error2, 422>;")
            || client.contains("export type StarContactError = ApiError<undefined, 404> | ApiError<Error2, 422>;"),
        "{client}"
    );
}

#[test]
fn packages_follow_the_modes_in_use() {
    let push = file(&contacts(SyncMode::Push, SyncSource::Rest), "package.fragment.json");
    assert!(push.contains("\"@tanstack/react-query\": \"^5.108.0\""), "{push}");
    assert!(!push.contains("@tanstack/db") && !push.contains("electric"), "{push}");
    assert!(push.contains("\"@tanstack/query-core\": \"$@tanstack/query-core\""), "{push}");
    let rest = file(&contacts(SyncMode::Live, SyncSource::Rest), "package.fragment.json");
    assert!(rest.contains("\"@tanstack/db\": \"$@tanstack/db\"") && !rest.contains("electric"), "{rest}");
}

#[test]
fn a_spec_without_schemas_still_yields_modules_and_extensions_apply() {
    let mut api = contacts(SyncMode::Push, SyncSource::Rest);
    api.types.clear();
    api.resources.clear();
    api.operations = vec![op("ping", Method::Get, "/ping", vec![], None, None)];
    let types = file(&api, "types.ts");
    assert!(types.ends_with("\nexport {};\n"), "{types}");
    let files = emit(&api, &TypeScriptOptions { import_extension: ".js".into(), react: true });
    let index = &files.iter().find(|f| f.path.to_str() == Some("index.ts")).expect("index.ts").contents;
    assert!(index.contains("export * from \"./types.js\";") && index.contains("export * from \"./operations.js\";"));
    let operations = &files.iter().find(|f| f.path.to_str() == Some("operations.ts")).expect("operations").contents;
    assert!(operations.contains("from \"./client.js\";"), "{operations}");
    // A read without content resolves to `null`: TanStack Query stores no `undefined`.
    assert!(operations.contains("return null;"), "{operations}");
}
