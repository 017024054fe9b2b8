import Bus
import Contracts
import Testing
@testable import RegistryService

/// The stage machine without a database: which transitions exist and what they displace.
struct StageRulesTests {
    @Test func promoteMovesOnlyStagingToProductionAndDisplacesTheCurrentOne() throws {
        let plan = try StageRules.plan(.promote, modelId: 7, current: .staging, wasProductionBefore: false)
        #expect(plan == StagePlan(from: .staging, to: .production, archivesCurrentProduction: true))
        for stage in [ModelStage.production, .archived] {
            let error = #expect(throws: BusError.self) { try StageRules.plan(.promote, modelId: 7, current: stage, wasProductionBefore: true) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("is \(stage.rawValue)") == true, "the message says the current status")
        }
    }

    @Test func archiveTakesStagingOrProductionButNotArchived() throws {
        #expect(try StageRules.plan(.archive, modelId: 1, current: .staging, wasProductionBefore: false).to == .archived)
        let fromProduction = try StageRules.plan(.archive, modelId: 1, current: .production, wasProductionBefore: true)
        #expect(fromProduction == StagePlan(from: .production, to: .archived, archivesCurrentProduction: false))
        let error = #expect(throws: BusError.self) { try StageRules.plan(.archive, modelId: 1, current: .archived, wasProductionBefore: true) }
        #expect(error?.code == .failedPrecondition)
    }

    @Test func rollbackNeedsAnArchivedVersionThatWasProductionBefore() throws {
        let plan = try StageRules.plan(.rollback, modelId: 3, current: .archived, wasProductionBefore: true)
        #expect(plan == StagePlan(from: .archived, to: .production, archivesCurrentProduction: true))
        let neverProduction = #expect(throws: BusError.self) { try StageRules.plan(.rollback, modelId: 3, current: .archived, wasProductionBefore: false) }
        #expect(neverProduction?.code == .failedPrecondition)
        #expect(neverProduction?.message.contains("never production") == true)
        for stage in [ModelStage.staging, .production] {
            let error = #expect(throws: BusError.self) { try StageRules.plan(.rollback, modelId: 3, current: stage, wasProductionBefore: true) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("is \(stage.rawValue)") == true)
        }
    }

    @Test func displacedVersionsSayWhoReplacedThem() {
        #expect(StageRules.displacedReason(by: .promote, newProductionId: 9, reason: nil) == "superseded by model 9")
        #expect(StageRules.displacedReason(by: .rollback, newProductionId: 4, reason: "bad eval") == "rolled back to model 4: bad eval")
    }

    @Test func stagesMapToTheProtoAndBack() {
        for stage in ModelStage.allCases { #expect(ModelStage(proto: stage.proto) == stage) }
        #expect(ModelStage(proto: .unspecified) == nil)
        #expect(ModelStage(proto: .UNRECOGNIZED(9)) == nil)
    }
}
