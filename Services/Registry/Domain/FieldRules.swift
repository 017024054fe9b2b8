import Foundation
import JSON

/// Field checks shared by the request rules. Each names the request field
/// it refuses, so the gateway can point at the offending input.
public enum FieldRules {
    public static let maxTags = 32
    public static let maxTagLength = 64
    public static let maxShortText = 255
    public static let maxDescription = 10_000
    public static let maxURI = 2_048
    public static let maxJSONBytes = 64 * 1024

    /// Model names travel in URLs and file names: `[A-Za-z0-9._-]`, 1–255.
    public static func modelName(_ value: String, field: String = "model_name") throws(RegistryRuleError) -> String {
        guard !value.isEmpty else { throw .invalidField(field: field, reason: "is required") }
        guard value.utf8.count <= maxShortText else { throw .invalidField(field: field, reason: "must be at most \(maxShortText) characters") }
        guard value.unicodeScalars.allSatisfy(isNameScalar) else {
            throw .invalidField(field: field, reason: "may contain only letters, digits, '.', '_' and '-'")
        }
        // "." and ".." would be read as path segments in /models/… URLs and file paths.
        guard value.contains(where: { $0 != "." }) else { throw .invalidField(field: field, reason: "must not consist of dots only") }
        return value
    }

    /// Versions ("1.0.0", "2024-06-rc1") follow the names' charset, `[A-Za-z0-9._-]`,
    /// 1–50: they too end up in URLs and file paths.
    public static func version(_ value: String) throws(RegistryRuleError) -> String {
        guard !value.isEmpty else { throw .invalidField(field: "version", reason: "is required") }
        guard value.count <= 50 else { throw .invalidField(field: "version", reason: "must be at most 50 characters") }
        guard value.unicodeScalars.allSatisfy(isNameScalar) else {
            throw .invalidField(field: "version", reason: "may contain only letters, digits, '.', '_' and '-'")
        }
        guard value.contains(where: { $0 != "." }) else { throw .invalidField(field: "version", reason: "must not consist of dots only") }
        return value
    }

    /// The URI schemes an MLflow model reference may use; anything else
    /// (javascript:, file:, data:) is refused before a page could link it.
    public static let modelURISchemes = ["runs:/", "models:/", "mlflow-artifacts:", "http://", "https://"]

    /// An optional MLflow model URI: single-line, no whitespace, an allowed scheme.
    public static func optionalModelURI(_ value: String, field: String = "mlflow_model_uri") throws(RegistryRuleError) -> String? {
        guard let uri = try optionalText(value, field: field, max: maxURI) else { return nil }
        guard !uri.contains(where: \.isWhitespace) else { throw .invalidField(field: field, reason: "must not contain whitespace") }
        let lower = uri.lowercased()
        guard let scheme = modelURISchemes.first(where: lower.hasPrefix), uri.count > scheme.count else {
            throw .invalidField(field: field, reason: "must start with one of \(modelURISchemes.joined(separator: ", ")) and name a model")
        }
        return uri
    }

    /// An optional single-line text: empty means absent (stored as NULL).
    public static func optionalText(_ value: String, field: String, max: Int = maxShortText) throws(RegistryRuleError) -> String? {
        if value.isEmpty { return nil }
        guard value.count <= max else { throw .invalidField(field: field, reason: "must be at most \(max) characters") }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidField(field: field, reason: "must not contain control characters")
        }
        return value
    }

    /// Free text that may span lines (descriptions, reasons).
    public static func optionalMultilineText(_ value: String, field: String, max: Int = maxDescription) throws(RegistryRuleError) -> String? {
        if value.isEmpty { return nil }
        guard value.count <= max else { throw .invalidField(field: field, reason: "must be at most \(max) characters") }
        guard !value.unicodeScalars.contains(where: { $0 == "\0" }) else {
            throw .invalidField(field: field, reason: "must not contain NUL characters")
        }
        return value
    }

    /// At most 32 tags of 1–64 characters, without commas (the REST list filter
    /// splits on them) or control characters; duplicates collapse, order kept.
    public static func tags(_ values: [String], field: String = "tags") throws(RegistryRuleError) -> [String] {
        guard values.count <= maxTags else { throw .invalidField(field: field, reason: "at most \(maxTags) tags are allowed") }
        var seen = Set<String>()
        var result: [String] = []
        for (index, tag) in values.enumerated() {
            let name = "\(field)[\(index)]"
            guard !tag.isEmpty else { throw .invalidField(field: name, reason: "must not be empty") }
            guard tag.count <= maxTagLength else { throw .invalidField(field: name, reason: "must be at most \(maxTagLength) characters") }
            guard !tag.contains(","), !tag.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidField(field: name, reason: "must not contain commas or control characters")
            }
            guard tag.trimmingCharacters(in: .whitespaces) == tag else {
                throw .invalidField(field: name, reason: "must not start or end with whitespace")
            }
            if seen.insert(tag).inserted { result.append(tag) }
        }
        return result
    }

    /// A JSON object as text (kept as sent), or nil when empty. Arrays, scalars
    /// and invalid JSON (duplicate keys included) are refused.
    public static func optionalJSONObject(_ value: String, field: String) throws(RegistryRuleError) -> String? {
        if value.isEmpty { return nil }
        guard value.utf8.count <= maxJSONBytes else { throw .invalidField(field: field, reason: "must be at most \(maxJSONBytes) bytes") }
        guard let parsed = try? JSONValue.parse(value), case .object = parsed else {
            throw .invalidField(field: field, reason: "must be a JSON object")
        }
        // PostgreSQL's jsonb refuses NUL in strings; refuse it here with the field's name.
        guard !containsNUL(parsed) else { throw .invalidField(field: field, reason: "must not contain \\u0000") }
        return value
    }

    /// A positive row id.
    public static func id(_ value: Int64, field: String) throws(RegistryRuleError) -> Int64 {
        guard value > 0 else { throw .invalidField(field: field, reason: "must be a positive id") }
        return value
    }

    private static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.utf8.contains(0)
        case .array(let items): items.contains(where: containsNUL)
        case .object(let members): members.contains { $0.0.utf8.contains(0) || containsNUL($0.1) }
        case .null, .bool, .int, .double: false
        }
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }
}
