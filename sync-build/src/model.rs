//! The language-neutral model of an API: the only thing emitters see.
//!
//! The loader lowers an OpenAPI document into this model once; every emitter (Rust, TypeScript,
//! Swift, Kotlin) reads it and nothing else. It therefore carries everything an emitter needs:
//! named types with their docs, operations with typed parameters and bodies, and resources with
//! their sync mode. Names are kept as the spec spells them (wire names); each emitter converts
//! them to its language's conventions with [`crate::naming`].
//!
//! Ordering is deterministic and follows the document: component schemas in the order written,
//! then inline and referenced types in the order lowering meets them; operations and resources
//! in path order; fields in the schema's property order.

use std::path::PathBuf;

/// A whole API, ready for the emitters.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub info: Info,
    /// Every file the model was built from (the root spec first, then each `$ref`'d file), so a
    /// build script can tell cargo when to rerun.
    pub source_files: Vec<PathBuf>,
    /// Base URLs from `servers`, in document order.
    pub servers: Vec<String>,
    /// Named types, in document order (see the module docs); a [`TypeId`] indexes this list.
    pub types: Vec<TypeDef>,
    /// Every operation, in path order, then method order within a path.
    pub operations: Vec<Operation>,
    /// Resources, in the order of their collection paths.
    pub resources: Vec<Resource>,
}

/// `info` of the spec.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Info {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
}

/// Index into [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// Index into [`Api::operations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperationId(pub usize);

