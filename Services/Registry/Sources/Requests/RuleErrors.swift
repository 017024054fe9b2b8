import Bus
import RegistryDomain

/// The one place a registry rule's refusal becomes a bus status.
extension BusError {
    init(_ refusal: RegistryRuleError) {
        switch refusal {
        case .invalidField(let field, let reason): self = .invalidArgument(field: field, reason)
        case .failedPrecondition(let message): self = .failedPrecondition(message)
        }
    }
}

/// Runs domain rules, answering their refusal as a bus error.
func applyingRules<T>(_ rules: () throws(RegistryRuleError) -> T) throws(BusError) -> T {
    do {
        return try rules()
    } catch {
        throw BusError(error)
    }
}
