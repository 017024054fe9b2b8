import Foundation
import HTTPTypes
import Hummingbird
import JSON
import Logging

/// The one middleware in front of every route, in this order: request id →
/// client IP → rate limit → access policy (authenticate, then authorize from
/// `AccessPolicy.table`) → route → errors to problem+json → `X-Request-Id` →
/// audit row for every mutation (failures included).
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = GatewayContext

    let authenticator: Authenticator
    let rateLimiter: RateLimiter
    let audit: AuditLog
    let trustedProxy: Bool
    let logger: Logger

    /// Probes and scrapes are not rate limited.
    static let unlimited: Set<String> = ["/healthz", "/readyz", "/metrics"]

    func handle(_ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response) async throws -> Response {
        var context = context
        context.requestId = Self.requestId(request, fallback: context.id)
        context.clientIP = clientIP(request, context: context)
        let pattern = context.endpointPath ?? "NotFound"
        let mutating = Self.isMutating(request.method)
        if mutating { context.audit = AuditNote() }
        let started = Date()

        var response: Response
        do {
            if rateLimiter.isEnabled, !Self.unlimited.contains(pattern), let wait = rateLimiter.take(context.clientIP) {
                throw GatewayError.tooManyRequests(retryAfter: wait)
            }
            guard pattern != "NotFound" else {
                let allowed = GatewayRoutes.allowedMethods(path: request.uri.path)
                if !allowed.isEmpty {
                    throw GatewayError(.methodNotAllowed, "method-not-allowed", "\(request.method.rawValue) is not served on \(request.uri.path)",
                                       headers: [.allow: allowed.joined(separator: ", ")])
                }
                throw GatewayError.notFound("no route \(request.method.rawValue) \(request.uri.path)")
            }
            guard let access = AccessPolicy.access(method: request.method, path: pattern) else {
                // Fail closed: a route missing from the policy table is never served.
                throw GatewayError.forbidden("route has no access policy")
            }
            if case .role = access {
                context.principal = try await authenticator.authenticate(request)
            }
            switch AccessPolicy.decide(access, principal: context.principal) {
            case .allow: break
            case .unauthenticated: throw GatewayError.unauthorized("missing bearer token (Authorization: Bearer <token>)")
            case .forbidden(let needed): throw GatewayError.forbidden("this route needs the \(needed.rawValue) role")
            }
            if let spec = GatewayRoutes.spec(method: request.method, pattern: pattern) { try Self.refuseUnknownQuery(request, spec) }
            response = try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status.code >= 500, problem.status != .notImplemented {
                // 500 is a bug or a broken dependency; 503/504 are a service that is down or slow.
                logger.log(level: problem.status == .internalServerError ? .error : .warning, "request failed", metadata: [
                    "request_id": .string(context.requestId), "route": .string("\(request.method.rawValue) \(pattern)"),
                    "status": .stringConvertible(problem.status.code), "error": .string(String(reflecting: error)),
                ])
            }
            response = Problem.response(problem, instance: request.uri.path, requestId: context.requestId)
        }
        response.headers[.requestId] = context.requestId
        if mutating, let note = context.audit {
            audit.record(AuditEntry(
                subject: context.principal?.subject ?? note.subject ?? "",
                role: context.principal?.role.rawValue ?? "",
                action: "\(request.method.rawValue) \(pattern)",
                resource: note.resource ?? Self.resource(pattern: pattern, context: context),
                clientIP: context.clientIP, requestId: context.requestId,
                status: response.status.code, createdAt: started
            ))
        }
        return response
    }

    /// A query parameter the route does not declare is a mistake to say, not to
    /// ignore (`jobs?dataset_id=` once listed every job).
    static func refuseUnknownQuery(_ request: Request, _ spec: RouteSpec) throws {
        var unknown: [FieldError] = []
        for (name, _) in request.uri.queryParameters where spec.queryParameter(String(name)) == nil {
            let allowed = spec.query.map(\.name)
            unknown.append(FieldError(String(name), allowed.isEmpty ? "this route takes no query parameters"
                                                                     : "is not a parameter of this route (allowed: \(allowed.joined(separator: ", ")))"))
        }
        if !unknown.isEmpty { throw GatewayError.invalid(unknown) }
    }

    static func isMutating(_ method: HTTPRequest.Method) -> Bool {
        method == .post || method == .put || method == .patch || method == .delete
    }

    /// The client's X-Request-Id when it is a short token, else Hummingbird's id.
    static func requestId(_ request: Request, fallback: String) -> String {
        if let given = request.headers[.requestId], (1...128).contains(given.utf8.count),
           given.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 46 || $0 == 95 }) {
            return given
        }
        return fallback
    }

    /// The socket peer, or behind a trusted proxy the address that proxy appended
    /// last to X-Forwarded-For (earlier entries are the client's own claims).
    func clientIP(_ request: Request, context: GatewayContext) -> String {
        if trustedProxy, let forwarded = request.headers[values: .forwardedFor].last {
            if let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty {
                return String(last.prefix(64))
            }
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }

    /// `models/17` from `/api/v1/admin/models/{id}/promote`; the route's first
    /// segment (after /api/v1[/admin]) and its id parameter when it has one.
    static func resource(pattern: String, context: GatewayContext) -> String {
        var path = Substring(pattern)
        for prefix in ["/api/v1/admin/", "/api/v1/", "/"] where path.hasPrefix(prefix) {
            path = path.dropFirst(prefix.count)
            break
        }
        let first = path.split(separator: "/").first.map(String.init) ?? ""
        if pattern.contains("{id}"), let id = context.parameters.get("id") {
            return "\(first)/\(id)"
        }
        return first
    }
}
