import Contracts

/// The one error type that crosses the bus. Handlers throw it; clients receive
/// it; the gateway maps its code to HTTP in one place.
public struct BusError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Mlops_V1_StatusCode
    public var message: String
    public var fieldViolations: [Mlops_V1_FieldViolation]

    public init(_ code: Mlops_V1_StatusCode, _ message: String, fieldViolations: [Mlops_V1_FieldViolation] = []) {
        self.code = code
        self.message = message
        self.fieldViolations = fieldViolations
    }

    public init(status: Mlops_V1_Status) {
        self.init(status.code, status.message, fieldViolations: status.details)
    }

    public var status: Mlops_V1_Status {
        var status = Mlops_V1_Status()
        status.code = code
        status.message = message
        status.details = fieldViolations
        return status
    }

    public var description: String {
        let fields = fieldViolations.map { "\($0.field): \($0.description_p)" }.joined(separator: "; ")
        return "\(code) \(message)" + (fields.isEmpty ? "" : " [\(fields)]")
    }

    /// Names the offending input field and why it was refused.
    public static func invalidArgument(field: String, _ reason: String) -> BusError {
        var violation = Mlops_V1_FieldViolation()
        violation.field = field
        violation.description_p = reason
        return BusError(.invalidArgument, "\(field): \(reason)", fieldViolations: [violation])
    }

    public static func notFound(_ message: String) -> BusError { BusError(.notFound, message) }
    public static func alreadyExists(_ message: String) -> BusError { BusError(.alreadyExists, message) }
    public static func failedPrecondition(_ message: String) -> BusError { BusError(.failedPrecondition, message) }
    public static func unavailable(_ message: String) -> BusError { BusError(.unavailable, message) }
    public static func deadlineExceeded(_ message: String) -> BusError { BusError(.deadlineExceeded, message) }
    public static func `internal`(_ message: String) -> BusError { BusError(.internal, message) }

    /// Whether a client may retry a call that carries an idempotency key.
    public var isRetryable: Bool { code == .unavailable }
}
