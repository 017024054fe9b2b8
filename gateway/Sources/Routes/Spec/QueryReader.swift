import Foundation
import Hummingbird
import JSON

/// A route's query parameters, validated by its spec and named in errors.
/// Reading a parameter the spec does not declare is a programming error.
struct QueryReader {
    let spec: RouteSpec
    let parameters: [(Substring, Substring)]
    private(set) var errors: [FieldError] = []

    init(_ request: Request, _ spec: RouteSpec) {
        self.spec = spec
        var all: [(Substring, Substring)] = []
        for (name, value) in request.uri.queryParameters {
            // Filters and names never hold control characters (and PostgreSQL no NUL): refused once, here.
            if let bad = value.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                errors.append(FieldError(String(name), bad.value == 0 ? "must not contain NUL (\\u0000)" : "must not contain control characters"))
                continue
            }
            all.append((name, value))
        }
        parameters = all
    }

    private func declared(_ name: String) -> QueryParameter.Kind {
        guard let parameter = spec.queryParameter(name) else {
            preconditionFailure("\(spec.operationId) reads the query parameter '\(name)' that its spec does not declare")
        }
        return parameter.kind
    }

    private func last(_ name: String) -> String? {
        parameters.last(where: { $0.0 == name }).map { String($0.1) }
    }

    mutating func fail(_ field: String, _ message: String) { errors.append(FieldError(field, message)) }

    mutating func string(_ name: String) -> String? {
        guard case .string(let maxLength) = declared(name) else { preconditionFailure("\(name) is not a string parameter") }
        guard let text = last(name), !text.isEmpty else { return nil }
        guard text.count <= maxLength else {
            fail(name, "must be at most \(maxLength) characters")
            return nil
        }
        return text
    }

    /// An integer parameter: its default when absent (nil when it has none).
    mutating func int(_ name: String) -> Int? {
        guard case .integer(let range, let defaultValue) = declared(name) else { preconditionFailure("\(name) is not an integer parameter") }
        guard let text = last(name) else { return defaultValue }
        guard let value = Int(text) else {
            fail(name, "must be an integer")
            return defaultValue
        }
        guard range.contains(value) else {
            fail(name, range.upperBound == Int.max ? "must be at least \(range.lowerBound)" : "must be between \(range.lowerBound) and \(range.upperBound)")
            return defaultValue
        }
        return value
    }

    mutating func bool(_ name: String) -> Bool? {
        guard case .boolean = declared(name) else { preconditionFailure("\(name) is not a boolean parameter") }
        guard let text = last(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            fail(name, "must be true or false")
            return nil
        }
    }

    mutating func choice(_ name: String) -> String? {
        guard case .choice(let values, let defaultValue) = declared(name) else { preconditionFailure("\(name) is not a choice parameter") }
        guard let text = last(name), !text.isEmpty else { return defaultValue }
        guard values.contains(text) else {
            fail(name, "must be one of \(values.joined(separator: ", "))")
            return defaultValue
        }
        return text
    }

    mutating func timestamp(_ name: String) -> Int64? {
        guard case .timestamp = declared(name) else { preconditionFailure("\(name) is not a timestamp parameter") }
        guard let text = last(name) else { return nil }
        guard let ms = RFC3339.parseUnixMs(text) else {
            fail(name, "must be an RFC 3339 timestamp like 2026-11-21T10:00:00Z")
            return nil
        }
        return ms
    }

    /// Comma-separated or repeated values, each checked against the item type.
    mutating func list(_ name: String) -> [String] {
        guard case .list(let item, let maxCount) = declared(name) else { preconditionFailure("\(name) is not a list parameter") }
        var out: [String] = []
        for (key, value) in parameters where key == name {
            for part in value.split(separator: ",") {
                let text = part.trimmingCharacters(in: .whitespaces)
                if !text.isEmpty { out.append(text) }
            }
        }
        if out.count > maxCount { fail(name, "must have at most \(maxCount) values") }
        switch item {
        case .string(let maxLength):
            if out.contains(where: { $0.count > maxLength }) { fail(name, "values must be at most \(maxLength) characters") }
        case .positiveInteger:
            if out.contains(where: { Int64($0).map { $0 <= 0 } ?? true }) { fail(name, "must be positive integer ids, comma-separated or repeated") }
        case .choice(let values):
            if out.contains(where: { !values.contains($0) }) { fail(name, "must be a comma-separated list of \(values.joined(separator: ", "))") }
        }
        return out
    }

    /// `skip` and `limit` as the spec declares them (`ListLimits`).
    mutating func page() -> ListPage {
        ListPage(skip: int("skip") ?? 0, limit: int("limit") ?? 0)
    }

    func finish() throws {
        if !errors.isEmpty { throw GatewayError.invalid(errors) }
    }
}
