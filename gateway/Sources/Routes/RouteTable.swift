import Bus
import HTTPTypes
import Hummingbird

/// Registers routes, remembering each one so `GatewayApp` can prove that the
/// routes and `AccessPolicy.table` are the same set before it serves anything.
final class RouteTable {
    let router: Router<GatewayContext>
    private(set) var registered: [AccessPolicy.Rule] = []

    init(router: Router<GatewayContext>) { self.router = router }

    func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (Request, GatewayContext) async throws -> Response) {
        registered.append(AccessPolicy.Rule(method, path))
        router.on(RouterPath(path), method: method) { request, context in try await handler(request, context) }
    }

    /// Routes added by other code (HealthServer.addRoutes).
    func noteExternal(_ method: HTTPRequest.Method, _ path: String) {
        registered.append(AccessPolicy.Rule(method, path))
    }

    /// Every registered route has a policy and every policy a route.
    func verifyAgainstPolicy() throws {
        let routes = Set(registered)
        let policy = Set(AccessPolicy.table.map(\.rule))
        let unguarded = routes.subtracting(policy).map(\.action).sorted()
        let unserved = policy.subtracting(routes).map(\.action).sorted()
        guard unguarded.isEmpty, unserved.isEmpty else {
            throw RouteTableError(description: "routes without an access policy: \(unguarded); policies without a route: \(unserved)")
        }
    }
}

struct RouteTableError: Error, CustomStringConvertible {
    let description: String
}

/// What every bus call from a route carries: the caller, the trace id, the
/// budget, and for mutations an idempotency key (the client's, namespaced by
/// caller, or a fresh one).
struct BusCalls: Sendable {
    let bus: BusClient
    let timeout: Duration
    var attemptTimeout: Duration? = nil

    func options(_ request: Request, _ context: GatewayContext, mutating: Bool) throws -> CallOptions {
        let principal = try context.caller()
        var key: String?
        if mutating {
            key = try Self.idempotencyKey(request).map { "\(principal.subject):\($0)" } ?? "gw:\(context.requestId):\(UInt64.random(in: 0...UInt64.max))"
        }
        let roles = Role.allCases.filter { $0 <= principal.role }.map(\.rawValue)
        return CallOptions(timeout: timeout, idempotencyKey: key, traceId: context.requestId, subject: principal.subject, roles: roles, attemptTimeout: attemptTimeout)
    }

    /// The client's Idempotency-Key: 1–200 printable ASCII characters.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw GatewayError.invalid("Idempotency-Key", "must be 1 to 200 printable ASCII characters")
        }
        return key
    }
}
