import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Request bodies: JSON only, size-limited, parsed by `JSONParser`, read field by
/// field with every problem collected and named (`errors[].field`).
enum Body {
    /// The body as a JSON object. An empty body is an empty object when `allowEmpty`.
    static func object(_ request: Request, limit: Int, allowEmpty: Bool = false) async throws -> FieldReader {
        FieldReader(members: try await parsedObject(request, limit: limit, allowEmpty: allowEmpty).members)
    }

    /// The body as JSON text, checked to be one JSON object (empty: `{}` when
    /// `allowEmpty`), for a service that validates the fields itself.
    static func objectText(_ request: Request, limit: Int, allowEmpty: Bool = false) async throws -> String {
        let (members, buffer) = try await parsedObject(request, limit: limit, allowEmpty: allowEmpty)
        return members.isEmpty && allowEmpty ? "{}" : String(buffer: buffer)
    }

    private static func parsedObject(_ request: Request, limit: Int, allowEmpty: Bool) async throws -> (members: [(String, JSONValue)], buffer: ByteBuffer) {
        if let type = request.headers[.contentType]?.lowercased(),
           !(type.hasPrefix("application/json") || (type.hasPrefix("application/") && type.contains("+json"))) {
            throw GatewayError(.unsupportedMediaType, "unsupported-media-type", "the body must be application/json",
                               errors: [FieldError("Content-Type", "must be application/json")])
        }
        let buffer = try await collect(request, limit: limit)
        if buffer.readableBytes == 0 || buffer.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if allowEmpty { return ([], buffer) }
            throw GatewayError.invalid("body", "a JSON object is required")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw GatewayError.invalid("body", "not valid JSON: \(error.description)")
        }
        guard case .object(let members) = value else {
            throw GatewayError.invalid("body", "must be a JSON object, not \(value.typeName)")
        }
        return (members, buffer)
    }

    /// The whole body, refusing more than `limit` bytes with 413.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw GatewayError.tooLarge("the body is \(length) bytes; at most \(limit) are accepted")
        }
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            guard buffer.readableBytes + chunk.readableBytes <= limit else {
                throw GatewayError.tooLarge("the body is larger than \(limit) bytes")
            }
            var chunk = chunk
            buffer.writeBuffer(&chunk)
        }
        return buffer
    }
}

/// Typed access to a JSON object's members, collecting field errors.
struct FieldReader {
    let members: [(String, JSONValue)]
    private(set) var errors: [FieldError] = []

    init(members: [(String, JSONValue)]) { self.members = members }

    private func value(_ name: String) -> JSONValue? {
        guard let value = members.first(where: { $0.0 == name })?.1 else { return nil }
        if case .null = value { return nil }
        return value
    }

    func has(_ name: String) -> Bool { members.contains { $0.0 == name } }

    mutating func fail(_ field: String, _ message: String) { errors.append(FieldError(field, message)) }

