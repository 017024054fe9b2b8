import Bus
import Foundation
import JSON
import ServiceKit

/// Field rules shared by the dataset service's requests: each failure names
/// the field and the reason (the gateway checks too; the service never trusts it).
enum Fields {
    static func id(_ value: Int64, field: String) throws -> Int64 {
        try FieldChecks.id(value, field: field)
    }

    /// Dataset names: 1–255 letters, digits, '.', '_', '-' or spaces, not starting with a space.
    static func name(_ value: String, field: String) throws -> String {
        guard (1...255).contains(value.count) else { throw BusError.invalidArgument(field: field, "must be 1 to 255 characters") }
        guard value.first != " ", value.last != " ",
              value.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._- ".unicodeScalars.contains($0) }) else {
            throw BusError.invalidArgument(field: field, "may contain only letters, digits, '.', '_', '-' and inner spaces")
        }
        return value
    }

    static func text(_ value: String, field: String, max: Int) throws -> String {
        guard value.count <= max else { throw BusError.invalidArgument(field: field, "must be at most \(max) characters") }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) else {
            throw BusError.invalidArgument(field: field, "must not contain control characters")
        }
        return value
    }

    static func versionLabel(_ value: String, field: String) throws -> String {
        guard (1...50).contains(value.count), value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw BusError.invalidArgument(field: field, "must be 1 to 50 ASCII letters, digits, '.', '_' or '-'")
        }
        return value
    }

    static func page(skip: Int32, limit: Int32, maxLimit: Int = 500) throws -> (skip: Int, limit: Int) {
        guard skip >= 0 else { throw BusError.invalidArgument(field: "skip", "must be ≥ 0") }
        guard limit >= 0, Int(limit) <= maxLimit else { throw BusError.invalidArgument(field: "limit", "must be 1 to \(maxLimit)") }
        return (Int(skip), limit == 0 ? 20 : Int(limit))
    }

    /// One JSON value of any type (duplicate object keys refused).
    static func isJSON(_ text: String) -> Bool {
        (try? JSONValue.parse(text)) != nil
    }

    static func isJSONObject(_ text: String) -> Bool {
        guard case .object? = try? JSONValue.parse(text) else { return false }
        return true
    }
}
