/// The three stage-changing operations.
public enum StageAction: String, Sendable {
    case promote
    case archive
    case rollback
}

/// What a stage change does: the target's new stage, and whether the name's
/// current production version (if another one) must be archived with it.
public struct StagePlan: Sendable, Equatable {
    public var from: ModelStage
    public var to: ModelStage
    public var archivesCurrentProduction: Bool

    public init(from: ModelStage, to: ModelStage, archivesCurrentProduction: Bool) {
        self.from = from
        self.to = to
        self.archivesCurrentProduction = archivesCurrentProduction
    }
}

/// The allowed transitions (seed 003 §4.3; API.md promote/archive/rollback):
/// - promote: staging → production; the previous production version is archived.
/// - archive: staging or production → archived.
/// - rollback: archived → production, only for a version that was production
///   before; the current production version is archived.
public enum StageRules {
    public static func plan(_ action: StageAction, modelId: Int64, current: ModelStage, wasProductionBefore: Bool) throws(RegistryRuleError) -> StagePlan {
        switch action {
        case .promote:
            guard current == .staging else {
                throw .failedPrecondition("model \(modelId) is \(current.rawValue); only a staging model can be promoted")
            }
            return StagePlan(from: current, to: .production, archivesCurrentProduction: true)
        case .archive:
            guard current != .archived else {
                throw .failedPrecondition("model \(modelId) is already archived")
            }
            return StagePlan(from: current, to: .archived, archivesCurrentProduction: false)
        case .rollback:
            guard current == .archived else {
                throw .failedPrecondition("model \(modelId) is \(current.rawValue); only an archived model can be rolled back to")
            }
            guard wasProductionBefore else {
                throw .failedPrecondition("model \(modelId) is archived but was never production; promote a staging version instead")
            }
            return StagePlan(from: current, to: .production, archivesCurrentProduction: true)
        }
    }

    /// The history reason written on the version that a promote or rollback displaced.
    public static func displacedReason(by action: StageAction, newProductionId: Int64, reason: String?) -> String {
        let base = "\(action == .rollback ? "rolled back to" : "superseded by") model \(newProductionId)"
        guard let reason, !reason.isEmpty else { return base }
        return "\(base): \(reason)"
    }
}

/// A Promote/Archive/Rollback request's fields as sent.
public struct StageChangeInput: Sendable {
    public var id: Int64 = 0
    /// Empty: the caller.
    public var actor = ""
    public var reason = ""

    public init() {}
}

/// A validated Promote/Archive/Rollback request.
public struct StageChange: Sendable, Equatable {
    public var id: Int64
    public var actor: String?
    public var reason: String?

    /// `subject` (the caller) stands in for an empty actor.
    public init(validating input: StageChangeInput, subject: String) throws(RegistryRuleError) {
        id = try FieldRules.id(input.id, field: "id")
        actor = try FieldRules.optionalText(input.actor.isEmpty ? subject : input.actor, field: "actor")
        reason = try FieldRules.optionalMultilineText(input.reason, field: "reason", max: 2_000)
    }
}
