import Bus
import Contracts
import HTTPTypes
import Hummingbird
import JSON
import NIOCore

/// The gateway's one error type. Everything a route or middleware throws ends
/// up as one of these (see `Problem.from`), rendered as RFC 9457
/// `application/problem+json` in one place (`Problem.response`).
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// The last part of the problem type URI: https://mlops.dev/problems/<slug>.
    public var slug: String
    public var detail: String
    public var errors: [FieldError]
    /// Extra members of the problem object (e.g. `received_bytes`).
    public var extensions: [(String, JSONValue)]
    /// Extra response headers (e.g. Retry-After).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ slug: String, _ detail: String, errors: [FieldError] = [], extensions: [(String, JSONValue)] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.slug = slug
        self.detail = detail
        self.errors = errors
        self.extensions = extensions
        self.headers = headers
    }

    public var description: String { "\(status.code) \(slug): \(detail)" }

    // MARK: the problems the gateway raises itself

    public static func invalid(_ field: String, _ message: String) -> GatewayError {
        GatewayError(.badRequest, "validation-error", "\(field): \(message)", errors: [FieldError(field, message)])
    }

    public static func invalid(_ errors: [FieldError]) -> GatewayError {
        GatewayError(.badRequest, "validation-error", errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "), errors: errors)
    }

    public static func unauthorized(_ detail: String) -> GatewayError {
        GatewayError(.unauthorized, "unauthorized", detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    public static func forbidden(_ detail: String) -> GatewayError { GatewayError(.forbidden, "forbidden", detail) }
    public static func notFound(_ detail: String) -> GatewayError { GatewayError(.notFound, "not-found", detail) }
    public static func conflict(_ detail: String, extensions: [(String, JSONValue)] = []) -> GatewayError {
        GatewayError(.conflict, "conflict", detail, extensions: extensions)
    }
    public static func unprocessable(_ field: String, _ message: String) -> GatewayError {
        GatewayError(.unprocessableContent, "unprocessable", "\(field): \(message)", errors: [FieldError(field, message)])
    }
    public static func tooLarge(_ detail: String) -> GatewayError { GatewayError(.contentTooLarge, "payload-too-large", detail) }
    public static func notImplemented(_ detail: String) -> GatewayError { GatewayError(.notImplemented, "not-implemented", detail) }
    public static func tooManyRequests(retryAfter seconds: Int) -> GatewayError {
        GatewayError(.tooManyRequests, "rate-limited", "too many requests from this client; retry after \(seconds) s", headers: [.retryAfter: String(seconds)])
    }
    public static func `internal`(_ detail: String = "internal error") -> GatewayError {
        GatewayError(.internalServerError, "internal-error", detail)
    }
}

/// RFC 9457 rendering and the mapping of every error to a problem.
public enum Problem {
    public static let typeBase = "https://mlops.dev/problems/"
    public static let contentType = "application/problem+json"

    /// Maps any thrown error to the gateway's one error type. Bus codes follow
    /// gateway/API.md; an unknown error is a 500 whose detail reveals nothing.
    public static func from(_ error: any Error) -> GatewayError {
        switch error {
        case let error as GatewayError:
            return error
        case let error as BusError:
            return from(bus: error)
        case let error as any HTTPResponseError:
            let status = error.status
            switch status {
            case .contentTooLarge: return .tooLarge("request body is larger than allowed")
            case .notFound: return .notFound("no such route")
            case .methodNotAllowed: return GatewayError(.methodNotAllowed, "method-not-allowed", "method not allowed on this route")
            default:
                let slug = status.code >= 500 ? "internal-error" : "bad-request"
                return GatewayError(status, slug, status.reasonPhrase)
            }
        default:
            return .internal()
        }
    }

    /// Registry field names that the REST body spells differently.
    static let restFieldNames: [String: String] = [
        "deployment_config_json": "deployment_config",
        "details_json": "details",
        "created_after_unix_ms": "created_after",
        "model_id": "id",
    ]

    public static func from(bus error: BusError) -> GatewayError {
        let fields = error.fieldViolations.map { FieldError(restFieldNames[$0.field] ?? $0.field, $0.description_p) }
        let detail = error.message
        switch error.code {
        case .invalidArgument:
            return GatewayError(.badRequest, "validation-error", detail, errors: fields)
        case .notFound: return GatewayError(.notFound, "not-found", detail, errors: fields)
        case .alreadyExists: return GatewayError(.conflict, "conflict", detail, errors: fields)
        case .failedPrecondition: return GatewayError(.preconditionFailed, "precondition-failed", detail, errors: fields)
        case .permissionDenied: return GatewayError(.forbidden, "forbidden", detail)
        case .unauthenticated: return GatewayError(.unauthorized, "unauthorized", detail, headers: [.wwwAuthenticate: "Bearer"])
        case .resourceExhausted: return GatewayError(.tooManyRequests, "rate-limited", detail, headers: [.retryAfter: "1"])
        case .unavailable: return GatewayError(.serviceUnavailable, "service-unavailable", detail, headers: [.retryAfter: "1"])
        case .deadlineExceeded: return GatewayError(.gatewayTimeout, "gateway-timeout", detail)
        case .unimplemented: return GatewayError(.notImplemented, "not-implemented", detail)
        default: return .internal("an upstream service failed")
        }
    }

    /// The problem+json response.
    public static func response(_ error: GatewayError, instance: String, requestId: String) -> Response {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("type"); writer.string(typeBase + error.slug)
        writer.key("title"); writer.string(title(for: error.status))
        writer.key("status"); writer.int(error.status.code)
        writer.key("detail"); writer.string(error.detail)
        writer.key("instance"); writer.string(instance)
        writer.key("request_id"); writer.string(requestId)
        if !error.errors.isEmpty {
            writer.key("errors")
            writer.beginArray()
            for field in error.errors {
                writer.beginObject()
                writer.key("field"); writer.string(field.field)
                writer.key("message"); writer.string(field.message)
                writer.endObject()
            }
            writer.endArray()
        }
        for (name, value) in error.extensions {
            writer.key(name)
            writer.value(value)
        }
        writer.endObject()
        var headers = error.headers
        headers[.contentType] = contentType
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: writer.buffer))
    }

    /// The status's standard reason phrase (the problem's `title`).
    public static func title(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 413: return "Content Too Large"
        case 422: return "Unprocessable Content"
        default: return status.reasonPhrase.isEmpty ? "Error" : status.reasonPhrase
        }
    }
}
