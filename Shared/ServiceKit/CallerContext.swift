import Bus
import Contracts

/// Whom a service-to-service call is made for: the trace id, subject and roles
/// of the request a service is serving (or doing work for, later, from a row),
/// and what is left of that request's deadline. The callee then logs the
/// gateway's request id as its trace id and sees the original caller, and a call
/// never outlives the request it serves.
public struct CallerContext: Sendable, Equatable {
    public var traceId: String
    public var subject: String
    public var roles: [String]
    /// Absolute deadline in Unix milliseconds; 0 when none (work picked up from a
    /// row after the request was answered).
    public var deadlineUnixMs: Int64

    public init(traceId: String, subject: String, roles: [String], deadlineUnixMs: Int64 = 0) {
        self.traceId = traceId
        self.subject = subject
        self.roles = roles
        self.deadlineUnixMs = deadlineUnixMs
    }

    /// The caller of the request a handler is serving.
    public init(_ context: BusContext) {
        self.init(traceId: context.traceId, subject: context.subject, roles: context.roles, deadlineUnixMs: context.deadlineUnixMs)
    }

    /// The options of one call on this caller's behalf: `timeout`, shortened to
    /// what is left of the deadline; DEADLINE_EXCEEDED when nothing is left.
    func options(timeout: Duration, idempotencyKey: String?, attemptTimeout: Duration?, nowUnixMs: Int64) throws(BusError) -> CallOptions {
        var budget = timeout
        if deadlineUnixMs != 0 {
            let left = deadlineUnixMs - nowUnixMs
            guard left > 0 else { throw BusError.deadlineExceeded("the request this call serves is past its deadline") }
            budget = min(budget, .milliseconds(left))
        }
        return CallOptions(timeout: budget, idempotencyKey: idempotencyKey, traceId: traceId, subject: subject, roles: roles,
                           attemptTimeout: attemptTimeout)
    }
}

extension BusClient {
    /// The one way a service calls another service: on behalf of `caller`
    /// (`CallerContext(context)` in a handler, the caller stored on the row for
    /// work done later), whose trace id, subject, roles and remaining deadline
    /// the call carries. Mutating methods need an `idempotencyKey`.
    nonisolated(nonsending)
    public func call<Input, Output>(
        _ method: BusMethod<Input, Output>, _ input: Input, for caller: CallerContext,
        timeout: Duration = .seconds(10), idempotencyKey: String? = nil, attemptTimeout: Duration? = nil
    ) async throws -> Output {
        let options = try caller.options(timeout: timeout, idempotencyKey: idempotencyKey, attemptTimeout: attemptTimeout, nowUnixMs: unixMillisNow())
        return try await call(method, input, options: options)
    }
}
