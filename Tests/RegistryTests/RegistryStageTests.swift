import Bus
import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import TestKit
import Testing

/// Promote, archive and rollback through the real service, checked in PostgreSQL.
@Suite(.serialized) struct RegistryStageTests {
    enum Outcome: Equatable {
        case promoted
        case refused(Mlops_V1_StatusCode)
    }

    func promote(_ harness: RegistryHarness, _ id: Int64) async -> Outcome {
        do {
            _ = try await harness.stage(RegistryMethods.promoteModel, id)
            return .promoted
        } catch let error as BusError {
            return .refused(error.code)
        } catch {
            return .refused(.internal)
        }
    }

    @Test func concurrentPromotesOfOneNameLeaveExactlyOneProduction() async throws {
        try await RegistryHarness.with { harness in
            for round in 0..<20 {
                let name = "race-\(round)"
                let v0 = try await harness.register(name, "0")
                let v1 = try await harness.register(name, "1")
                let v2 = try await harness.register(name, "2")
                _ = try await harness.stage(RegistryMethods.promoteModel, v0.id)

                // Two versions race, and v2 races itself under a second key.
                async let first = promote(harness, v1.id)
                async let second = promote(harness, v2.id)
                async let third = promote(harness, v2.id)
                let (one, two, twoAgain) = await (first, second, third)
                #expect(one == .promoted, "round \(round)")
                #expect([two, twoAgain].filter { $0 == .promoted }.count == 1, "round \(round): v2 promoted once, got \(two), \(twoAgain)")
                #expect([two, twoAgain].contains(.refused(.failedPrecondition)), "round \(round)")

                let stages = try await harness.stagesInDatabase(of: name)
                #expect(stages.values.filter { $0 == "production" }.count == 1, "round \(round): \(stages)")
                #expect(stages.values.filter { $0 == "archived" }.count == 2, "round \(round): \(stages)")
                #expect(stages["0"] == "archived")
            }
            // Every displacement was recorded: per round, v0 and the first winner were archived.
            let displaced = try await harness.database.ints("""
                SELECT count(*)::int8 FROM registry.model_stage_history
                WHERE from_stage = 'production' AND to_stage = 'archived'
                """)
            #expect(displaced == [40])
            let perName = try await harness.database.ints("""
                SELECT count(*)::int8 FROM registry.model_registry WHERE status = 'production' GROUP BY model_name
                """)
            #expect(perName == Array(repeating: 1, count: 20))
        }
    }

    @Test func rollbackRestoresAnEarlierProductionVersion() async throws {
        try await RegistryHarness.with { harness in
            let v1 = try await harness.register("legal-ko", "1")
            let v2 = try await harness.register("legal-ko", "2")
            let v3 = try await harness.register("legal-ko", "3")
            #expect(try await harness.stage(RegistryMethods.promoteModel, v1.id).status == .production)
            #expect(try await harness.stage(RegistryMethods.promoteModel, v2.id, reason: "better kobest").status == .production)
            #expect(try await harness.stagesInDatabase(of: "legal-ko") == ["1": "archived", "2": "production", "3": "staging"])

            let back = try await harness.stage(RegistryMethods.rollbackModel, v1.id, reason: "regression in v2")
            #expect(back.status == .production)
            #expect(try await harness.stagesInDatabase(of: "legal-ko") == ["1": "production", "2": "archived", "3": "staging"])

            // v1's whole life, as expand=evaluations reports it.
            let history = try await harness.get(v1.id, expand: ["evaluations"]).stageHistory
            #expect(history.map(\.fromStage) == [.unspecified, .staging, .production, .archived])
            #expect(history.map(\.toStage) == [.staging, .production, .archived, .production])
            #expect(history[2].reason == "superseded by model \(v2.id): better kobest")
            #expect(history[3].reason == "regression in v2")
            #expect(history.allSatisfy { $0.actor == "tester" }, "the caller is the actor when none is given")

            // Refusals say why, with the current status.
            let staging = await busError { _ = try await harness.stage(RegistryMethods.rollbackModel, v3.id) }
            #expect(staging?.code == .failedPrecondition && staging?.message.contains("is staging") == true)
            let production = await busError { _ = try await harness.stage(RegistryMethods.rollbackModel, v1.id) }
            #expect(production?.code == .failedPrecondition && production?.message.contains("is production") == true)
            let promoteAgain = await busError { _ = try await harness.stage(RegistryMethods.promoteModel, v1.id) }
            #expect(promoteAgain?.code == .failedPrecondition && promoteAgain?.message.contains("is production") == true)
            _ = try await harness.stage(RegistryMethods.archiveModel, v3.id)
            let never = await busError { _ = try await harness.stage(RegistryMethods.rollbackModel, v3.id) }
            #expect(never?.code == .failedPrecondition && never?.message.contains("never production") == true)
            let twice = await busError { _ = try await harness.stage(RegistryMethods.archiveModel, v3.id) }
            #expect(twice?.code == .failedPrecondition)
            let missing = await busError { _ = try await harness.stage(RegistryMethods.promoteModel, 999_999) }
            #expect(missing?.code == .notFound)

            // Rolling forward again, then with no production version at all.
            _ = try await harness.stage(RegistryMethods.rollbackModel, v2.id)
            #expect(try await harness.stagesInDatabase(of: "legal-ko") == ["1": "archived", "2": "production", "3": "archived"])
            _ = try await harness.stage(RegistryMethods.archiveModel, v2.id)
            _ = try await harness.stage(RegistryMethods.rollbackModel, v1.id)
            #expect(try await harness.stagesInDatabase(of: "legal-ko") == ["1": "production", "2": "archived", "3": "archived"])
        }
    }

    @Test func theDatabaseItselfRefusesASecondProductionVersion() async throws {
        try await RegistryHarness.with { harness in
            let a = try await harness.register("guarded", "a")
            let b = try await harness.register("guarded", "b")
            _ = try await harness.stage(RegistryMethods.promoteModel, a.id)
            // Bypassing the service: the partial unique index is the last line of defence.
            await #expect(throws: PSQLError.self) {
                _ = try await harness.database.ints("UPDATE registry.model_registry SET status = 'production' WHERE id = \(b.id) RETURNING 1")
            }
        }
    }
}
