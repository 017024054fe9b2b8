import Foundation
import HTTPTypes
import JSON
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
