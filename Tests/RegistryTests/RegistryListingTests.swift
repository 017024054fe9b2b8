import Bus
import Contracts
import Foundation
import TestKit
import Testing

/// Register, get and list through the real service: every filter, pagination totals, order.
@Suite(.serialized) struct RegistryListingTests {
    /// The fixture's i-th model; names and descriptions 0–3 exercise search escaping.
    struct Fixture {
        static let count = 120
        static func name(_ i: Int) -> String { i == 0 ? "legal_ko" : i == 1 ? "legalXko" : "model-\(i)" }
        static func description(_ i: Int) -> String { i == 2 ? "100% accurate" : i == 3 ? "1000 accurate" : "model number \(i)" }
        static func project(_ i: Int) -> String { ["legal", "medical", "finance"][i % 3] }
        static func modelType(_ i: Int) -> String { i % 4 == 0 ? "classification" : "causal-lm" }
        static func tags(_ i: Int) -> [String] { (i % 2 == 0 ? ["korean"] : []) + (i % 5 == 0 ? ["7b"] : []) }
        static func isActive(_ i: Int) -> Bool { i % 7 != 0 }
        static func status(_ i: Int) -> Mlops_V1_Registry_Stage { i % 10 == 1 ? .production : i % 10 == 2 ? .archived : .staging }
    }

    /// Registers the fixture (8 calls in flight), then sets activity and stages; returns id → i.
    func populate(_ harness: RegistryHarness) async throws -> [Int64: Int] {
        let next = SharedCounter()
        let ids = try await withThrowingTaskGroup(of: [(Int64, Int)].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var done: [(Int64, Int)] = []
                    while true {
                        let i = next.next()
                        guard i < Fixture.count else { break }
                        let model = try await harness.register(Fixture.name(i), "1.0") { request in
                            request.description_p = Fixture.description(i)
                            request.project = Fixture.project(i)
                            request.modelType = Fixture.modelType(i)
                            request.tags = Fixture.tags(i)
                        }
                        done.append((model.id, i))
                    }
                    return done
                }
            }
            var all: [Int64: Int] = [:]
            for try await batch in group { for (id, i) in batch { all[id] = i } }
            return all
        }
        for (id, i) in ids {
            if !Fixture.isActive(i) {
                var update = Mlops_V1_Registry_UpdateModelRequest()
                update.id = id
                update.isActive = false
                _ = try await harness.mutate(RegistryMethods.updateModel, update)
            }
            switch Fixture.status(i) {
            case .production: _ = try await harness.stage(RegistryMethods.promoteModel, id)
            case .archived: _ = try await harness.stage(RegistryMethods.archiveModel, id)
            default: break
            }
        }
        return ids
    }

    @Test func everyFilterAndEveryPageAddUp() async throws {
        try await RegistryHarness.with { harness in try await checkFiltersAndPages(harness) }
    }

    func checkFiltersAndPages(_ harness: RegistryHarness) async throws {
        let ids = try await populate(harness)
        #expect(ids.count == Fixture.count)

        // Everything, newest first with the id as tie-break.
        let all = try await harness.list { $0.limit = 1000 }
        #expect(all.total == Int64(Fixture.count))
        #expect(all.items.count == Fixture.count)
        for (newer, older) in zip(all.items, all.items.dropFirst()) {
            #expect(newer.createdAtUnixMs > older.createdAtUnixMs || (newer.createdAtUnixMs == older.createdAtUnixMs && newer.id > older.id))
        }
        // A listed model is exactly what GetModel answers.
        let sample = all.items[17]
        #expect(try await harness.get(sample.id) == sample)

        // Pages of 25 add up to the whole list; the total stays put, also past the end.
        var paged: [Int64] = []
        for skip in stride(from: 0, to: Fixture.count, by: 25) {
            let page = try await harness.list { $0.skip = Int32(skip); $0.limit = 25 }
            #expect(page.total == Int64(Fixture.count))
            paged += page.items.map(\.id)
        }
        #expect(paged == all.items.map(\.id))
        for skip in [120, 500] {
            let empty = try await harness.list { $0.skip = Int32(skip) }
            #expect(empty.items.isEmpty && empty.total == Int64(Fixture.count), "skip \(skip)")
        }
        #expect(try await harness.list().items.count == 50, "limit 0 means 50")

        /// Asserts a filter returns exactly the fixture rows `matching`, in list order.
        func expectFilter(_ label: String, _ configure: (inout Mlops_V1_Registry_ListModelsRequest) -> Void, matching: (Int) -> Bool) async throws {
            let reply = try await harness.list { configure(&$0); $0.limit = 1000 }
            let expected = all.items.map(\.id).filter { matching(ids[$0]!) }
            #expect(reply.items.map(\.id) == expected, "\(label)")
            #expect(reply.total == Int64(expected.count), "\(label) total")
        }
        try await expectFilter("project", { $0.project = "legal" }) { Fixture.project($0) == "legal" }
        try await expectFilter("model_type", { $0.modelType = "classification" }) { Fixture.modelType($0) == "classification" }
        try await expectFilter("inactive", { $0.isActive = false }) { !Fixture.isActive($0) }
        try await expectFilter("active", { $0.isActive = true }) { Fixture.isActive($0) }
        for stage in [Mlops_V1_Registry_Stage.staging, .production, .archived] {
            try await expectFilter("status \(stage)", { $0.status = stage }) { Fixture.status($0) == stage }
        }
        try await expectFilter("one tag", { $0.tags = ["korean"] }) { Fixture.tags($0).contains("korean") }
        try await expectFilter("all tags", { $0.tags = ["7b", "korean"] }) { Set(Fixture.tags($0)).isSuperset(of: ["7b", "korean"]) }
        try await expectFilter("unknown tag", { $0.tags = ["korean", "nope"] }) { _ in false }
        try await expectFilter("combined", { $0.project = "legal"; $0.tags = ["korean"]; $0.status = .staging; $0.isActive = true }) { i in
            Fixture.project(i) == "legal" && Fixture.tags(i).contains("korean") && Fixture.status(i) == .staging && Fixture.isActive(i)
        }
        // created_after is strict, at millisecond precision.
        let cutoff = all.items[60].createdAtUnixMs
        let after = try await harness.list { $0.createdAfterUnixMs = cutoff; $0.limit = 1000 }
        let newer = all.items.filter { $0.createdAtUnixMs > cutoff }
        #expect(after.items.map(\.id) == newer.map(\.id))
        // Rows may share the cutoff's millisecond, so fewer than 60 can be newer; never none.
        #expect(after.total == Int64(newer.count) && !newer.isEmpty && newer.count <= 60)
        // search: case-insensitive substring of name or description; % and _ match literally.
        try await expectFilter("search _", { $0.search = "legal_ko" }) { $0 == 0 }
        try await expectFilter("search case", { $0.search = "LEGAL" }) { $0 == 0 || $0 == 1 }
        try await expectFilter("search %", { $0.search = "100%" }) { $0 == 2 }
        try await expectFilter("search description", { $0.search = "Accurate" }) { $0 == 2 || $0 == 3 }

        // A filtered list pages with the same total on every page.
        var legal: [Int64] = []
        for skip in stride(from: 0, to: 40, by: 7) {
            let page = try await harness.list { $0.project = "legal"; $0.skip = Int32(skip); $0.limit = 7 }
            #expect(page.total == 40)
            legal += page.items.map(\.id)
        }
        #expect(legal.count == 40 && Set(legal).count == 40)
    }
}

