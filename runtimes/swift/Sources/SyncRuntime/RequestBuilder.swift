import Foundation

/// How an array or object parameter is written (OpenAPI `style`).
public enum ParameterStyle: Sendable {
    case simple, label, matrix, form, spaceDelimited, pipeDelimited, deepObject
}

/// Builds an [`HTTPRequest`] from typed values: every value is encoded to JSON first, so any
/// `Encodable` (dates, enums, nested objects) is written the way the API expects it, then
/// serialised per the parameter's style and percent-encoded.
public struct RequestBuilder: Sendable {
    public private(set) var request: HTTPRequest

    public init(method: String) {
        request = HTTPRequest(method: method)
    }

    /// A literal part of the path, as the spec writes it.
    public mutating func literal(_ literal: String) {
        request.path += literal
    }

    /// A path parameter, encoded so a `/` or `?` in it cannot change the path.
    public mutating func path<T: Encodable>(_ value: T, style: ParameterStyle = .simple, explode: Bool = false) throws {
        let json = try JSONValue(encoding: value)
        let text = Self.joined(json, separator: ",", explode: explode) ?? ""
        switch style {
        case .label: request.path += "." + Self.escape(text, allowed: .pathValue)
        case .matrix: request.path += ";" + Self.escape(text, allowed: .pathValue)
        default: request.path += Self.escape(text, allowed: .pathValue)
        }
    }

    /// A query parameter; `nil` leaves it out.
    public mutating func query<T: Encodable>(
        _ name: String, _ value: T?, style: ParameterStyle = .form, explode: Bool = true
    ) throws {
        guard let value else { return }
        let json = try JSONValue(encoding: value)
        let key = Self.escape(name, allowed: .queryValue)
        switch (json, style) {
        case (.null, _):
            return
        case (.array(let items), .form) where explode:
            for item in items { add(key, Self.scalar(item)) }
        case (.object(let members), .deepObject):
            for (member, item) in members.sorted(by: { $0.key < $1.key }) {
                add(key + "%5B" + Self.escape(member, allowed: .queryValue) + "%5D", Self.scalar(item))
            }
        case (.object(let members), .form) where explode:
            for (member, item) in members.sorted(by: { $0.key < $1.key }) {
                add(Self.escape(member, allowed: .queryValue), Self.scalar(item))
            }
        case (.array, .spaceDelimited):
            add(key, Self.joined(json, separator: " ", explode: false))
        case (.array, .pipeDelimited):
            add(key, Self.joined(json, separator: "|", explode: false))
        default:
            add(key, Self.joined(json, separator: ",", explode: false))
        }
    }

    /// A header parameter; `nil` leaves it out.
    public mutating func header<T: Encodable>(_ name: String, _ value: T?) throws {
        guard let value else { return }
        let json = try JSONValue(encoding: value)
        if let text = Self.joined(json, separator: ",", explode: false) { request.headers[name] = text }
    }

    /// A cookie parameter; `nil` leaves it out.
    public mutating func cookie<T: Encodable>(_ name: String, _ value: T?) throws {
        guard let value else { return }
        let json = try JSONValue(encoding: value)
        guard let text = Self.joined(json, separator: ",", explode: false) else { return }
        let pair = name + "=" + Self.escape(text, allowed: .queryValue)
        if let existing = request.headers["Cookie"] {
            request.headers["Cookie"] = existing + "; " + pair
        } else {
            request.headers["Cookie"] = pair
        }
    }

    /// A JSON body.
    public mutating func json<T: Encodable>(_ body: T, contentType: String = "application/json") throws {
        request.body = try JSONCoding.encoder().encode(body)
        request.headers["Content-Type"] = contentType
    }

    /// An `application/x-www-form-urlencoded` body made from the value's JSON members.
    public mutating func form<T: Encodable>(_ body: T, contentType: String = "application/x-www-form-urlencoded") throws {
        guard case .object(let members) = try JSONValue(encoding: body) else {
            throw RequestEncodingError("a form body must be an object")
        }
        let pairs = members.sorted(by: { $0.key < $1.key }).compactMap { name, value -> String? in
            guard let text = Self.scalar(value) else { return nil }
            return Self.escape(name, allowed: .formValue) + "=" + Self.escape(text, allowed: .formValue)
        }
        request.body = Data(pairs.joined(separator: "&").utf8)
        request.headers["Content-Type"] = contentType
    }

    /// A `multipart/form-data` body: one part per JSON member of the value.
    public mutating func multipart<T: Encodable>(_ body: T) throws {
        guard case .object(let members) = try JSONValue(encoding: body) else {
            throw RequestEncodingError("a multipart body must be an object")
        }
        let boundary = "sync-patterns-" + UUID().uuidString
        var data = Data()
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            let safeName = name.replacingOccurrences(of: "\"", with: "%22")
                .replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
            data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(safeName)\"\r\n\r\n".utf8))
            switch value {
            case .object, .array: data.append(try JSONCoding.encoder().encode(value))
            default: data.append(Data((Self.scalar(value) ?? "").utf8))
            }
            data.append(Data("\r\n".utf8))
        }
        data.append(Data("--\(boundary)--\r\n".utf8))
        request.body = data
        request.headers["Content-Type"] = "multipart/form-data; boundary=\(boundary)"
    }

    /// A text body.
    public mutating func text(_ body: String, contentType: String) {
        request.body = Data(body.utf8)
        request.headers["Content-Type"] = contentType
    }

    /// A body of raw bytes.
    public mutating func data(_ body: Data, contentType: String) {
        request.body = body
        request.headers["Content-Type"] = contentType
    }

    private mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        request.queryPairs.append(.init(name: key, value: Self.escape(value, allowed: .queryValue, already: true)))
    }

    /// A scalar as text; `nil` for `null`.
    static func scalar(_ value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .number(let number):
            return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): return text
        case .array, .object:
            return (try? JSONCoding.encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Arrays joined by `separator`, objects as `k,v,k,v` (or `k=v` exploded), scalars as text.
    static func joined(_ value: JSONValue, separator: String, explode: Bool) -> String? {
        switch value {
        case .array(let items): return items.compactMap(scalar).joined(separator: separator)
        case .object(let members):
            return members.sorted(by: { $0.key < $1.key }).compactMap { name, item in
                scalar(item).map { explode ? "\(name)=\($0)" : "\(name)\(separator)\($0)" }
            }.joined(separator: separator)
        default: return scalar(value)
        }
    }

    static func escape(_ text: String, allowed: CharacterSet, already: Bool = false) -> String {
        if already && text.unicodeScalars.allSatisfy({ allowed.contains($0) }) { return text }
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension CharacterSet {
    /// Unreserved characters only: everything else in a path segment is escaped.
    static let pathValue = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    static let queryValue = pathValue
    static let formValue = pathValue
}
