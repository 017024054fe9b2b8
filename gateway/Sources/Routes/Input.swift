import Contracts
import Foundation
import HTTPTypes
import JSON
import Hummingbird
import NIOCore

/// Request bodies: JSON only, size-limited, parsed by `JSONParser`, read field by
/// field with every problem collected and named (`errors[].field`).
enum Body {
    /// The body as a JSON object. An empty body is an empty object when `allowEmpty`.
    /// `refusingNUL: false` is for a route whose fields check it themselves (login audits the claimed name).
    static func object(_ request: Request, limit: Int, allowEmpty: Bool = false, refusingNUL: Bool = true) async throws -> FieldReader {
        FieldReader(members: try await parsedObject(request, limit: limit, allowEmpty: allowEmpty, refusingNUL: refusingNUL).members)
    }

    /// The body as JSON text, checked to be one JSON object (empty: `{}` when
    /// `allowEmpty`), for a service that validates the fields itself.
    static func objectText(_ request: Request, limit: Int, allowEmpty: Bool = false) async throws -> String {
        let (members, buffer) = try await parsedObject(request, limit: limit, allowEmpty: allowEmpty)
        return members.isEmpty && allowEmpty ? "{}" : String(buffer: buffer)
    }

    private static func parsedObject(_ request: Request, limit: Int, allowEmpty: Bool, refusingNUL: Bool = true) async throws -> (members: [(String, JSONValue)], buffer: ByteBuffer) {
        let type = request.headers[.contentType]?.lowercased()
        if let type, !(type.hasPrefix("application/json") || (type.hasPrefix("application/") && type.contains("+json"))) {
            throw GatewayError(.unsupportedMediaType, "unsupported-media-type", "the body must be application/json",
                               errors: [FieldError("Content-Type", "must be application/json")])
        }
        let buffer = try await collect(request, limit: limit)
        // A body needs its type; only an empty one (where allowed) may come without.
        if type == nil, buffer.readableBytes > 0 {
            throw GatewayError(.unsupportedMediaType, "unsupported-media-type", "a JSON body needs Content-Type: application/json",
                               errors: [FieldError("Content-Type", "is required with a body")])
        }
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
        // PostgreSQL stores no NUL in text or jsonb; a JSON string can only hold one escaped.
        if refusingNUL, buffer.readableBytesView.contains(UInt8(ascii: "\\")), let field = Self.firstNUL(in: value, at: "") {
            throw GatewayError.invalid(field.isEmpty ? "body" : field, "must not contain NUL (\\u0000)")
        }
        return (members, buffer)
    }

    /// The path (`a.b[2]`, the spelling of field errors) of the first string or key holding NUL.
    static func firstNUL(in value: JSONValue, at path: String) -> String? {
        switch value {
        case .string(let text): return text.utf8.contains(0) ? path : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = firstNUL(in: item, at: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for (key, member) in members {
                let name = path.isEmpty ? key : "\(path).\(key)"
                if key.utf8.contains(0) { return path.isEmpty ? "body" : path }
                if let found = firstNUL(in: member, at: name) { return found }
            }
            return nil
        case .null, .bool, .int, .double: return nil
        }
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

extension FieldReader {
    /// Throws the collected problems as one 400 naming every field.
    func finish() throws {
        if !problems.isEmpty { throw GatewayError.invalid(problems) }
    }
}

/// The `{id}` path parameter as a positive integer.
func pathId(_ context: GatewayContext) throws -> Int64 {
    guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
        throw GatewayError.invalid("id", "must be a positive integer")
    }
    return id
}

extension JSONWriter {
    /// The written bytes as the response body's buffer.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
}

/// A JSON response.
func jsonResponse(_ writer: JSONWriter, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: writer.buffer))
}

extension FieldReader {
    /// A bus enum by its name (Contracts' `WireNamed`): the gateway checks the
    /// spelling, the service whether the value is allowed here.
    mutating func named<T: WireNamed>(_ name: String, _ type: T.Type, required: Bool = false) -> T? {
        guard let text = string(name, required: required, length: 1...64) else { return nil }
        guard let value = T(name: text) else {
            fail(name, "must be one of \(T.namesList)")
            return nil
        }
        return value
    }
}