/// A caller holding a page asks "changed since?": unchanged → not_modified
/// with no rows; any change to the models (another key, another instance) → a full page.
@Suite(.serialized) struct RegistryCatalogVersionTests {
    @Test func listAnswersNotModifiedUntilTheCatalogChanges() async throws {
        try await RegistryHarness.with { harness in
            _ = try await harness.register("cv-a", "1.0")
            let first = try await harness.list { $0.limit = 10 }
            #expect(first.catalogVersion > 0 && !first.notModified && first.items.count == 1)

            let unchanged = try await harness.list { $0.limit = 10; $0.ifCatalogVersion = first.catalogVersion }
            #expect(unchanged.notModified && unchanged.items.isEmpty && unchanged.catalogVersion == first.catalogVersion)

            let model = try await harness.register("cv-b", "1.0")
            let afterInsert = try await harness.list { $0.limit = 10; $0.ifCatalogVersion = first.catalogVersion }
            #expect(!afterInsert.notModified && afterInsert.items.count == 2 && afterInsert.catalogVersion > first.catalogVersion)

            _ = try await harness.stage(RegistryMethods.promoteModel, model.id)
            let afterPromote = try await harness.list { $0.limit = 10; $0.ifCatalogVersion = afterInsert.catalogVersion }
            #expect(!afterPromote.notModified && afterPromote.items.first { $0.id == model.id }?.status == .production)
        }
    }
}
