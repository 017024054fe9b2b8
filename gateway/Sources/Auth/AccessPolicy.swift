import HTTPTypes

/// Roles, ordered: admin ⊃ engineer ⊃ viewer.
public enum Role: String, CaseIterable, Sendable, Comparable {
    case viewer
    case engineer
    case admin

    var rank: Int {
        switch self {
        case .viewer: return 0
        case .engineer: return 1
        case .admin: return 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// Who is calling: from a JWT or an API key.
public struct Principal: Sendable, Equatable {
    public var subject: String
    public var role: Role
    public init(subject: String, role: Role) {
        self.subject = subject
        self.role = role
    }
}

/// Who may call a route: nobody needs to be signed in, or at least this role.
public enum Access: Sendable, Equatable {
    case `public`
    case role(Role)
}

/// THE access policy: every route of the gateway, by method and pattern (the
/// router's own spelling, `{id}` for a parameter), with its minimum role. The
/// auth middleware consults only this table; a route registered without an
/// entry here makes the gateway refuse to start (`GatewayRoutes.register`),
/// and the role × route test iterates this table.
public enum AccessPolicy {
    public struct Rule: Sendable, Hashable {
        public let method: HTTPRequest.Method
        public let path: String
        public init(_ method: HTTPRequest.Method, _ path: String) {
            self.method = method
            self.path = path
        }
        /// "METHOD /path/pattern": the audit log's `action`.
        public var action: String { "\(method.rawValue) \(path)" }
    }

    public static let table: [(rule: Rule, access: Access)] = [
        // Public
        (Rule(.post, "/api/v1/auth/login"), .public),
        (Rule(.get, "/healthz"), .public),
        (Rule(.get, "/readyz"), .public),
        (Rule(.get, "/metrics"), .public),
        (Rule(.get, "/openapi.json"), .public),
        // Users, API keys, audit: admin
        (Rule(.post, "/api/v1/admin/users"), .role(.admin)),
        (Rule(.get, "/api/v1/admin/users"), .role(.admin)),
        (Rule(.post, "/api/v1/admin/api-keys"), .role(.admin)),
        (Rule(.get, "/api/v1/admin/api-keys"), .role(.admin)),
        (Rule(.delete, "/api/v1/admin/api-keys/{id}"), .role(.admin)),
        (Rule(.get, "/api/v1/admin/audit"), .role(.admin)),
        // Models
        (Rule(.post, "/api/v1/admin/models/register"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/models"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/models/{id}"), .role(.viewer)),
        (Rule(.patch, "/api/v1/admin/models/{id}"), .role(.engineer)),
        (Rule(.post, "/api/v1/admin/models/{id}/promote"), .role(.engineer)),
        (Rule(.post, "/api/v1/admin/models/{id}/archive"), .role(.engineer)),
        (Rule(.post, "/api/v1/admin/models/{id}/rollback"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/models/{id}/benchmarks"), .role(.viewer)),
        (Rule(.post, "/api/v1/admin/models/{id}/benchmarks"), .role(.engineer)),
        (Rule(.post, "/api/v1/admin/models/{id}/evaluate"), .role(.engineer)),
        (Rule(.post, "/api/v1/admin/models/{id}/deploy"), .role(.engineer)),
        // Uploads
        (Rule(.post, "/api/v1/admin/uploads"), .role(.engineer)),
        (Rule(.put, "/api/v1/admin/uploads/{id}"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/uploads/{id}"), .role(.viewer)),
        (Rule(.post, "/api/v1/admin/uploads/{id}/complete"), .role(.engineer)),
        // Training datasets
        (Rule(.post, "/api/v1/admin/training/datasets"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/training/datasets"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/training/datasets/{id}"), .role(.viewer)),
        (Rule(.patch, "/api/v1/admin/training/datasets/{id}"), .role(.engineer)),
        (Rule(.post, "/api/v1/admin/training/datasets/{id}/versions"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/training/datasets/{id}/versions"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/training/datasets/{id}/versions/{from}/diff/{to}"), .role(.viewer)),
        (Rule(.post, "/api/v1/admin/training/datasets/{id}/validate"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/training/datasets/{id}/quality"), .role(.viewer)),
        (Rule(.post, "/api/v1/admin/training/datasets/{id}/split"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/training/datasets/{id}/stats"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/training/datasets/{id}/report"), .role(.viewer)),
        // Fine-tuning jobs and devices
        (Rule(.post, "/api/v1/admin/finetuning/jobs"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/finetuning/jobs"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/finetuning/jobs/{id}"), .role(.viewer)),
        (Rule(.post, "/api/v1/admin/finetuning/jobs/{id}/stop"), .role(.engineer)),
        (Rule(.post, "/api/v1/admin/finetuning/jobs/{id}/resume"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/finetuning/jobs/{id}/logs"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/finetuning/jobs/{id}/metrics"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/finetuning/jobs/{id}/checkpoints"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/finetuning/jobs/{id}/events"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/finetuning/jobs/{id}/axolotl.yaml"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/gpus"), .role(.viewer)),
        // Ground truth
        (Rule(.post, "/api/v1/admin/ground-truth/datasets"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/ground-truth/datasets"), .role(.viewer)),
        (Rule(.post, "/api/v1/admin/ground-truth/datasets/{id}/versions"), .role(.engineer)),
        (Rule(.get, "/api/v1/admin/ground-truth/versions/{id}"), .role(.viewer)),
        (Rule(.get, "/api/v1/admin/ground-truth/events"), .role(.viewer)),
    ]

    static let lookup: [Rule: Access] = Dictionary(uniqueKeysWithValues: table.map { ($0.rule, $0.access) })

    /// The access of a matched route; nil when the route is not in the table
    /// (the middleware then refuses: fail closed).
    public static func access(method: HTTPRequest.Method, path: String) -> Access? {
        lookup[Rule(method, path)]
    }

    /// Whether `principal` (nil: anonymous) may call a route of this access.
    public enum Decision: Sendable, Equatable {
        case allow
        /// No or bad credentials: 401.
        case unauthenticated
        /// Signed in, but the role is too low: 403.
        case forbidden(needed: Role)
    }

    public static func decide(_ access: Access, principal: Principal?) -> Decision {
        switch access {
        case .public: return .allow
        case .role(let minimum):
            guard let principal else { return .unauthenticated }
            return principal.role >= minimum ? .allow : .forbidden(needed: minimum)
        }
    }
}
