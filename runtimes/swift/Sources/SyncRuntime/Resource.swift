import Foundation

/// How a resource's data is delivered (`x-sync`).
public enum SyncMode: String, Sendable {
    /// Request/response calls.
    case push
    /// A local collection kept in sync in the background, with optimistic writes.
    case live
}

/// Where a live resource's rows come from.
public enum LiveSource: Sendable, Hashable {
    /// The REST list endpoint, refetched after writes and every `pollInterval`.
    case rest
    /// An ElectricSQL-compatible Shape endpoint (`APIConfiguration.shapeURL`).
    case shape(ShapeDefinition)
}

/// One status for both sync modes.
public enum ResourceStatus: String, Sendable {
    /// Nothing loaded yet.
    case pending
    /// The items are loaded (and, live, kept in sync).
    case success
    /// The last load or sync failed; `error` says why.
    case error
}

/// A resource of a collection path with no parameters of its own.
public struct NoScope: Codable, Hashable, Sendable {
    public init() {}
}

/// A resource: its item, key and operations. Generated for each resource of the spec; the
/// `ResourceStore` does the rest, the same way in both modes.
public protocol ResourceDefinition: Sendable {
    /// One row (`Contact`).
    associatedtype Item: Codable & Hashable & Sendable
    /// The item's key (`UUID`).
    associatedtype Key: Codable & Hashable & Sendable
    /// The collection path's own parameters (`/orgs/{org}/members` has an `org`), or `NoScope`.
    associatedtype Scope: Codable & Hashable & Sendable

    /// The resource's name in the spec (`contacts`).
    static var name: String { get }
    static var mode: SyncMode { get }
    static var source: LiveSource { get }
    /// The item's key field on the wire (`id`).
    static var keyField: String { get }
    /// The key of `item`; `nil` while it has none (a row not yet given one by the server).
    static func key(of item: Item) -> Key?
    /// A key made on this client for a new item, or `nil` when only the server assigns them.
    static func newKey() -> Key?
    /// The whole collection.
    static func list(_ transport: HTTPTransport, scope: Scope) async throws -> [Item]
}

/// Items can be fetched by key.
public protocol GettableResource: ResourceDefinition {
    static func get(_ transport: HTTPTransport, scope: Scope, key: Key) async throws -> Item
}

/// Items can be created.
public protocol CreatableResource: ResourceDefinition {
    /// What a new item is made from (the create operation's body).
    associatedtype Create: Codable & Sendable
    /// What creating answers with (usually the item).
    associatedtype Created: Sendable
    /// Whether `Create` has the key field, so a key made on the client reaches the server.
    static var createCarriesKey: Bool { get }
    static func create(
        _ transport: HTTPTransport, scope: Scope, body: Create, headers: [String: String]
    ) async throws -> APIResponse<Created>
    /// The item in a create reply, when the reply is one.
    static func item(created: Created) -> Item?
}

/// Items can be changed.
public protocol UpdatableResource: ResourceDefinition {
    /// What a change is made of (the update operation's body).
    associatedtype Changes: Codable & Sendable
    associatedtype Updated: Sendable
    static func update(
        _ transport: HTTPTransport, scope: Scope, key: Key, changes: Changes, headers: [String: String]
    ) async throws -> APIResponse<Updated>
    static func item(updated: Updated) -> Item?
}

/// Items can be deleted.
public protocol DeletableResource: ResourceDefinition {
    static func delete(
        _ transport: HTTPTransport, scope: Scope, key: Key, headers: [String: String]
    ) async throws -> APIResponse<Void>
}

extension APIResponse {
    /// The same response with its value transformed.
    public func map<T>(_ transform: (Value) throws -> T) rethrows -> APIResponse<T> {
        APIResponse<T>(value: try transform(value), status: status, headers: headers)
    }
}

/// No item has this key.
public struct ItemNotFound: Error, CustomStringConvertible, Sendable {
    public var resource: String
    public var key: String

    public var description: String { "\(resource) has no item with key \(key)" }
}

/// A live resource cannot run as configured (no Shape URL, ...).
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public var description: String { message }
}
