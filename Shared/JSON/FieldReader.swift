import Foundation

/// One refused input field: `{"field":"limit","message":"must be between 1 and 1000"}`.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// `job_name`, `hyperparameters.lora_rank`, `tags[1]`, …
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `hyperparameters.lora_rank: must be at least 1`
    public var description: String { "\(field): \(message)" }
}

/// Typed reads of a JSON object's members that collect a `FieldError` for each
/// bad one instead of stopping at the first; the caller throws its own error
/// type from `problems`. A missing member or `null` reads as nil with no
/// problem unless `required`. One rule per type (see `JSONValue`): integers
/// are integer literals only, numbers are integers or fractions.
public struct FieldReader {
    public let members: [(String, JSONValue)]
    /// Prefix of every reported field name: "" or "hyperparameters.".
    public let prefix: String
    public private(set) var problems: [FieldError] = []

    public init(members: [(String, JSONValue)], prefix: String = "") {
        self.members = members
        self.prefix = prefix
    }

    /// A reader over `value`'s members; a non-object reads as an empty one.
    public init(_ value: JSONValue, prefix: String = "") {
        self.init(members: value.members ?? [], prefix: prefix)
    }

    /// The raw value, nil when missing or null.
    public func value(_ name: String) -> JSONValue? {
        guard let value = members.first(where: { $0.0 == name })?.1, !value.isNull else { return nil }
        return value
    }

    public func has(_ name: String) -> Bool { members.contains { $0.0 == name } }

    public mutating func fail(_ field: String, _ message: String) {
        problems.append(FieldError(prefix + field, message))
    }

    /// Takes over another reader's problems (already prefixed).
    public mutating func merge(_ other: FieldReader) { problems += other.problems }

    private mutating func present(_ name: String, _ required: Bool) -> JSONValue? {
        guard let value = value(name) else {
            if required { fail(name, "is required") }
            return nil
        }
        return value
    }

    public mutating func string(_ name: String, required: Bool = false, length: ClosedRange<Int> = 0...10_000, pattern: StringPattern? = nil) -> String? {
        guard let value = present(name, required) else { return nil }
        guard case .string(let text) = value else {
            fail(name, "must be a string, not \(value.typeName)")
            return nil
        }
        guard length.contains(text.count) else {
            fail(name, length.lowerBound == length.upperBound ? "must be \(length.lowerBound) characters" : "must be \(length.lowerBound) to \(length.upperBound) characters")
            return nil
        }
        if let pattern, !pattern.matches(text) {
            fail(name, pattern.message)
            return nil
        }
        return text
    }

