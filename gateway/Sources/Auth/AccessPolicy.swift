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
/// auth middleware consults only this table; a route registered without a
/// spec in `GatewayRoutes.specs` (or a spec without a route) makes the gateway
/// refuse to start (`RouteTable.verifyAgainstPolicy`), and the role × route
/// test iterates this table.
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

    /// Taken from the route specs (`GatewayRoutes.specs`), the one place a
    /// route's role is written.
    public static let table: [(rule: Rule, access: Access)] = GatewayRoutes.specs.map { ($0.rule, $0.access) }

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