    mutating func string(_ name: String, required: Bool = false, length: ClosedRange<Int> = 0...10_000, pattern: StringPattern? = nil) -> String? {
        guard let value = value(name) else {
            if required { fail(name, "is required") }
            return nil
        }
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

    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type, required: Bool = false) -> T? where T.RawValue == String {
        guard let text = string(name, required: required, length: 1...64) else { return nil }
        guard let value = T(rawValue: text) else {
            fail(name, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    mutating func int(_ name: String, required: Bool = false, range: ClosedRange<Int64>) -> Int64? {
        guard let value = value(name) else {
            if required { fail(name, "is required") }
            return nil
        }
        guard case .int(let number) = value else {
            fail(name, "must be an integer, not \(value.typeName == "number" ? "a fraction" : value.typeName)")
            return nil
        }
        guard range.contains(number) else {
            fail(name, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return number
    }

    mutating func double(_ name: String, required: Bool = false) -> Double? {
        guard let value = value(name) else {
            if required { fail(name, "is required") }
            return nil
        }
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default:
            fail(name, "must be a number, not \(value.typeName)")
            return nil
        }
    }

    mutating func bool(_ name: String, required: Bool = false) -> Bool? {
        guard let value = value(name) else {
            if required { fail(name, "is required") }
            return nil
        }
        guard case .bool(let flag) = value else {
            fail(name, "must be true or false, not \(value.typeName)")
            return nil
        }
        return flag
    }

    /// A JSON object member, returned serialized.
    mutating func object(_ name: String, maxBytes: Int = 64 * 1024) -> String? {
        guard let value = value(name) else { return nil }
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

    mutating func strings(_ name: String, maxCount: Int, length: ClosedRange<Int>) -> [String]? {
        guard let value = value(name) else { return nil }
        guard case .array(let items) = value else {
            fail(name, "must be an array of strings, not \(value.typeName)")
            return nil
        }
        guard items.count <= maxCount else {
            fail(name, "must have at most \(maxCount) items")
            return nil
        }
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
    mutating func array(_ name: String, maxCount: Int, required: Bool = false) -> [JSONValue]? {
        guard let value = value(name) else {
            if required { fail(name, "is required") }
            return nil
        }
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
    mutating func stringMap(_ name: String, maxCount: Int) -> [String: String]? {
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

    /// Members not in `allowed` are refused (a typo must not be ignored silently).
    mutating func rejectUnknown(_ allowed: Set<String>) {
        for (name, _) in members where !allowed.contains(name) {
            fail(name, "is not a known field")
        }
    }

    func finish() throws {
        if !errors.isEmpty { throw GatewayError.invalid(errors) }
    }
}

/// A character-class check with its message.
struct StringPattern: Sendable {
    let allowed: @Sendable (Unicode.Scalar) -> Bool
    let message: String

    func matches(_ text: String) -> Bool { text.unicodeScalars.allSatisfy(allowed) }

    static let modelName = StringPattern(allowed: { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "." || $0 == "_" || $0 == "-") },
                                         message: "may contain only A-Z a-z 0-9 . _ -")
    static let sha256 = StringPattern(allowed: { ("0"..."9").contains($0) || ("a"..."f").contains($0) },
                                      message: "must be 64 lower-case hex digits")
    static let printable = StringPattern(allowed: { $0.value >= 0x20 && $0.value != 0x7F }, message: "must not contain control characters")
}

/// Query parameters, validated and named.
struct QueryReader {
    let parameters: [(Substring, Substring)]
    private(set) var errors: [FieldError] = []

    init(_ request: Request) {
        var all: [(Substring, Substring)] = []
        for (name, value) in request.uri.queryParameters { all.append((name, value)) }
        parameters = all
    }

    private func last(_ name: String) -> String? {
        parameters.last(where: { $0.0 == name }).map { String($0.1) }
    }

    mutating func fail(_ field: String, _ message: String) { errors.append(FieldError(field, message)) }

    mutating func string(_ name: String, maxLength: Int = 255) -> String? {
        guard let text = last(name), !text.isEmpty else { return nil }
        guard text.count <= maxLength else {
            fail(name, "must be at most \(maxLength) characters")
            return nil
        }
        return text
    }

    mutating func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
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

    mutating func optionalInt(_ name: String, range: ClosedRange<Int>) -> Int? {
        guard last(name) != nil else { return nil }
        let value = int(name, default: Int.min, range: range)
        return value == Int.min ? nil : value
    }

    mutating func bool(_ name: String) -> Bool? {
        guard let text = last(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            fail(name, "must be true or false")
            return nil
        }
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = last(name) else { return nil }
        guard let value = T(rawValue: text) else {
            fail(name, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    mutating func timestamp(_ name: String) -> Int64? {
        guard let text = last(name) else { return nil }
        guard let ms = RFC3339.parseUnixMs(text) else {
            fail(name, "must be an RFC 3339 timestamp like 2026-11-21T10:00:00Z")
            return nil
        }
        return ms
    }

    /// Comma-separated or repeated values.
    mutating func list(_ name: String, maxCount: Int, maxLength: Int) -> [String] {
        var out: [String] = []
        for (key, value) in parameters where key == name {
            for part in value.split(separator: ",") {
                let text = part.trimmingCharacters(in: .whitespaces)
                if !text.isEmpty { out.append(text) }
            }
        }
        if out.count > maxCount { fail(name, "must have at most \(maxCount) values") }
        if out.contains(where: { $0.count > maxLength }) { fail(name, "values must be at most \(maxLength) characters") }
        return out
    }

    func finish() throws {
        if !errors.isEmpty { throw GatewayError.invalid(errors) }
    }
}

/// The `{id}` path parameter as a positive integer.
func pathId(_ context: GatewayContext) throws -> Int64 {
    guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
        throw GatewayError.invalid("id", "must be a positive integer")
    }
    return id
}

/// A JSON response.
func jsonResponse(_ writer: JSONWriter, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: writer.buffer))
}
