/// Why a registry rule refused a request. The service maps it to the bus's
/// status once (INVALID_ARGUMENT naming the field, or FAILED_PRECONDITION).
public enum RegistryRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An input breaks a field rule; `field` is the request field's wire name (`tags[2]`).
    case invalidField(field: String, reason: String)
    /// The request is well formed, but the model's current state forbids it.
    case failedPrecondition(String)

    public var description: String {
        switch self {
        case .invalidField(let field, let reason): "\(field): \(reason)"
        case .failedPrecondition(let message): message
        }
    }
}
