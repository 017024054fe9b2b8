import Bus
import Contracts
import HTTPTypes
import Hummingbird

/// Registers routes by their specs, remembering each one so `GatewayApp` can
/// prove that the routes served and `AccessPolicy.table` (the specs of
/// `GatewayRoutes.specs`) are the same set before it serves anything.
final class RouteTable {
    let router: Router<GatewayContext>
    let idempotency: GatewayIdempotency
    private(set) var registered: [AccessPolicy.Rule] = []

    init(router: Router<GatewayContext>, idempotency: GatewayIdempotency) {
        self.router = router
        self.idempotency = idempotency
    }

    func add(_ spec: RouteSpec, _ handler: @escaping @Sendable (Request, GatewayContext) async throws -> Response) {
        registered.append(spec.rule)
        if spec.replaysLocally {
            let idempotency = idempotency, route = spec.rule.action
            router.on(RouterPath(spec.path), method: spec.method) { request, context in
                try await idempotency.run(request, context, route: route, handler)
            }
        } else {
            router.on(RouterPath(spec.path), method: spec.method) { request, context in try await handler(request, context) }
        }
    }

    /// Routes added by other code (HealthServer.addRoutes).
    func noteExternal(_ spec: RouteSpec) {
        registered.append(spec.rule)
    }

    /// Every registered route has a policy and every policy a route, once.
    func verifyAgainstPolicy() throws {
        let routes = Set(registered)
        guard routes.count == registered.count else {
            throw RouteTableError(description: "a route is registered twice: \(registered.map(\.action))")
        }
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

/// How a route calls a service: as the caller, with the trace id and the
/// budget, and, when the method mutates (its `BusMethod` says so), with an
/// idempotency key (the client's, namespaced by caller, or a fresh one).
struct BusCalls: Sendable {
    let bus: BusClient
    let timeout: Duration
    var attemptTimeout: Duration? = nil

    func call<Input, Output>(_ method: BusMethod<Input, Output>, _ message: Input, _ request: Request, _ context: GatewayContext) async throws -> Output {
        try await bus.call(method, message, options: options(for: method, request, context))
    }

    /// The options of a call to `method`, for a route that calls it more than once.
    func options<Input, Output>(for method: BusMethod<Input, Output>, _ request: Request, _ context: GatewayContext) throws -> CallOptions {
        let principal = try context.caller()
        var key: String?
        if method.isMutating {
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
