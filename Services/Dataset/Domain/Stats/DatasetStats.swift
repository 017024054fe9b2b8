/// Dataset statistics as stored with a dataset version and served by the API.
/// Encodes with snake_case keys whatever the encoder's key strategy.
public struct DatasetStats: Sendable, Equatable, Encodable {
    public var sampleCount: Int
    /// `exact:<tokenizer>` when counts came from a tokenizer, otherwise
    /// `approx:script-heuristic-v1` (see `TokenEstimator`).
    public var tokenCountMethod: String
    /// Tokens per sample (all turns' content).
    public var tokens: LengthDistribution
    /// Unicode scalars per sample (all turns' content).
    public var chars: LengthDistribution
    /// Messages per sample.
    public var turns: LengthDistribution
    public var roles: RoleCounts
    /// Sorted by count descending, then name; `name` null = no category.
    public var categories: [NamedCount]
    public var sources: [NamedCount]
    public var pii: PIIStats
    public var duplicates: DuplicateStats
    public var quality: QualityStats

    enum CodingKeys: String, CodingKey {
        case sampleCount = "sample_count"
        case tokenCountMethod = "token_count_method"
        case tokens, chars, turns, roles, categories, sources, pii, duplicates, quality
    }
}

/// Exact order statistics over one Int per sample. Percentiles use the
/// nearest-rank method (the value at rank ⌈p·n⌉ of the sorted list).
/// Histogram bins are equal-width `[lower, upper)` from 0, the width a 1-2-5
/// step chosen for at most 20 bins; the last bin holds the maximum.
public struct LengthDistribution: Sendable, Equatable, Encodable {
    public var count: Int
    public var min: Int
    public var max: Int
    public var mean: Double
    public var total: Int
    public var p50: Int
    public var p90: Int
    public var p99: Int
    public var histogram: [LengthBin]
}

public struct LengthBin: Sendable, Equatable, Encodable {
    public var lower: Int
    public var upper: Int
    public var count: Int
}

public struct RoleCounts: Sendable, Equatable, Encodable {
    public var system: Int
    public var user: Int
    public var assistant: Int
}

public struct NamedCount: Sendable, Equatable, Encodable {
    public var name: String?
    public var count: Int
    /// count / sample_count
    public var ratio: Double

    enum CodingKeys: String, CodingKey { case name, count, ratio }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)  // explicit null for "no category"
        try c.encode(count, forKey: .count)
        try c.encode(ratio, forKey: .ratio)
    }
}

public struct PIIStats: Sendable, Equatable, Encodable {
    public var samplesWithPII: Int
    public var findings: Int
    public var sampleRatio: Double

    enum CodingKeys: String, CodingKey {
        case samplesWithPII = "samples_with_pii"
        case findings
        case sampleRatio = "sample_ratio"
    }
}

public struct DuplicateStats: Sendable, Equatable, Encodable {
    public var exact: Int
    public var near: Int
    public var exactRatio: Double
    public var nearRatio: Double

    enum CodingKeys: String, CodingKey {
        case exact, near
        case exactRatio = "exact_ratio"
        case nearRatio = "near_ratio"
    }
}

/// Quality scores clamped to [0, 1] in 10 bins of 0.1 (`[lower, upper)`,
/// the last bin includes 1.0). Mean is computed in fixed point (1e-6) so
/// merged and sequential accumulation agree exactly.
public struct QualityStats: Sendable, Equatable, Encodable {
    public var scored: Int
    public var unscored: Int
    public var mean: Double?
    public var min: Double?
    public var max: Double?
    public var histogram: [ScoreBin]
}

public struct ScoreBin: Sendable, Equatable, Encodable {
    public var lower: Double
    public var upper: Double
    public var count: Int
}

