import Foundation

/// A coding key made from any string: for discriminators and other keys known only at run time.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?

    public init(_ string: String) {
        stringValue = string
        intValue = nil
    }

    public init?(stringValue: String) { self.init(stringValue) }

    public init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// A value kept on the heap, for a struct that contains itself (`Node.parent: Indirect<Node>?`):
/// Swift structs cannot hold themselves by value. Encodes as the value itself.
public final class Indirect<Wrapped: Sendable>: @unchecked Sendable {
    /// Immutable, which is what makes sharing it across tasks safe.
    public let value: Wrapped

    public init(_ value: Wrapped) {
        self.value = value
    }
}

extension Indirect: Equatable where Wrapped: Equatable {
    public static func == (lhs: Indirect, rhs: Indirect) -> Bool { lhs.value == rhs.value }
}

extension Indirect: Hashable where Wrapped: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

extension Indirect: Encodable where Wrapped: Encodable {
    public func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}

extension Indirect: Decodable where Wrapped: Decodable {
    public convenience init(from decoder: Decoder) throws { self.init(try Wrapped(from: decoder)) }
}

/// Decoding of `oneOf`/`anyOf` values.
public enum UnionDecoding {
    /// The discriminator property's value, as text.
    public static func tag(_ decoder: Decoder, property: String) throws -> String {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let key = AnyCodingKey(property)
        if let text = try? container.decode(String.self, forKey: key) { return text }
        if let number = try? container.decode(Int64.self, forKey: key) { return String(number) }
        if let flag = try? container.decode(Bool.self, forKey: key) { return flag ? "true" : "false" }
        throw DecodingError.keyNotFound(
            key, .init(codingPath: decoder.codingPath, debugDescription: "the discriminator `\(property)` is missing"))
    }

    /// The error for a value no variant matched.
    public static func noMatch(_ decoder: Decoder, type: String, detail: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a valid \(type): \(detail)"))
    }
}
