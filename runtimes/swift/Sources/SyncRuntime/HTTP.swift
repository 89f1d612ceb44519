import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where the API is and how to talk to it; given once to the generated client.
public struct APIConfiguration: Sendable {
    /// The API's base URL; operation paths are appended to it.
    public var baseURL: URL
    /// The session requests go through (`.shared` unless given).
    public var session: URLSession
    /// Headers added to every request.
    public var headers: [String: String]
    /// Called before every request is sent, to add credentials (`Authorization`, signatures…).
    public var authorize: (@Sendable (inout URLRequest) async throws -> Void)?
    /// The Shape endpoint of an ElectricSQL-compatible sync server (`https://sync.example.com/v1/shape`),
    /// for live resources whose rows stream from it.
    public var shapeURL: URL?
    /// Extra query parameters for Shape requests (credentials a sync proxy expects, …).
    public var shapeParameters: [String: String]
    /// Where live resources keep their outboxes (Application Support unless given).
    public var storageDirectory: URL?
    /// Who is signed in: outboxes are kept apart per user, so one user's unsent writes are never
    /// replayed with another's credentials (empty: the app has no users).
    public var userScope: String
    /// How often live resources that sync through their REST list refetch it, in seconds.
    public var pollInterval: TimeInterval
    /// How long one request may take; Shape long polls get this plus their own wait.
    public var timeout: TimeInterval

    public init(
        baseURL: URL,
        session: URLSession = .shared,
        headers: [String: String] = [:],
        authorize: (@Sendable (inout URLRequest) async throws -> Void)? = nil,
        shapeURL: URL? = nil,
        shapeParameters: [String: String] = [:],
        storageDirectory: URL? = nil,
        userScope: String = "",
        pollInterval: TimeInterval = 10,
        timeout: TimeInterval = 30
    ) {
        self.baseURL = baseURL
        self.session = session
        self.headers = headers
        self.authorize = authorize
        self.shapeURL = shapeURL
        self.shapeParameters = shapeParameters
        self.storageDirectory = storageDirectory
        self.userScope = userScope
        self.pollInterval = pollInterval
        self.timeout = timeout
    }
}

/// A request before it is tied to a base URL: the path already percent-encoded.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    /// Query pairs, percent-encoded, in order.
    public var query: [(String, String)] {
        get { queryPairs.map { ($0.name, $0.value) } }
        set { queryPairs = newValue.map { QueryPair(name: $0.0, value: $0.1) } }
    }
    public var headers: [String: String]
    public var body: Data?

    var queryPairs: [QueryPair]

    public init(method: String, path: String = "", headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.queryPairs = []
    }

    struct QueryPair: Sendable, Hashable {
        var name: String
        var value: String
    }
}

/// What the API answered.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Response headers, names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The header's value, matched without regard to case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body decoded as JSON.
    public func json<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONCoding.decoder().decode(T.self, from: body)
        } catch {
            throw ResponseDecodingError(status: status, type: String(describing: T.self), underlying: error)
        }
    }
}

/// A decoded success body together with the response it came in.
public struct APIResponse<Value> {
    public var value: Value
    public var status: Int
    /// Response headers, names in lower case.
    public var headers: [String: String]

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

extension APIResponse: Sendable where Value: Sendable {}

/// An error that carries the API's HTTP status.
public protocol HTTPStatusError: Error {
    var status: Int { get }
    /// Response headers, names in lower case.
    var headers: [String: String] { get }
}

/// The API answered with an error status. `body` is the error body the spec declares for that
/// status, decoded; `nil` when the spec declares none or it did not decode (`rawBody` has it).
public struct APIError<Body: Sendable>: HTTPStatusError, CustomStringConvertible, Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Body?
    public var rawBody: Data

    public init(status: Int, headers: [String: String], body: Body?, rawBody: Data) {
        self.status = status
        self.headers = headers
        self.body = body
        self.rawBody = rawBody
    }

