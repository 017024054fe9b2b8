import Foundation

/// The optional parts of GetModel's answer (`expand=`).
public enum Expansion: String, Sendable, CaseIterable {
    /// Latest score per benchmark name, and every benchmark row.
    case metrics
    /// Stage history (until the evaluator service exists).
    case evaluations
    /// Every version of the same model_name, newest first.
    case versions

    /// Parses the request's values; each may itself be a comma-separated list.
    public static func parse(_ values: [String]) throws(RegistryRuleError) -> Set<Expansion> {
        var result = Set<Expansion>()
        for value in values {
            for part in value.split(separator: ",", omittingEmptySubsequences: true) {
                let name = part.trimmingCharacters(in: .whitespaces)
                guard let expansion = Expansion(rawValue: name) else {
                    throw .invalidField(field: "expand", reason: "unknown value '\(name.prefix(64))'; allowed: \(allCases.map(\.rawValue).joined(separator: ", "))")
                }
                result.insert(expansion)
            }
        }
        return result
    }
}
