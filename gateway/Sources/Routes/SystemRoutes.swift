import Hummingbird
import JSON
import NIOCore

/// Health, metrics (served by `HealthServer`) and this API's own description.
enum SystemSpecs {
    typealias O = OpenAPI

    static let healthz = RouteSpec(.get, "/healthz", .public, id: "healthz", "Liveness", tag: "health",
        responses: [.text(200, "alive")], callsBus: false)
    static let readyz = RouteSpec(.get, "/readyz", .public, id: "readyz", "Readiness (database and bus reachable)", tag: "health",
        responses: [.text(200, "ready"), .text(503, "not ready")], callsBus: false)
    static let metrics = RouteSpec(.get, "/metrics", .public, id: "metrics", "Prometheus metrics", tag: "health",
        responses: [.text(200, "metrics in the Prometheus text format")], callsBus: false)
    static let openAPI = RouteSpec(.get, "/openapi.json", .public, id: "openapi", "This document", tag: "health",
        responses: [.json(200, "OpenAPI 3.1 document", O.anyObject)], callsBus: false)

    static let all = [healthz, readyz, metrics, openAPI]

    /// Notes the health routes (added by `HealthServer.addRoutes`) and serves the document.
    static func register(_ table: RouteTable) {
        table.noteExternal(healthz)
        table.noteExternal(readyz)
        table.noteExternal(metrics)
        table.add(openAPI) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPI.document)))
        }
    }
}
