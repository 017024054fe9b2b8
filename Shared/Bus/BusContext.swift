import Contracts
import Logging

/// What a handler knows about the call it serves.
public struct BusContext: Sendable {
    public let requestId: String
    public let method: String
    public let metadata: Mlops_V1_Metadata
    private var serviceLogger: Logger

    /// The service's logger with `request_id` and `trace_id` attached. Built
    /// when asked for: most calls never log, and attaching metadata copies it.
    public var logger: Logger {
        get {
            var logger = serviceLogger
            logger[metadataKey: "request_id"] = .string(requestId)
            if !metadata.traceID.isEmpty { logger[metadataKey: "trace_id"] = .string(metadata.traceID) }
            return logger
        }
        set { serviceLogger = newValue }
    }

    init(requestId: String, method: String, metadata: Mlops_V1_Metadata, logger: Logger) {
        self.requestId = requestId
        self.method = method
        self.metadata = metadata
        serviceLogger = logger
    }

    public var traceId: String { metadata.traceID }
    /// The end user the call is for. With CURVE on, the broker passes a subject
    /// or roles only from an act-for-users peer (the gateway, after its checks).
    public var subject: String { metadata.subject }
    public var roles: [String] { metadata.roles }
    /// Empty when the caller sent none (read-only calls).
    public var idempotencyKey: String { metadata.idempotencyKey }
    /// Absolute deadline in Unix milliseconds; 0 when none.
    public var deadlineUnixMs: Int64 { metadata.deadlineUnixMs }

    /// The idempotency key, or INVALID_ARGUMENT when a mutating call came without one.
    public func requireIdempotencyKey() throws -> String {
        guard !metadata.idempotencyKey.isEmpty else {
            throw BusError.invalidArgument(field: "metadata.idempotency_key", "required on a mutating call")
        }
        return metadata.idempotencyKey
    }
}
