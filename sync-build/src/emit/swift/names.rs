//! Swift names for the API's types, members and functions.
//!
//! The generated module carries a copy of the run-time code and imports Foundation and
//! Observation, so a spec type called `Data`, `Error` or `ResourceStore` would shadow what that
//! code relies on: those names are reserved and such types get a suffix.

use crate::model::Api;
use crate::naming::{Case, Lang, Scope};

/// Type names the module must not declare: Swift, Foundation and Observation types the
/// generated and run-time code use, and the run-time code's own public types.
pub const RESERVED_TYPES: &[&str] = &[
    // Swift
    "Any",
    "AnyObject",
    "Array",
    "AsyncStream",
    "Bool",
    "CaseIterable",
    "Character",
    "CheckedContinuation",
    "ClosedRange",
    "Codable",
    "CodingKey",
    "CodingKeys",
    "Collection",
    "Comparable",
    "CustomStringConvertible",
    "Decodable",
    "Decoder",
    "DecodingError",
    "Dictionary",
    "Double",
    "Encodable",
    "Encoder",
    "EncodingError",
    "Equatable",
    "Error",
    "Float",
    "Hashable",
    "Hasher",
    "Identifiable",
    "Int",
    "Int32",
    "Int64",
    "KeyedDecodingContainer",
    "KeyedEncodingContainer",
    "MainActor",
    "Never",
    "Optional",
    "Protocol",
    "Range",
    "RawRepresentable",
    "Result",
    "Self",
    "Sendable",
    "Sequence",
    "Set",
    "String",
    "Substring",
    "Swift",
    "Task",
    "Type",
    "UInt64",
    "UInt8",
    "Unicode",
    "Void",
    "CancellationError",
    // Foundation and Observation
    "Calendar",
    "CharacterSet",
    "Data",
    "Date",
    "DateFormatter",
    "FileManager",
    "Foundation",
    "FoundationNetworking",
    "HTTPURLResponse",
    "JSONDecoder",
    "JSONEncoder",
    "Locale",
    "NSLock",
    "Observable",
    "Observation",
    "ObservationIgnored",
    "TimeInterval",
    "TimeZone",
    "URL",
    "URLComponents",
    "URLError",
    "URLQueryItem",
    "URLRequest",
    "URLResponse",
    "URLSession",
    "UUID",
    "PackageDescription",
    // the run-time code
    "APIClient",
    "APIConfiguration",
    "APIError",
    "APIOperation",
    "APIOperations",
    "APIResponse",
    "AnyCodingKey",
    "CalendarDate",
    "ConfigurationError",
    "CreatableResource",
    "Decode",
    "DeletableResource",
    "Delivery",
    "GettableResource",
    "HTTPRequest",
    "HTTPResponse",
    "HTTPStatusError",
    "HTTPTransport",
    "Indirect",
    "ItemNotFound",
    "JSONCoding",
    "JSONValue",
    "LiveSource",
    "LiveWritable",
    "NoScope",
    "Nullable",
    "OutboxEntry",
    "OutboxFile",
    "ParameterStyle",
    "RFC3339",
    "RequestBuilder",
    "RequestEncodingError",
    "ResourceDefinition",
    "ResourceStatus",
    "ResourceStore",
    "ResponseDecodingError",
    "Rows",
    "ShapeChange",
    "ShapeClient",
    "ShapeDefinition",
    "ShapeEvent",
    "StoreRegistry",
    "SyncMode",
    "TransportError",
    "UnionDecoding",
    "UpdatableResource",
    "WriteReply",
    "Digits",
];

/// Member names that are legal when escaped but read badly or clash with what the compiler
/// synthesises; they get a suffix instead.
const AWKWARD_MEMBERS: &[&str] = &["self", "Self", "init", "Type", "Protocol", "Any", "super", "hashValue"];

/// The Swift names of the API's types, indexed like [`Api::types`], from one scope that also
/// hands out the names of the other generated types (parameters' scopes, failures, resources).
pub struct TypeNames {
    pub types: Vec<String>,
    scope: Scope,
}

impl TypeNames {
    pub fn new(api: &Api) -> Self {
        let mut scope = Scope::with_reserved(Lang::Swift, Case::Pascal, RESERVED_TYPES.iter().copied());
        let types = api.types.iter().map(|def| claim_type(&mut scope, &def.name)).collect();
        TypeNames { types, scope }
    }

    /// A further type name, unique among all of the module's types.
    pub fn claim(&mut self, name: &str) -> String {
        claim_type(&mut self.scope, name)
    }
}

fn claim_type(scope: &mut Scope, name: &str) -> String {
    let claimed = scope.claim(name);
    // Escaped keywords as type names (`` `Protocol` ``) are legal but a trap for users.
    if claimed.starts_with('`') { scope.claim(&format!("{name} Model")) } else { claimed }
}

/// Unique member names (properties, cases, parameters, functions) within one declaration.
pub struct Members {
    scope: Scope,
}

impl Members {
    pub fn new<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Members { scope: Scope::with_reserved(Lang::Swift, Case::Camel, reserved) }
    }

    pub fn claim(&mut self, name: &str) -> String {
        let claimed = self.scope.claim(name);
        let bare = claimed.trim_matches('`');
        if AWKWARD_MEMBERS.contains(&bare) { self.scope.claim(&format!("{name} value")) } else { claimed }
    }
}