/// Collects statistics one sample at a time. Feed it from any number of
/// workers (one accumulator each) and `merge` them; the result does not depend
/// on how samples were spread over workers or in which order they came.
/// Memory: 12 bytes per sample (three Int32) plus category/source tables.
public struct DatasetStatsAccumulator: Sendable {
    public let tokenizerName: String?
    private var charLengths: [Int32] = []
    private var tokenCounts: [Int32] = []
    private var turnCounts: [Int32] = []
    private var roles = RoleCounts(system: 0, user: 0, assistant: 0)
    private var categories: [String?: Int] = [:]
    private var sources: [String?: Int] = [:]
    private var piiSamples = 0
    private var piiFindings = 0
    private var exactDuplicates = 0
    private var nearDuplicates = 0
    private var qualityBins = [Int](repeating: 0, count: 10)
    private var qualityScored = 0
    private var qualityMicroSum: Int64 = 0
    private var qualityMin = Double.infinity
    private var qualityMax = -Double.infinity

    /// - Parameter tokenizerName: set when the caller passes exact `tokenCount`s.
    public init(tokenizerName: String? = nil) {
        self.tokenizerName = tokenizerName
    }

    public var sampleCount: Int { charLengths.count }

    public mutating func reserveCapacity(_ n: Int) {
        charLengths.reserveCapacity(n)
        tokenCounts.reserveCapacity(n)
        turnCounts.reserveCapacity(n)
    }

    /// - Parameters:
    ///   - piiCount: PII findings in this sample (from the PII scanner).
    ///   - isExactDuplicate / isNearDuplicate: from dedup (a sample counted as
    ///     exact is not also counted as near by convention of the caller).
    ///   - qualityScore: the computed score; nil falls back to `metadata.quality_score`.
    ///   - tokenCount: exact count from a tokenizer; nil uses `TokenEstimator`.
    ///   - charCount: with `tokenCount`, the caller's own measure (Unicode
    ///     scalars), so the accumulator does not read the text again.
    public mutating func add(
        _ sample: ChatSample,
        piiCount: Int = 0,
        isExactDuplicate: Bool = false,
        isNearDuplicate: Bool = false,
        qualityScore: Double? = nil,
        tokenCount: Int? = nil,
        charCount: Int? = nil
    ) {
        var chars = 0
        var tokens = 0
        for m in sample.messages {
            switch m.role {
            case .system: roles.system += 1
            case .user: roles.user += 1
            case .assistant: roles.assistant += 1
            }
            if charCount != nil, tokenCount != nil {
                // Both measured by the caller (e.g. on another thread).
            } else if tokenCount == nil {
                let r = TokenEstimator.measure(m.content)
                chars += r.scalars
                tokens += r.tokens
            } else {
                chars += m.content.unicodeScalars.count
            }
        }
        if let tokenCount { tokens = tokenCount }
        if let charCount { chars = charCount }
        charLengths.append(Int32(clamping: chars))
        tokenCounts.append(Int32(clamping: Swift.max(0, tokens)))
        turnCounts.append(Int32(clamping: sample.messages.count))
        categories[sample.metadata.category, default: 0] += 1
        sources[sample.metadata.source, default: 0] += 1
        if piiCount > 0 {
            piiSamples += 1
            piiFindings += piiCount
        }
        if isExactDuplicate { exactDuplicates += 1 }
        if isNearDuplicate { nearDuplicates += 1 }
        if let q = qualityScore ?? sample.metadata.qualityScore, q.isFinite {
            let c = Swift.min(1, Swift.max(0, q))
            qualityBins[Swift.min(9, Int(c * 10))] += 1
            qualityScored += 1
            qualityMicroSum += Int64((c * 1_000_000).rounded())
            qualityMin = Swift.min(qualityMin, c)
            qualityMax = Swift.max(qualityMax, c)
        }
    }

