import Testing
@testable import DatasetDomain

@Suite struct SplitTests {
    static func categories() -> [String?] {
        var out: [String?] = []
        let sizes: [(String?, Int)] = [("math", 100), ("코드", 37), ("chat", 13), (nil, 10), ("rare", 1), ("pair", 2)]
        // Interleave so groups are not contiguous in the input.
        var remaining = sizes.map(\.1)
        while remaining.contains(where: { $0 > 0 }) {
            for k in sizes.indices where remaining[k] > 0 {
                out.append(sizes[k].0)
                remaining[k] -= 1
            }
        }
        return out
    }

    @Test func ratioValidationNamesTheField() {
        #expect(throws: SplitRatioError.self) { try SplitRatios(train: -0.1, validation: 0.6, test: 0.5) }
        func field(_ t: Double, _ v: Double, _ s: Double) -> String? {
            do { _ = try SplitRatios(train: t, validation: v, test: s); return nil } catch { return error.field }
        }
        #expect(field(-0.1, 0.6, 0.5) == "train_ratio")
        #expect(field(0.5, .nan, 0.5) == "val_ratio")
        #expect(field(0.5, 0.5, -0.0000001) == "test_ratio")
        #expect(field(0.8, 0.1, 0.05) == "ratios")
        #expect(field(0.8, 0.1, 0.1 + 2e-9) == "ratios")
        #expect(field(0.7, 0.2, 0.1) == nil)
        #expect(field(1, 0, 0) == nil)
        #expect(field(0.8, 0.1, 0.1 + 5e-10) == nil)
        do {
            try StratifiedSplitter.validate(train: 0.8, validation: 0.3, test: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "ratios")
            #expect(error.reason.contains("sum to 1"))
        }
    }

    @Test func everyCategoryIsSplitAsCloseAsPossible() throws {
        let cats = Self.categories()
        let ratios = try SplitRatios(train: 0.8, validation: 0.1, test: 0.1)
        let parts = StratifiedSplitter.assign(categories: cats, ratios: ratios, seed: 42)
        #expect(parts.count == cats.count)
        var perCategory: [String?: [SplitPart: Int]] = [:]
        for (c, p) in zip(cats, parts) { perCategory[c, default: [:]][p, default: 0] += 1 }
        for (c, counts) in perCategory {
            let n = counts.values.reduce(0, +)
            for part in SplitPart.allCases {
                let exact = Double(n) * ratios[part]
                let got = counts[part] ?? 0
                #expect(Double(got) >= exact.rounded(.down) - 1e-9 && Double(got) <= exact.rounded(.up) + 1e-9,
                        "category \(c ?? "nil") \(part): \(got) vs \(exact)")
            }
        }
        #expect(perCategory["math"] == [.train: 80, .validation: 10, .test: 10])
        // Dataset totals are the largest-remainder rounding of N·r: 163 → 130.4, 16.3, 16.3.
        let expected = StratifiedSplitter.largestRemainder(total: cats.count, ratios: [0.8, 0.1, 0.1])
        #expect(expected == [131, 16, 16])
        #expect(StratifiedSplitter.counts(parts) == [.train: 131, .validation: 16, .test: 16])
    }

    @Test func sameSeedSameSplitOtherSeedDiffers() throws {
        let cats = Self.categories()
        let ratios = try SplitRatios(train: 0.7, validation: 0.2, test: 0.1)
        let a = StratifiedSplitter.assign(categories: cats, ratios: ratios, seed: 7)
        let b = StratifiedSplitter.assign(categories: cats, ratios: ratios, seed: 7)
        let c = StratifiedSplitter.assign(categories: cats, ratios: ratios, seed: 8)
        #expect(a == b)
        #expect(a != c)
        #expect(StratifiedSplitter.counts(a) == StratifiedSplitter.counts(c))
    }

    @Test func smallCategoriesStillFillEveryPart() throws {
        let cats: [String?] = (0..<10).map { "c\($0)" }
        let ratios = try SplitRatios(train: 0.8, validation: 0.1, test: 0.1)
        var seen = Set<[SplitPart]>()
        for seed in 0..<20 as Range<UInt64> {
            let parts = StratifiedSplitter.assign(categories: cats, ratios: ratios, seed: seed)
            #expect(StratifiedSplitter.counts(parts) == [.train: 8, .validation: 1, .test: 1])
            seen.insert(parts)
        }
        #expect(seen.count > 1)  // which singleton lands in val/test depends on the seed
    }

    @Test func degenerateRatiosAndInputs() throws {
        let cats: [String?] = ["a", "b", nil, "a"]
        #expect(StratifiedSplitter.assign(categories: cats, ratios: try SplitRatios(train: 1, validation: 0, test: 0), seed: 1)
                == [.train, .train, .train, .train])
        #expect(StratifiedSplitter.assign(categories: cats, ratios: try SplitRatios(train: 0, validation: 0, test: 1), seed: 1)
                == [.test, .test, .test, .test])
        #expect(StratifiedSplitter.assign(categories: [], ratios: try SplitRatios(train: 0.5, validation: 0.5, test: 0), seed: 1) == [])
        #expect(StratifiedSplitter.assign(categories: [nil], ratios: try SplitRatios(train: 0.5, validation: 0.25, test: 0.25), seed: 3) == [.train])
    }

    @Test func generatorsAreFixedAcrossPlatforms() {
        var sm = SplitMix64(seed: 0)
        #expect(sm.next() == 0xE220_A839_7B1D_CDAF)
        #expect(sm.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(stableHash64("") == 0xCBF2_9CE4_8422_2325)
        #expect(stableHash64("a") == 0xAF63_DC4C_8601_EC8C)
        // Reference values of the C implementations (splitmix64.c / xoshiro256starstar.c).
        var z = Xoshiro256StarStar(seed: 0)
        #expect([z.next(), z.next(), z.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var x = Xoshiro256StarStar(seed: 1)
        var y = Xoshiro256StarStar(seed: 1)
        for _ in 0..<100 { #expect(x.next(below: 1000) == y.next(below: 1000)) }
    }

    /// Locks the algorithm: a change here changes every stored split.
    @Test func goldenAssignment() throws {
        let parts = StratifiedSplitter.assign(categories: ["a", "a", "b", "a", "b", "c", nil, "a", "b", "a"],
                                              ratios: try SplitRatios(train: 0.6, validation: 0.2, test: 0.2), seed: 2024)
        #expect(parts.map(\.rawValue) == ["test", "train", "train", "train", "train", "train", "test", "validation", "validation", "train"])
    }
}