    /// A value of a string-backed enum, refused with the list of choices.
    public mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type, required: Bool = false) -> T? where T.RawValue == String {
        guard let text = string(name, required: required, length: 1...64) else { return nil }
        guard let value = T(rawValue: text) else {
            fail(name, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// An integer literal within `range` (`3.0` is refused: it is a fraction).
    public mutating func int(_ name: String, required: Bool = false, range: ClosedRange<Int64>) -> Int64? {
        guard let value = present(name, required) else { return nil }
        guard case .int(let number) = value else {
            fail(name, "must be an integer, not \(value.typeName == "number" ? "a fraction" : value.typeName)")
            return nil
        }
        guard range.contains(number) else {
            fail(name, range.upperBound == Int64.max ? "must be at least \(range.lowerBound)" : "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return number
    }

    /// Where a number must lie.
    public enum NumberBound: Sendable {
        case any, positive, nonNegative
        /// 0 ≤ x < 1
        case unitInterval
    }

    /// A number (integer or fraction) within `bound`.
    public mutating func double(_ name: String, required: Bool = false, _ bound: NumberBound = .any) -> Double? {
        guard let value = present(name, required) else { return nil }
        guard let number = value.numberValue, number.isFinite else {
            fail(name, "must be a number, not \(value.typeName)")
            return nil
        }
        switch bound {
        case .positive where !(number > 0): fail(name, "must be greater than 0")
        case .nonNegative where !(number >= 0): fail(name, "must be at least 0")
        case .unitInterval where !(number >= 0 && number < 1): fail(name, "must be at least 0 and less than 1")
        default: return number
        }
        return nil
    }

    public mutating func bool(_ name: String, required: Bool = false) -> Bool? {
        guard let value = present(name, required) else { return nil }
        guard case .bool(let flag) = value else {
            fail(name, "must be true or false, not \(value.typeName)")
            return nil
        }
        return flag
    }

    /// An object member, returned serialized (for a service that keeps it as text).
    public mutating func object(_ name: String, required: Bool = false, maxBytes: Int = 64 * 1024) -> String? {
        guard let value = present(name, required) else { return nil }
        guard case .object = value else {
            fail(name, "must be an object, not \(value.typeName)")
            return nil
        }
        let text = value.serialized
        guard text.utf8.count <= maxBytes else {
            fail(name, "must be at most \(maxBytes) bytes of JSON")
            return nil
        }
        return text
    }

    /// An object member as a reader of its own, whose problems are prefixed
    /// `name.`; merge it back with `merge`.
    public mutating func nested(_ name: String, required: Bool = false) -> FieldReader? {
        guard let value = present(name, required) else { return nil }
        guard case .object(let members) = value else {
            fail(name, "must be an object, not \(value.typeName)")
            return nil
        }
        return FieldReader(members: members, prefix: prefix + name + ".")
    }

    public mutating func strings(_ name: String, required: Bool = false, maxCount: Int, length: ClosedRange<Int>) -> [String]? {
        guard let items = array(name, maxCount: maxCount, required: required) else { return nil }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                fail("\(name)[\(index)]", "must be a string, not \(item.typeName)")
                return nil
            }
            guard length.contains(text.count) else {
                fail("\(name)[\(index)]", "must be \(length.lowerBound) to \(length.upperBound) characters")
                return nil
            }
            out.append(text)
        }
        return out
    }

    /// An array member's raw items (at most `maxCount`).
    public mutating func array(_ name: String, maxCount: Int, required: Bool = false) -> [JSONValue]? {
        guard let value = present(name, required) else { return nil }
        guard case .array(let items) = value else {
            fail(name, "must be an array, not \(value.typeName)")
            return nil
        }
        guard items.count <= maxCount else {
            fail(name, "must have at most \(maxCount) items")
            return nil
        }
        return items
    }

    /// An object member whose values are all strings (e.g. a column mapping).
    public mutating func stringMap(_ name: String, maxCount: Int) -> [String: String]? {
        guard let value = value(name) else { return nil }
        guard case .object(let members) = value, members.count <= maxCount else {
            fail(name, "must be an object of at most \(maxCount) string members")
            return nil
        }
        var out: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else {
                fail("\(name).\(key)", "must be a string")
                return nil
            }
            out[key] = text
        }
        return out
    }

    /// Members not in `allowed` are refused: a typo must not be ignored silently.
    public mutating func rejectUnknown(_ allowed: Set<String>) {
        for (name, _) in members where !allowed.contains(name) {
            fail(name, "is not a known field")
        }
    }
}

/// A character-class check with its message.
public struct StringPattern: Sendable {
    public let allowed: @Sendable (Unicode.Scalar) -> Bool
    public let message: String

    public init(allowed: @escaping @Sendable (Unicode.Scalar) -> Bool, message: String) {
        self.allowed = allowed
        self.message = message
    }

    public func matches(_ text: String) -> Bool { text.unicodeScalars.allSatisfy(allowed) }

    public static let modelName = StringPattern(allowed: { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "_" || $0 == "-") },
                                                message: "may contain only A-Z a-z 0-9 . _ -")
    public static let sha256 = StringPattern(allowed: { ("0"..."9").contains($0) || ("a"..."f").contains($0) },
                                             message: "must be 64 lower-case hex digits")
    public static let printable = StringPattern(allowed: { $0.value >= 0x20 && $0.value != 0x7F }, message: "must not contain control characters")
}
extension FieldError: Error {}