    public mutating func merge(_ other: DatasetStatsAccumulator) {
        charLengths.append(contentsOf: other.charLengths)
        tokenCounts.append(contentsOf: other.tokenCounts)
        turnCounts.append(contentsOf: other.turnCounts)
        roles.system += other.roles.system
        roles.user += other.roles.user
        roles.assistant += other.roles.assistant
        for (k, v) in other.categories { categories[k, default: 0] += v }
        for (k, v) in other.sources { sources[k, default: 0] += v }
        piiSamples += other.piiSamples
        piiFindings += other.piiFindings
        exactDuplicates += other.exactDuplicates
        nearDuplicates += other.nearDuplicates
        for k in 0..<10 { qualityBins[k] += other.qualityBins[k] }
        qualityScored += other.qualityScored
        qualityMicroSum += other.qualityMicroSum
        qualityMin = Swift.min(qualityMin, other.qualityMin)
        qualityMax = Swift.max(qualityMax, other.qualityMax)
    }

    public func finish() -> DatasetStats {
        let n = charLengths.count
        func ratio(_ c: Int) -> Double { n == 0 ? 0 : Double(c) / Double(n) }
        func named(_ table: [String?: Int]) -> [NamedCount] {
            table.map { NamedCount(name: $0.key, count: $0.value, ratio: ratio($0.value)) }
                .sorted { a, b in
                    if a.count != b.count { return a.count > b.count }
                    switch (a.name, b.name) {
                    case (nil, _): return b.name != nil
                    case (_, nil): return false
                    case let (x?, y?): return x.utf8.lexicographicallyPrecedes(y.utf8)
                    }
                }
        }
        let bins = (0..<10).map { k in
            ScoreBin(lower: Double(k) / 10, upper: Double(k + 1) / 10, count: qualityBins[k])
        }
        return DatasetStats(
            sampleCount: n,
            tokenCountMethod: tokenizerName.map { "exact:\($0)" } ?? "approx:\(TokenEstimator.name)",
            tokens: Self.distribution(tokenCounts),
            chars: Self.distribution(charLengths),
            turns: Self.distribution(turnCounts),
            roles: roles,
            categories: named(categories),
            sources: named(sources),
            pii: PIIStats(samplesWithPII: piiSamples, findings: piiFindings, sampleRatio: ratio(piiSamples)),
            duplicates: DuplicateStats(exact: exactDuplicates, near: nearDuplicates,
                                       exactRatio: ratio(exactDuplicates), nearRatio: ratio(nearDuplicates)),
            quality: QualityStats(
                scored: qualityScored,
                unscored: n - qualityScored,
                mean: qualityScored == 0 ? nil : Double(qualityMicroSum) / 1_000_000 / Double(qualityScored),
                min: qualityScored == 0 ? nil : qualityMin,
                max: qualityScored == 0 ? nil : qualityMax,
                histogram: bins
            )
        )
    }

    static func distribution(_ values: [Int32]) -> LengthDistribution {
        guard !values.isEmpty else {
            return LengthDistribution(count: 0, min: 0, max: 0, mean: 0, total: 0, p50: 0, p90: 0, p99: 0, histogram: [])
        }
        let sorted = values.sorted()
        let n = sorted.count
        var total = 0
        for v in sorted { total += Int(v) }
        func rank(_ p: Int) -> Int {
            // nearest rank: ⌈p/100 · n⌉, 1-based
            let r = (p * n + 99) / 100
            return Int(sorted[Swift.max(1, r) - 1])
        }
        let maxV = Int(sorted[n - 1])
        let width = niceBinWidth(max: maxV, maxBins: 20)
        let binCount = maxV / width + 1
        var counts = [Int](repeating: 0, count: binCount)
        for v in sorted { counts[Int(v) / width] += 1 }
        let histogram = (0..<binCount).map { LengthBin(lower: $0 * width, upper: ($0 + 1) * width, count: counts[$0]) }
        return LengthDistribution(
            count: n, min: Int(sorted[0]), max: maxV,
            mean: Double(total) / Double(n), total: total,
            p50: rank(50), p90: rank(90), p99: rank(99),
            histogram: histogram
        )
    }

    /// Smallest 1-2-5 × 10^k width giving at most `maxBins` bins over 0...max.
    static func niceBinWidth(max: Int, maxBins: Int) -> Int {
        var scale = 1
        while true {
            for m in [1, 2, 5] {
                let w = m * scale
                if max / w + 1 <= maxBins { return w }
            }
            scale *= 10
        }
    }
}
