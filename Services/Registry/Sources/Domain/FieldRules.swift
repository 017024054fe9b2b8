import ServiceKit
import Bus
import Foundation

/// Field checks shared by the request validators. Each names the proto field
/// it refuses, so the gateway can point at the offending input.
enum FieldRules {
    static let maxTags = 32
    static let maxTagLength = 64
    static let maxShortText = 255
    static let maxDescription = 10_000
    static let maxURI = 2_048
    static let maxJSONBytes = 64 * 1024

    /// Model names travel in URLs and file names: `[A-Za-z0-9._-]`, 1–255.
    static func modelName(_ value: String, field: String = "model_name") throws(BusError) -> String {
        guard !value.isEmpty else { throw .invalidArgument(field: field, "is required") }
        guard value.utf8.count <= maxShortText else { throw .invalidArgument(field: field, "must be at most \(maxShortText) characters") }
        guard value.unicodeScalars.allSatisfy(isNameScalar) else {
            throw .invalidArgument(field: field, "may contain only letters, digits, '.', '_' and '-'")
        }
        // "." and ".." would be read as path segments in /models/… URLs and file paths.
        guard value.contains(where: { $0 != "." }) else { throw .invalidArgument(field: field, "must not consist of dots only") }
        return value
    }

    /// Versions are free-form labels ("1.0.0", "2024-06-rc1") of 1–50 printable characters.
    static func version(_ value: String) throws(BusError) -> String {
        guard !value.isEmpty else { throw .invalidArgument(field: "version", "is required") }
        guard value.count <= 50 else { throw .invalidArgument(field: "version", "must be at most 50 characters") }
        guard value.unicodeScalars.allSatisfy({ !isControlOrSpace($0) }) else {
            throw .invalidArgument(field: "version", "must not contain spaces or control characters")
        }
        return value
    }

    /// An optional single-line text: empty means absent (stored as NULL).
    static func optionalText(_ value: String, field: String, max: Int = maxShortText) throws(BusError) -> String? {
        if value.isEmpty { return nil }
        guard value.count <= max else { throw .invalidArgument(field: field, "must be at most \(max) characters") }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidArgument(field: field, "must not contain control characters")
        }
        return value
    }

    /// Free text that may span lines (descriptions, reasons).
    static func optionalMultilineText(_ value: String, field: String, max: Int = maxDescription) throws(BusError) -> String? {
        if value.isEmpty { return nil }
        guard value.count <= max else { throw .invalidArgument(field: field, "must be at most \(max) characters") }
        guard !value.unicodeScalars.contains(where: { $0 == "\0" }) else {
            throw .invalidArgument(field: field, "must not contain NUL characters")
        }
        return value
    }

    /// At most 32 tags of 1–64 characters, without commas (the REST list filter
    /// splits on them) or control characters; duplicates collapse, order kept.
    static func tags(_ values: [String], field: String = "tags") throws(BusError) -> [String] {
        guard values.count <= maxTags else { throw .invalidArgument(field: field, "at most \(maxTags) tags are allowed") }
        var seen = Set<String>()
        var result: [String] = []
        for (index, tag) in values.enumerated() {
            let name = "\(field)[\(index)]"
            guard !tag.isEmpty else { throw .invalidArgument(field: name, "must not be empty") }
            guard tag.count <= maxTagLength else { throw .invalidArgument(field: name, "must be at most \(maxTagLength) characters") }
            guard !tag.contains(","), !tag.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidArgument(field: name, "must not contain commas or control characters")
            }
            guard tag.trimmingCharacters(in: .whitespaces) == tag else {
                throw .invalidArgument(field: name, "must not start or end with whitespace")
            }
            if seen.insert(tag).inserted { result.append(tag) }
        }
        return result
    }

    /// A JSON object as text, or nil when empty. Arrays, scalars and invalid JSON are refused.
    static func optionalJSONObject(_ value: String, field: String) throws(BusError) -> String? {
        if value.isEmpty { return nil }
        guard value.utf8.count <= maxJSONBytes else { throw .invalidArgument(field: field, "must be at most \(maxJSONBytes) bytes") }
        let parsed = try? JSONSerialization.jsonObject(with: Data(value.utf8), options: [.fragmentsAllowed])
        guard parsed is [String: Any] else { throw .invalidArgument(field: field, "must be a JSON object") }
        // PostgreSQL's jsonb refuses NUL in strings; refuse it here with the field's name.
        guard !value.contains("\\u0000") else { throw .invalidArgument(field: field, "must not contain \\u0000") }
        return value
    }

    /// A positive row id.
    static func id(_ value: Int64, field: String) throws(BusError) -> Int64 {
        try FieldChecks.id(value, field: field)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    private static func isControlOrSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
    }
}
