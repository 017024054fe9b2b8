import Foundation

/// A parsed JSON document: the platform's one JSON value. Integers and
/// fractions are kept apart (`2` is `.int`, `2.0` is `.double`), booleans are
/// never numbers, and objects keep their members in document order so a
/// value written back reads the same.
///
/// The one rule per type, used by `FieldReader` everywhere: an integer field
/// takes an integer literal only (`3`, not `3.0` or `3e0`); a number field
/// takes either; a string is never a number.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// An integer literal that fits in Int64 (no fraction, no exponent).
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Members in document order (duplicates are refused while parsing).
    case object([(String, JSONValue)])

    /// An object from a dictionary, members sorted by key so equal
    /// dictionaries always serialize to the same bytes.
    public init(object: [String: JSONValue]) {
        self = .object(object.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The JSON type's name, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// A member of an object (nil for a missing member or a non-object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// An object's members in document order.
    public var members: [(String, JSONValue)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// An object's members by name.
    public var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return Dictionary(members, uniquingKeysWith: { _, last in last })
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// An integer literal's value; nil for fractions (`3.0` is not an integer).
    public var intValue: Int64? {
        if case .int(let number) = self { return number }
        return nil
    }

    /// Any number as a Double (integers converted).
    public var numberValue: Double? {
        switch self {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact serialization in document order.
    public var serialized: String {
        var writer = JSONWriter()
        writer.value(self)
        return writer.string
    }

    /// Compact serialization as UTF-8 bytes.
    public var serializedBytes: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.bytes
    }

    /// Parses one JSON text (any top-level value).
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    public static func parse(_ data: Data) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse([UInt8](data))
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(bytes)
    }
}

/// JSON equality: objects compare as sets of members (order does not matter),
/// `1` and `1.0` are different values.
extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            let right = Dictionary(b, uniquingKeysWith: { _, last in last })
            return a.allSatisfy { right[$0.0] == $0.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let flag): hasher.combine(1); hasher.combine(flag)
        case .int(let number): hasher.combine(2); hasher.combine(number)
        case .double(let number): hasher.combine(3); hasher.combine(number)
        case .string(let text): hasher.combine(4); hasher.combine(text)
        case .array(let items): hasher.combine(5); hasher.combine(items)
        case .object(let members):
            // Order-independent, like ==.
            hasher.combine(6)
            var combined = 0
            for (name, value) in members {
                var member = Hasher()
                member.combine(name)
                member.combine(value)
                combined ^= member.finalize()
            }
            hasher.combine(combined)
        }
    }
}
