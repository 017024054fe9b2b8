import Testing
@testable import RegistryDomain

/// The stage machine without a database: which transitions exist and what they displace.
struct StageRulesTests {
    /// The precondition message of a refused plan; nil when the plan is allowed.
    func refusal(_ action: StageAction, _ current: ModelStage, wasProductionBefore: Bool) -> String? {
        do {
            _ = try StageRules.plan(action, modelId: 7, current: current, wasProductionBefore: wasProductionBefore)
            return nil
        } catch {
            guard case .failedPrecondition(let message) = error else {
                Issue.record("expected a failed precondition, got \(error)")
                return nil
            }
            return message
        }
    }

    @Test func promoteMovesOnlyStagingToProductionAndDisplacesTheCurrentOne() throws {
        let plan = try StageRules.plan(.promote, modelId: 7, current: .staging, wasProductionBefore: false)
        #expect(plan == StagePlan(from: .staging, to: .production, archivesCurrentProduction: true))
        for stage in [ModelStage.production, .archived] {
            let message = refusal(.promote, stage, wasProductionBefore: true)
            #expect(message?.contains("is \(stage.rawValue)") == true, "the message says the current status")
        }
    }

    @Test func archiveTakesStagingOrProductionButNotArchived() throws {
        #expect(try StageRules.plan(.archive, modelId: 1, current: .staging, wasProductionBefore: false).to == .archived)
        let fromProduction = try StageRules.plan(.archive, modelId: 1, current: .production, wasProductionBefore: true)
        #expect(fromProduction == StagePlan(from: .production, to: .archived, archivesCurrentProduction: false))
        #expect(refusal(.archive, .archived, wasProductionBefore: true)?.contains("already archived") == true)
    }

    @Test func rollbackNeedsAnArchivedVersionThatWasProductionBefore() throws {
        let plan = try StageRules.plan(.rollback, modelId: 3, current: .archived, wasProductionBefore: true)
        #expect(plan == StagePlan(from: .archived, to: .production, archivesCurrentProduction: true))
        #expect(refusal(.rollback, .archived, wasProductionBefore: false)?.contains("never production") == true)
        for stage in [ModelStage.staging, .production] {
            #expect(refusal(.rollback, stage, wasProductionBefore: true)?.contains("is \(stage.rawValue)") == true)
        }
    }

    @Test func displacedVersionsSayWhoReplacedThem() {
        #expect(StageRules.displacedReason(by: .promote, newProductionId: 9, reason: nil) == "superseded by model 9")
        #expect(StageRules.displacedReason(by: .rollback, newProductionId: 4, reason: "bad eval") == "rolled back to model 4: bad eval")
    }
}
