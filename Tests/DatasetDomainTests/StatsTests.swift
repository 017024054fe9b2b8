import Foundation
import Testing
@testable import DatasetDomain

@Suite struct StatsTests {
    static let samples: [(ChatSample, pii: Int, exact: Bool, near: Bool, quality: Double?)] = [
        (ChatSample(id: "1", messages: [ChatMessage(role: .user, content: "Hello world"),
                                       ChatMessage(role: .assistant, content: "안녕하세요")],
                    metadata: SampleMetadata(source: "web", category: "qa")), 2, false, false, 0.95),
        (ChatSample(id: "2", messages: [ChatMessage(role: .system, content: "Be nice."),
                                       ChatMessage(role: .user, content: "123456"),
                                       ChatMessage(role: .assistant, content: "Hi!")],
                    metadata: SampleMetadata(category: "qa", qualityScore: 0.35)), 0, true, false, nil),
        (ChatSample(id: "3", messages: [ChatMessage(role: .user, content: "漢字"),
                                       ChatMessage(role: .assistant, content: "a\n\nb")],
                    metadata: SampleMetadata(source: "web")), 1, false, false, 1.0),
        (ChatSample(id: "4", messages: [ChatMessage(role: .user, content: "x"),
                                       ChatMessage(role: .assistant, content: "y")],
                    metadata: SampleMetadata(category: "code")), 0, false, true, nil),
    ]

    static func accumulate(_ indices: [Int]) -> DatasetStatsAccumulator {
        var acc = DatasetStatsAccumulator()
        for k in indices {
            let s = samples[k]
            acc.add(s.0, piiCount: s.pii, isExactDuplicate: s.exact, isNearDuplicate: s.near, qualityScore: s.quality)
        }
        return acc
    }

    @Test func tokenEstimatorRules() {
        #expect(TokenEstimator.estimate("") == 0)
        #expect(TokenEstimator.estimate("Hello world") == 2)
        #expect(TokenEstimator.estimate("The quick brown fox jumps over the lazy dog.") == 10)
        #expect(TokenEstimator.estimate("internationalization") == 3)
        #expect(TokenEstimator.estimate("안녕하세요") == 5)
        #expect(TokenEstimator.estimate("123456") == 2)
        #expect(TokenEstimator.estimate("1234") == 2)
        #expect(TokenEstimator.estimate("Hi!") == 2)
        #expect(TokenEstimator.estimate("a\n\nb") == 3)
        #expect(TokenEstimator.estimate("    indented") == 2)
        #expect(TokenEstimator.estimate("😀") == 2)
        #expect(TokenEstimator.estimate("漢字かな") == 4)
        #expect(TokenEstimator.estimate("한국어 text 123") == 3 + 1 + 1)
        #expect(TokenEstimator.measure("é 😀").scalars == 3)
    }

    @Test func statsOnAHandComputedSet() throws {
        let stats = Self.accumulate([0, 1, 2, 3]).finish()
        #expect(stats.sampleCount == 4)
        #expect(stats.tokenCountMethod == "approx:script-heuristic-v1")
        // chars per sample: 16, 17, 6, 2
        #expect(stats.chars.min == 2 && stats.chars.max == 17 && stats.chars.total == 41)
        #expect(stats.chars.mean == 10.25)
        #expect(stats.chars.p50 == 6 && stats.chars.p90 == 17 && stats.chars.p99 == 17)
        #expect(stats.chars.histogram.count == 18)
        #expect(stats.chars.histogram.map(\.count).reduce(0, +) == 4)
        #expect(stats.chars.histogram[16] == LengthBin(lower: 16, upper: 17, count: 1))
        // tokens per sample: 2+5, 3+2+2, 2+3, 1+1
        #expect(stats.tokens.total == 21)
        #expect(stats.tokens.p50 == 5 && stats.tokens.max == 7 && stats.tokens.min == 2)
        #expect(stats.tokens.histogram.filter { $0.count > 0 }.map(\.lower) == [2, 5, 7])
        #expect(stats.turns.mean == 2.25 && stats.turns.max == 3 && stats.turns.p50 == 2)
        #expect(stats.roles == RoleCounts(system: 1, user: 4, assistant: 4))
        #expect(stats.categories == [NamedCount(name: "qa", count: 2, ratio: 0.5),
                                     NamedCount(name: nil, count: 1, ratio: 0.25),
                                     NamedCount(name: "code", count: 1, ratio: 0.25)])
        #expect(stats.sources == [NamedCount(name: nil, count: 2, ratio: 0.5), NamedCount(name: "web", count: 2, ratio: 0.5)])
        #expect(stats.pii == PIIStats(samplesWithPII: 2, findings: 3, sampleRatio: 0.5))
        #expect(stats.duplicates == DuplicateStats(exact: 1, near: 1, exactRatio: 0.25, nearRatio: 0.25))
        #expect(stats.quality.scored == 3 && stats.quality.unscored == 1)
        #expect(stats.quality.min == 0.35 && stats.quality.max == 1.0)
        #expect(abs(try #require(stats.quality.mean) - 2.3 / 3) < 1e-12)
        #expect(stats.quality.histogram.map(\.count) == [0, 0, 0, 1, 0, 0, 0, 0, 0, 2])
    }

    @Test func mergeMatchesSequential() {
        let sequential = Self.accumulate([0, 1, 2, 3]).finish()
        var a = Self.accumulate([3, 1])
        a.merge(Self.accumulate([2, 0]))
        #expect(a.finish() == sequential)
        var empty = DatasetStatsAccumulator()
        empty.merge(Self.accumulate([0, 1, 2, 3]))
        #expect(empty.finish() == sequential)
    }

    @Test func exactTokenCountsAndEmptyDataset() {
        var acc = DatasetStatsAccumulator(tokenizerName: "llama3")
        acc.add(Self.samples[0].0, tokenCount: 11)
        let s = acc.finish()
        #expect(s.tokenCountMethod == "exact:llama3")
        #expect(s.tokens.total == 11)
        #expect(s.chars.total == 16)
        let e = DatasetStatsAccumulator().finish()
        #expect(e.sampleCount == 0 && e.tokens.histogram.isEmpty && e.quality.mean == nil && e.categories.isEmpty)
    }

    @Test func encodesSnakeCaseJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(Self.accumulate([0, 1, 2, 3]).finish()), as: UTF8.self)
        #expect(json.contains(#""sample_count":4"#))
        #expect(json.contains(#""token_count_method":"approx:script-heuristic-v1""#))
        #expect(json.contains(#""samples_with_pii":2"#))
        #expect(json.contains(#""exact_ratio":0.25"#))
        #expect(json.contains(#"{"count":1,"name":null,"ratio":0.25}"#))
        #expect(json.contains(#""p99":17"#))
    }
}
