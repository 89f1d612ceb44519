//! Every Kotlin identifier the generated project declares, handed out once in model order
//! through [`crate::naming::Scope`], so collisions resolve the same way on every run.
//!
//! Generated types live in one package beside the run-time copy, and a declaration in the
//! package would shadow Kotlin's own `String` or `List` there, so those names are reserved.

use crate::model::{Api, EnumValue, Operation, TypeKind};
use crate::naming::{Case, Lang, Scope};

/// Names the generated code uses unqualified in the package: Kotlin's, kotlinx's and the
/// run-time's. A spec schema called `String` becomes `String2`.
pub const RESERVED_TYPES: &[&str] = &[
    // kotlin.*
    "Any",
    "Array",
    "Boolean",
    "Byte",
    "ByteArray",
    "Char",
    "Double",
    "Enum",
    "Exception",
    "Float",
    "Int",
    "Long",
    "Nothing",
    "Number",
    "Pair",
    "Result",
    "Short",
    "String",
    "Throwable",
    "Unit",
    "Collection",
    "Iterable",
    "List",
    "Map",
    "MutableList",
    "MutableMap",
    "Sequence",
    "Set",
    "AutoCloseable",
    "Deprecated",
    "Suppress",
    "OptIn",
    "JvmInline",
    "Comparable",
    "Lazy",
    // kotlinx and ktor
    "Serializable",
    "SerialName",
    "Transient",
    "Contextual",
    "KSerializer",
    "Json",
    "JsonElement",
    "JsonNull",
    "JsonObject",
    "JsonPrimitive",
    "JsonArray",
    "Flow",
    "StateFlow",
    "SharedFlow",
    "OutgoingContent",
    "UUID",
    // the run-time (runtime/*.kt)
    "SyncJson",
    "Omittable",
    "OmittableSerializer",
    "EnumSerializer",
    "UnionSerializer",
    "ClientConfig",
    "RequestOptions",
    "ResponseInfo",
    "ApiException",
    "QueryStyle",
    "RequestSpec",
    "QueryParam",
    "RawResponse",
    "HttpTransport",
    "ShapeOperation",
    "ShapeChange",
    "ShapeBatch",
    "ShapeDefinition",
    "ShapeStream",
    "WriteKind",
    "OutboxEntry",
    "OutboxStore",
    "SqliteOutbox",
    "SyncPhase",
    "SyncStatus",
    "Backoff",
    "PushRows",
    "LiveConfig",
    "WriteRejected",
    "RowSource",
    "WriteSender",
    "LiveSync",
    "LiveCollection",
    // generated beside the models
    "Api",
];

/// Members of the generated `Api` class that are not operations or resources.
const RESERVED_MEMBERS: &[&str] = &[
    "config",
    "live",
    "transport",
    "json",
    "sync",
    "close",
    "rejections",
    "retryNow",
    "equals",
    "hashCode",
    "toString",
];

/// Nested names inside generated enums and unions that their own bodies refer to.
const RESERVED_NESTED: &[&str] = &[
    "Unknown",
    "Null",
    "Serializer",
    "Companion",
    "String",
    "Long",
    "Int",
    "Boolean",
    "Double",
    "Float",
    "Any",
    "List",
    "Map",
    "Unit",
    "Nothing",
    "Json",
    "JsonElement",
    "JsonNull",
    "JsonPrimitive",
    "JsonObject",
    "EnumSerializer",
    "UnionSerializer",
    "Serializable",
];

pub struct Names {
    /// Per type: its Kotlin name.
    pub types: Vec<String>,
    /// Per type: each field's property name (structs), each value's or variant's case name
    /// (enums, unions; for enums one per distinct value, in order).
    pub members: Vec<Vec<String>>,
    /// Per operation: the `Api` method.
    pub methods: Vec<String>,
    /// Per operation: its parameters' names (model order), then its body's.
    pub params: Vec<OperationNames>,
    /// Per resource: the `Api` property, the interface, and the push and live classes.
    pub resources: Vec<ResourceNames>,
}

pub struct OperationNames {
    pub params: Vec<String>,
    pub body: String,
}

pub struct ResourceNames {
    pub property: String,
    pub interface: String,
    pub push: String,
    pub live: String,
}

