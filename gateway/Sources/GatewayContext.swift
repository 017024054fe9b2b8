import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The per-request context: who is calling (set by the edge middleware), the
/// request id, the client IP, and for mutations a note the route fills in for
/// the audit row.
public struct GatewayContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var requestId: String = ""
    public var clientIP: String = ""
    public var principal: Principal?
    /// Present on POST/PUT/PATCH/DELETE.
    public var audit: AuditNote?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The signed-in caller; routes behind a role always have one.
    public func caller() throws -> Principal {
        guard let principal else { throw GatewayError.unauthorized("sign in first") }
        return principal
    }
}

/// What a route tells the audit log about a mutation (the resource it touched,
/// or the user name a login attempt claimed).
public final class AuditNote: Sendable {
    private struct State { var resource: String?; var subject: String? }
    private let state = Mutex(State())

    public init() {}

    public var resource: String? {
        get { state.withLock { $0.resource } }
        set { state.withLock { $0.resource = newValue } }
    }

    public var subject: String? {
        get { state.withLock { $0.subject } }
        set { state.withLock { $0.subject = newValue } }
    }
}

extension HTTPField.Name {
    static let requestId = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
}
