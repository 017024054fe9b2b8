import Bus
import Contracts
import RegistryDomain

/// Promote/Archive/Rollback requests → domain values, and the stage enum both ways.
extension StageChange {
    init(validating request: Mlops_V1_Registry_StageRequest, subject: String) throws(BusError) {
        var input = StageChangeInput()
        input.id = request.id
        input.actor = request.actor
        input.reason = request.reason
        self = try applyingRules { () throws(RegistryRuleError) in try StageChange(validating: input, subject: subject) }
    }
}

extension ModelStage {
    init?(proto: Mlops_V1_Registry_Stage) {
        switch proto {
        case .staging: self = .staging
        case .production: self = .production
        case .archived: self = .archived
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    /// A list filter: unspecified is no filter; a value this build does not know is refused.
    static func filter(_ proto: Mlops_V1_Registry_Stage) throws(BusError) -> ModelStage? {
        if proto == .unspecified { return nil }
        guard let stage = ModelStage(proto: proto) else { throw .invalidArgument(field: "status", "unknown stage \(proto.rawValue)") }
        return stage
    }

    var proto: Mlops_V1_Registry_Stage {
        switch self {
        case .staging: .staging
        case .production: .production
        case .archived: .archived
        }
    }
}