impl Names {
    pub fn new(api: &Api) -> Self {
        let mut type_scope = Scope::with_reserved(Lang::Kotlin, Case::Pascal, RESERVED_TYPES.iter().copied());
        let types: Vec<String> = api.types.iter().map(|def| claim_short(&mut type_scope, &def.name)).collect();
        let members = api
            .types
            .iter()
            .map(|def| match &def.kind {
                TypeKind::Struct(s) => {
                    let mut scope = Scope::new(Lang::Kotlin, Case::Camel);
                    s.fields.iter().map(|field| scope.claim(&spell(&field.name))).collect()
                }
                TypeKind::Enum(e) => {
                    let mut scope = nested_scope();
                    distinct_values(&e.values)
                        .map(|value| match value {
                            EnumValue::String(text) => scope.claim(&spell(text)),
                            EnumValue::Integer(n) if *n < 0 => scope.claim(&format!("minus {}", n.unsigned_abs())),
                            EnumValue::Integer(n) => scope.claim(&format!("value {n}")),
                        })
                        .collect()
                }
                TypeKind::Union(u) => {
                    let mut scope = nested_scope();
                    u.variants.iter().map(|variant| scope.claim(&variant.name)).collect()
                }
                TypeKind::Alias(_) => Vec::new(),
            })
            .collect();

        let mut member_scope = Scope::with_reserved(Lang::Kotlin, Case::Camel, RESERVED_MEMBERS.iter().copied());
        let methods: Vec<String> = api.operations.iter().map(|op| member_scope.claim(&op.name)).collect();
        let params = api.operations.iter().map(operation_names).collect();
        let resources = api
            .resources
            .iter()
            .map(|resource| ResourceNames {
                property: member_scope.claim(&resource.name),
                interface: claim_short(&mut type_scope, &format!("{} Resource", resource.name)),
                push: claim_short(&mut type_scope, &format!("Push {}", resource.name)),
                live: claim_short(&mut type_scope, &format!("Live {}", resource.name)),
            })
            .collect();
        Names { types, members, methods, params, resources }
    }
}

/// The longest class name handed out. A nested class's file is `Outer$Inner$…$serializer.class`,
/// and file systems cap a name at 255 bytes; specs like Stripe's make inline names far longer.
const MAX_NAME: usize = 80;

/// [`Scope::claim`], with names longer than [`MAX_NAME`] cut and given a hash of the whole
/// name, so two long names that share their start stay apart.
fn claim_short(scope: &mut Scope, name: &str) -> String {
    let ident = crate::naming::ident(name, Case::Pascal, Lang::Kotlin);
    if ident.len() <= MAX_NAME {
        return scope.claim(name);
    }
    // FNV-1a: stable across runs and platforms, unlike `DefaultHasher`.
    let hash = ident.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let cut: String = ident.chars().take(MAX_NAME - 9).collect();
    scope.claim(&format!("{cut} H{:08x}", hash as u32))
}

/// The case names inside one enum or union.
struct NestedScope(Scope);

impl NestedScope {
    /// A case spelled like a reserved name reads better as `StringValue` than as the
    /// `String2` that [`Scope::claim`] would make of it.
    fn claim(&mut self, name: &str) -> String {
        let ident = crate::naming::ident(name, Case::Pascal, Lang::Kotlin);
        if RESERVED_NESTED.contains(&ident.as_str()) {
            self.0.claim(&format!("{name} value"))
        } else {
            claim_short(&mut self.0, name)
        }
    }
}

fn nested_scope() -> NestedScope {
    NestedScope(Scope::with_reserved(Lang::Kotlin, Case::Pascal, RESERVED_NESTED.iter().copied()))
}

fn operation_names(op: &Operation) -> OperationNames {
    let mut scope = Scope::with_reserved(Lang::Kotlin, Case::Camel, ["options", "response"]);
    let params = op.params.iter().map(|param| scope.claim(&spell(&param.name))).collect();
    OperationNames { params, body: scope.claim("body") }
}

/// The values of an enum without repeats, in order.
pub fn distinct_values(values: &[EnumValue]) -> impl Iterator<Item = &EnumValue> {
    values.iter().enumerate().filter(move |(i, value)| !values[..*i].contains(value)).map(|(_, value)| value)
}

/// Signs and symbols spelled out before casing, so `+1` and `-1` do not both become `N1`.
pub fn spell(name: &str) -> String {
    if name.is_empty() {
        return "empty".to_owned();
    }
    if let Some(rest) = name.strip_prefix('-').filter(|rest| !rest.is_empty()) {
        return format!("minus {rest}");
    }
    if let Some(rest) = name.strip_prefix('+').filter(|rest| !rest.is_empty()) {
        return format!("plus {rest}");
    }
    if name.chars().any(|c| c.is_ascii_alphanumeric()) {
        return name.to_owned();
    }
    name.chars()
        .map(|c| match c {
            '*' => "asterisk",
            '<' => "less than",
            '>' => "greater than",
            '=' => "equals",
            '!' => "not",
            '+' => "plus",
            '-' => "minus",
            '/' => "slash",
            '.' => "dot",
            '@' => "at",
            '#' => "hash",
            '$' => "dollar",
            '%' => "percent",
            '&' => "and",
            '|' => "pipe",
            '~' => "tilde",
            '^' => "caret",
            '?' => "question",
            ':' => "colon",
            _ => "symbol",
        })
        .collect::<Vec<_>>()
        .join(" ")
}
