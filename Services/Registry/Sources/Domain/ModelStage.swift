import Contracts

/// A model version's lifecycle stage, as stored (`status` column) and as sent (proto `Stage`).
public enum ModelStage: String, Sendable, CaseIterable {
    case staging
    case production
    case archived

    public init?(proto: Mlops_V1_Registry_Stage) {
        switch proto {
        case .staging: self = .staging
        case .production: self = .production
        case .archived: self = .archived
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    public var proto: Mlops_V1_Registry_Stage {
        switch self {
        case .staging: .staging
        case .production: .production
        case .archived: .archived
        }
    }
}
