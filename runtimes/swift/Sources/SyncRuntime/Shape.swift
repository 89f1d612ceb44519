import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Which rows a live resource syncs (`x-sync-shape`).
public struct ShapeDefinition: Sendable, Hashable {
    public var table: String
    public var whereClause: String?
    public var columns: [String]

    public init(table: String, whereClause: String? = nil, columns: [String] = []) {
        self.table = table
        self.whereClause = whereClause
        self.columns = columns
    }
}

/// One change from a Shape log.
public struct ShapeChange: Sendable, Equatable {
    public enum Operation: String, Sendable { case insert, update, delete }

    public var operation: Operation
    /// Electric's key of the row (its table and primary key).
    public var key: String
    /// The row's columns, parsed with the `electric-schema` types. An update carries the
    /// primary key and the changed columns; a delete at least the primary key.
    public var value: [String: JSONValue]
    /// Ids of the transactions that made the change.
    public var txids: [Int64]
}

/// What one Shape response means for the local copy.
public enum ShapeEvent: Sendable, Equatable {
    /// Changes, in log order.
    case changes([ShapeChange])
    /// The client has every change up to now.
    case upToDate
    /// The server dropped the shape: forget every row and start again.
    case mustRefetch
}

/// A client for the HTTP Shape protocol of ElectricSQL (`GET /v1/shape`), as Electric's
/// HTTP API document defines it: an initial request at `offset=-1`, then requests with the
/// `handle` and `offset` of the last response; once up to date, `live=true` long polls with
/// the `cursor` the server gave. A 409 means the shape must be fetched again from scratch.
///
/// Uses `URLSession.data(for:)` only, which Linux's FoundationNetworking has too.
public actor ShapeClient {
    public let url: URL
    public let shape: ShapeDefinition
    public let parameters: [String: String]
    private let transport: HTTPTransport

    public private(set) var offset = "-1"
    public private(set) var handle: String?
    private var cursor: String?
    private var upToDate = false
    var schema: [String: ColumnType] = [:]

    public init(url: URL, shape: ShapeDefinition, parameters: [String: String] = [:], transport: HTTPTransport) {
        self.url = url
        self.shape = shape
        self.parameters = parameters
        self.transport = transport
    }

    /// Fetches the next response: the initial snapshot in chunks, then (once up to date) a
    /// long poll that returns when something changes or the server's wait ends.
    public func poll() async throws -> [ShapeEvent] {
        let response = try await transport.perform(request())
        switch response.status {
        case 200, 204:
            break
        case 409:
            // The handle is gone: the next request starts a new shape (Electric gives the
            // new handle in the 409's headers).
            handle = response.header("electric-handle")
            offset = "-1"
            cursor = nil
            upToDate = false
            schema = [:]
            return [.mustRefetch]
        default:
            throw APIError<String>(
                status: response.status, headers: response.headers,
                body: String(decoding: response.body, as: UTF8.self), rawBody: response.body)
        }
        if let value = response.header("electric-handle") { handle = value }
        if let value = response.header("electric-offset") { offset = value }
        if let value = response.header("electric-cursor") { cursor = value }
        if let value = response.header("electric-schema") { schema = Self.parseSchema(value) }
        var events = try parse(response.body)
        if response.header("electric-up-to-date") != nil {
            upToDate = true
            if !events.contains(.upToDate) { events.append(.upToDate) }
        }
        return events
    }

    func request() -> URLRequest {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false) ?? URLComponents()
        var items = components.queryItems ?? []
        items.append(URLQueryItem(name: "table", value: shape.table))
        if let whereClause = shape.whereClause { items.append(URLQueryItem(name: "where", value: whereClause)) }
        if !shape.columns.isEmpty {
            items.append(URLQueryItem(name: "columns", value: shape.columns.joined(separator: ",")))
        }
        items.append(URLQueryItem(name: "offset", value: offset))
        if let handle { items.append(URLQueryItem(name: "handle", value: handle)) }
        if upToDate {
            items.append(URLQueryItem(name: "live", value: "true"))
            if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        }
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            items.append(URLQueryItem(name: name, value: value))
        }
        components.queryItems = items
        // `+` is a space in a query: encode it, so `where` clauses keep their plus signs.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        let wait: TimeInterval = upToDate ? 60 : 0
        var request = URLRequest(url: components.url ?? url, timeoutInterval: transport.configuration.timeout + wait)
        request.httpMethod = "GET"
        for (name, value) in transport.configuration.headers { request.setValue(value, forHTTPHeaderField: name) }
        return request
    }

    func parse(_ body: Data) throws -> [ShapeEvent] {
        guard !body.isEmpty else { return [] }
        let messages: [JSONValue]
        do {
            messages = try JSONDecoder().decode([JSONValue].self, from: body)
        } catch {
            throw ResponseDecodingError(status: 200, type: "Shape log", underlying: error)
        }
        var events: [ShapeEvent] = []
        var changes: [ShapeChange] = []
        func flush() {
            if !changes.isEmpty { events.append(.changes(changes)) }
            changes = []
        }
        for message in messages {
            guard let members = message.objectValue, let headers = members["headers"]?.objectValue else { continue }
            if case .string(let control)? = headers["control"] {
                switch control {
                case "up-to-date":
                    flush()
                    events.append(.upToDate)
                case "must-refetch":
                    flush()
                    events.append(.mustRefetch)
                default:
                    continue  // snapshot-end and controls newer than this client carry no rows
                }
                continue
            }
            guard case .string(let name)? = headers["operation"],
                  let operation = ShapeChange.Operation(rawValue: name),
                  case .string(let key)? = members["key"]
            else { continue }
            var value: [String: JSONValue] = [:]
            for (column, raw) in members["value"]?.objectValue ?? [:] {
                value[column] = Self.parse(raw, as: schema[column])
            }
            var txids: [Int64] = []
            if case .array(let ids)? = headers["txids"] {
                for id in ids {
                    switch id {
                    case .integer(let number): txids.append(number)
                    case .string(let text): if let number = Int64(text) { txids.append(number) }
                    default: break
                    }
                }
            }
            changes.append(ShapeChange(operation: operation, key: key, value: value, txids: txids))
        }
        flush()
        return events
    }

    /// A column's Postgres type as the `electric-schema` header gives it.
    struct ColumnType: Sendable {
        var type: String
        var dimensions: Int
    }

    static func parseSchema(_ header: String) -> [String: ColumnType] {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(header.utf8)),
              let columns = json.objectValue
        else { return [:] }
        var schema: [String: ColumnType] = [:]
        for (name, info) in columns {
            guard let info = info.objectValue, case .string(let type)? = info["type"] else { continue }
            var dimensions = 0
            if case .integer(let dims)? = info["dims"] { dimensions = Int(dims) }
            schema[name] = ColumnType(type: type, dimensions: dimensions)
        }
        return schema
    }

    /// Electric sends values as Postgres text; the schema says how to read them.
    static func parse(_ raw: JSONValue, as column: ColumnType?) -> JSONValue {
        guard case .string(let text) = raw, let column else { return raw }
        if column.dimensions > 0 { return parseArray(text, element: column.type) ?? raw }
        return parseScalar(text, type: column.type)
    }

    static func parseScalar(_ text: String, type: String) -> JSONValue {
        switch type {
        case "int2", "int4", "int8", "oid":
            return Int64(text).map(JSONValue.integer) ?? .string(text)
        case "float4", "float8", "numeric":
            return Double(text).map(JSONValue.number) ?? .string(text)
        case "bool":
            return .bool(text == "t" || text == "true")
        case "json", "jsonb":
            return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
        default:
            return .string(text)
        }
    }

    /// A one-dimensional Postgres array literal (`{1,2,"a b",NULL}`).
    static func parseArray(_ text: String, element: String) -> JSONValue? {
        let characters = Array(text)
        guard characters.first == "{", characters.last == "}" else { return nil }
        var items: [JSONValue] = []
        var index = 1
        let end = characters.count - 1
        while index < end {
            var item = ""
            var quoted = false
            if characters[index] == "\"" {
                quoted = true
                index += 1
                while index < end, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < end { index += 1 }
                    item.append(characters[index])
                    index += 1
                }
                index += 1
            } else {
                while index < end, characters[index] != "," {
                    if characters[index] == "{" { return nil }  // nested arrays are kept as text
                    item.append(characters[index])
                    index += 1
                }
            }
            items.append(!quoted && item == "NULL" ? .null : parseScalar(item, type: element))
            index += 1  // the comma
        }
        return .array(items)
    }
}