    public var description: String {
        let text = String(decoding: rawBody.prefix(500), as: UTF8.self)
        return text.isEmpty ? "the API answered \(status)" : "the API answered \(status): \(text)"
    }
}

/// No answer: the connection failed, timed out or was cut.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var code: Int?

    public init(_ error: Error) {
        message = String(describing: error)
        code = (error as? URLError)?.code.rawValue
    }

    public var description: String { "the request did not complete: \(message)" }
}

/// A success body that did not match the spec.
public struct ResponseDecodingError: Error, CustomStringConvertible, @unchecked Sendable {
    public var status: Int
    public var type: String
    public var underlying: Error

    public var description: String { "the \(status) response is not a valid \(type): \(underlying)" }
}

/// A request that could not be made from the values given (a value that cannot be encoded).
public struct RequestEncodingError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// One call: its request, and how its answers decode.
public struct APIOperation<Success, Failure: Sendable>: Sendable {
    public var request: HTTPRequest
    public var success: @Sendable (HTTPResponse) throws -> Success
    public var failure: @Sendable (HTTPResponse) -> Failure?

    public init(
        _ request: HTTPRequest,
        success: @escaping @Sendable (HTTPResponse) throws -> Success,
        failure: @escaping @Sendable (HTTPResponse) -> Failure? = { _ in nil }
    ) {
        self.request = request
        self.success = success
        self.failure = failure
    }
}

/// How success bodies decode.
public enum Decode {
    public static func json<T: Decodable>(_ type: T.Type) -> @Sendable (HTTPResponse) throws -> T {
        { try $0.json(T.self) }
    }

    public static let empty: @Sendable (HTTPResponse) throws -> Void = { _ in }

    public static let text: @Sendable (HTTPResponse) throws -> String = { String(decoding: $0.body, as: UTF8.self) }

    public static let data: @Sendable (HTTPResponse) throws -> Data = { $0.body }

    /// An error body: JSON of this type, or `nil` when it is not.
    public static func failure<T: Decodable>(_ type: T.Type) -> @Sendable (HTTPResponse) -> T? {
        { try? $0.json(T.self) }
    }
}

/// Sends requests to the API described by an [`APIConfiguration`].
public final class HTTPTransport: Sendable {
    public let configuration: APIConfiguration

    public init(_ configuration: APIConfiguration) {
        self.configuration = configuration
    }

    /// Sends `operation`; returns the decoded success body with the response's status and
    /// headers, or throws `APIError<Failure>`, `TransportError` or `ResponseDecodingError`.
    public func send<Success, Failure>(_ operation: APIOperation<Success, Failure>) async throws -> APIResponse<Success> {
        let response = try await perform(operation.request)
        guard (200..<300).contains(response.status) else {
            throw APIError<Failure>(
                status: response.status, headers: response.headers, body: operation.failure(response),
                rawBody: response.body)
        }
        return APIResponse(value: try operation.success(response), status: response.status, headers: response.headers)
    }

    /// Sends a request and returns whatever the API answered.
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: url(for: request), timeoutInterval: configuration.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in configuration.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        return try await perform(urlRequest)
    }

    /// Sends a prepared `URLRequest` (after `authorize`).
    public func perform(_ request: URLRequest) async throws -> HTTPResponse {
        var request = request
        if let authorize = configuration.authorize { try await authorize(&request) }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await configuration.session.data(for: request)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw TransportError(error)
        }
        guard let http = response as? HTTPURLResponse else {
            throw TransportError(RequestEncodingError("not an HTTP response"))
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers[String(describing: name).lowercased()] = String(describing: value)
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    }

    func url(for request: HTTPRequest) -> URL {
        var base = configuration.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var text = base + request.path
        if !request.queryPairs.isEmpty {
            text += "?" + request.queryPairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        }
        // The parts were percent-encoded when the request was built, so this cannot fail.
        return URL(string: text) ?? configuration.baseURL
    }
}