/// A type with a name of its own: a component schema, or an inline object, enum or union that
/// was given a name from where it stands (`Contact` + property `address` -> `ContactAddress`).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Unique among the API's types, as the spec spells it (`Contact`, `contact-item`,
    /// `ListContactsResponse`); emitters case it per language with [`crate::naming`].
    pub name: String,
    /// `title`/`description` of the schema, as written.
    pub doc: Option<String>,
    pub deprecated: bool,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A closed (or, with `open`, extensible) set of string or integer values.
    Enum(Enum),
    /// `oneOf` / `anyOf`.
    Union(Union),
    /// A named schema that is not an object, enum or union: `UserId: {type: string}`,
    /// `Tags: {type: array, items: ...}`, or a `$ref` to another named type.
    Alias(Ty),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Struct {
    /// In the schema's property order; `allOf` parts are merged in order.
    pub fields: Vec<Field>,
    /// `additionalProperties` with a schema (or `true`, as [`Ty::Any`]): properties beyond
    /// `fields`, kept rather than dropped. `None` when the schema has none or forbids them.
    pub additional: Option<Ty>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The property name on the wire.
    pub name: String,
    /// The value's type; [`Ty::Nullable`] when the spec allows `null`.
    pub ty: Ty,
    /// Listed in `required`: the key is always present (its value may still be `null`).
    pub required: bool,
    pub doc: Option<String>,
    pub deprecated: bool,
    /// `readOnly`: sent by the server only.
    pub read_only: bool,
    /// `writeOnly`: sent by the client only.
    pub write_only: bool,
    /// `default`, as JSON text.
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Enum {
    pub values: Vec<EnumValue>,
    /// The spec says more values may appear (`x-extensible-enum`, or `x-enum-open: true`): decode
    /// unknown values into a catch-all instead of failing.
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EnumValue {
    String(String),
    Integer(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Union {
    pub kind: UnionKind,
    pub variants: Vec<Variant>,
    /// The property whose value tells the variants apart, when the spec names one.
    pub discriminator: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnionKind {
    /// Exactly one variant matches.
    OneOf,
    /// One or more variants match; decoders take the first that does.
    AnyOf,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Variant {
    /// Unique within the union: the named type's name, or a name from the variant's shape
    /// (`String`, `Integer`, `Array`, ...).
    pub name: String,
    pub ty: Ty,
    /// The discriminator values that select this variant (from `mapping`, else the type's name).
    /// Empty when the union has no discriminator.
    pub tags: Vec<String>,
}

/// The type of a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Anything JSON: `{}`, `true`, or a schema with no type the emitters can use.
    Any,
    Bool,
    Integer(IntFormat),
    Number(FloatFormat),
    String(StringFormat),
    /// A single allowed value (`const`, or a one-value enum used as a tag).
    Literal(Literal),
    Named(TypeId),
    Array(Box<Ty>),
    /// An object used as a dictionary: string keys, values of this type.
    Map(Box<Ty>),
    /// The value may also be `null`.
    Nullable(Box<Ty>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntFormat {
    Int32,
    /// `int64`, and integers with no format.
    Int64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloatFormat {
    Float,
    /// `double`, and numbers with no format.
    Double,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringFormat {
    Plain,
    /// RFC 3339 `date-time`.
    DateTime,
    /// RFC 3339 `full-date`.
    Date,
    Uuid,
    /// Raw bytes (`format: binary`, or a non-JSON media type).
    Binary,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Literal {
    String(String),
    Integer(i64),
    Bool(bool),
}

/// One HTTP operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId`, or one made from the method and path (`get /contacts/{id}` ->
    /// `getContactsById`). Unique among the API's operations.
    pub name: String,
    pub method: Method,
    /// The path template as written (`/contacts/{id}`).
    pub path: String,
    pub segments: Vec<PathSegment>,
    pub summary: Option<String>,
    pub doc: Option<String>,
    pub deprecated: bool,
    pub tags: Vec<String>,
    /// Path parameters in template order, then query, header and cookie parameters in spec order.
    pub params: Vec<Param>,
    pub body: Option<RequestBody>,
    /// In status order: codes ascending, then ranges (`4XX`), then `default`.
    pub responses: Vec<Response>,
    pub sync: SyncMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub const ALL: [Method; 8] = [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ];

    /// The lower-case key used in a path item (`get`).
    pub fn key(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
        }
    }

    /// The upper-case HTTP token (`GET`).
    pub fn http(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Literal(String),
    /// A `{name}` placeholder; the name matches a [`Param`] in [`ParamLocation::Path`].
    Param(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The name on the wire.
    pub name: String,
    pub location: ParamLocation,
    /// Always true for path parameters.
    pub required: bool,
    pub ty: Ty,
    pub doc: Option<String>,
    pub deprecated: bool,
    /// How arrays and objects are serialised (`style`/`explode`), resolved to the spec's
    /// defaults when not written.
    pub style: ParamStyle,
    pub explode: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// The media type chosen when the spec offers several (JSON first).
    pub content_type: String,
    pub media: MediaKind,
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
    /// For form and multipart bodies: how each listed property is encoded (the media type's
    /// `encoding` map), in the order written. A property not listed uses `style: form`,
    /// `explode: true`, as OpenAPI says.
    pub encoding: Vec<PropertyEncoding>,
}

/// How one property of a form or multipart body is encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyEncoding {
    /// The property's wire name.
    pub name: String,
    /// `form` (the default) or `deepObject` (Stripe's `items[0][price]=...`); the delimited
    /// styles apply to arrays.
    pub style: ParamStyle,
    pub explode: bool,
    /// `contentType` of a multipart part, when the spec sets one.
    pub content_type: Option<String>,
}

/// How a body travels; decides how emitters encode and decode it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// `application/json` and `*/*+json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// `text/*`.
    Text,
    /// Anything else, as bytes.
    Binary,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: Status,
    pub doc: Option<String>,
    /// `None` when the response has no content (204, or content without a schema).
    pub body: Option<ResponseBody>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResponseBody {
    pub content_type: String,
    pub media: MediaKind,
    pub ty: Ty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Code(u16),
    /// `1XX` .. `5XX`, holding the first digit.
    Range(u8),
    Default,
}

impl Status {
    pub fn is_success(self) -> bool {
        match self {
            Status::Code(code) => (200..300).contains(&code),
            Status::Range(class) => class == 2,
            Status::Default => false,
        }
    }
}

impl Operation {
    /// The response a successful call decodes: the first 2xx (or `2XX`) response.
    pub fn success(&self) -> Option<&Response> {
        self.responses.iter().find(|r| r.status.is_success())
    }

    /// Responses that describe failures (4xx, 5xx, ranges and `default`) and carry a body.
    pub fn errors(&self) -> impl Iterator<Item = &Response> {
        self.responses.iter().filter(|r| !r.status.is_success() && r.body.is_some())
    }
}

/// How a resource's data is delivered (`x-sync`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncMode {
    /// Request/response calls (the default).
    Push,
    /// A local collection kept in sync in the background, with optimistic writes.
    Live,
}

impl SyncMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncMode::Push => "push",
            SyncMode::Live => "live",
        }
    }
}

/// A collection of keyed objects: the unit of the unified interface (`useContacts()`,
/// `api.contacts()`). Push and live resources have the same shape; only `mode` and `source`
/// differ, so flipping `x-sync` changes no calling code.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Plural, from the collection path's last literal segment (`/contacts` -> `contacts`), made
    /// unique among resources.
    pub name: String,
    /// Singular of `name` (`contact`).
    pub singular: String,
    pub mode: SyncMode,
    /// `/contacts`.
    pub collection_path: String,
    /// `/contacts/{id}`, when the spec has an item path.
    pub item_path: Option<String>,
    /// The object type of one item (`Contact`).
    pub item: TypeId,
    pub key: Key,
    /// The GET on the collection path.
    pub list: OperationId,
    /// Where the list response keeps its items.
    pub list_items: ListItems,
    /// GET on the item path.
    pub get: Option<OperationId>,
    /// POST on the collection path.
    pub create: Option<OperationId>,
    /// PUT or PATCH on the item path (PATCH preferred when both exist).
    pub update: Option<OperationId>,
    /// DELETE on the item path.
    pub delete: Option<OperationId>,
    pub source: SyncSource,
}

/// The field that identifies an item.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The property name on the item (`id`, or `x-sync-key`).
    pub field: String,
    pub ty: Ty,
    /// The item path's parameter that carries the key (`{id}`), when there is an item path.
    pub param: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ListItems {
    /// The list response is the array itself.
    Array,
    /// The list response is an object whose property of this name holds the array
    /// (`x-sync-items`).
    Field(String),
}

/// Where a live resource's rows come from.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncSource {
    /// The REST list endpoint itself: refetched after writes and on an interval.
    Rest,
    /// An ElectricSQL-compatible Shape endpoint (`x-sync-shape`).
    Shape(Shape),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub table: String,
    /// A filter in Electric's `where` syntax, passed through as written.
    pub where_clause: Option<String>,
    /// The columns to sync; all when empty.
    pub columns: Vec<String>,
}

impl Api {
    pub fn type_def(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    pub fn operation(&self, id: OperationId) -> &Operation {
        &self.operations[id.0]
    }

    /// The fields of a struct type, or `None` for other kinds.
    pub fn struct_fields(&self, id: TypeId) -> Option<&[Field]> {
        match &self.type_def(id).kind {
            TypeKind::Struct(s) => Some(&s.fields),
            _ => None,
        }
    }
}

impl Resource {
    /// The operations this resource is built from, in a fixed order.
    pub fn operations(&self) -> impl Iterator<Item = (ResourceRole, OperationId)> + '_ {
        [
            (ResourceRole::List, Some(self.list)),
            (ResourceRole::Get, self.get),
            (ResourceRole::Create, self.create),
            (ResourceRole::Update, self.update),
            (ResourceRole::Delete, self.delete),
        ]
        .into_iter()
        .filter_map(|(role, op)| op.map(|op| (role, op)))
    }
}

/// What an operation does for its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceRole {
    List,
    Get,
    Create,
    Update,
    Delete,
}

impl ResourceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceRole::List => "list",
            ResourceRole::Get => "get",
            ResourceRole::Create => "create",
            ResourceRole::Update => "update",
            ResourceRole::Delete => "delete",
        }
    }
}
