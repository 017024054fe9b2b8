/// Per-dataset quality: an accumulator of `QualityScore`s that two workers
/// can fill independently and `merge` (every statistic is a sum, a count, a
/// min or a max, so merging is exact and order-independent).
public struct QualitySummary: Sendable, Equatable {
    /// The `min_score` the `passed` count is taken against (nil: not counted).
    public let minScore: Double?
    public private(set) var count = 0
    /// Samples with `score ≥ minScore`.
    public private(set) var passed = 0
    public private(set) var scoreSum = 0.0
    public private(set) var lengthSum = 0.0
    public private(set) var diversitySum = 0.0
    public private(set) var noiseSum = 0.0
    public private(set) var minScoreSeen = Double.infinity
    public private(set) var maxScoreSeen = -Double.infinity
    /// 10 bins of width 0.1: bin i holds scores in [i/10, (i+1)/10), bin 9 also 1.0.
    public private(set) var histogram = [Int](repeating: 0, count: 10)
    /// Samples carrying each flag.
    public private(set) var flagCounts: [String: Int] = [:]

    public init(minScore: Double? = nil) {
        self.minScore = minScore
    }

    public mutating func add(_ s: QualityScore) {
        count += 1
        if let minScore, s.score >= minScore { passed += 1 }
        scoreSum += s.score
        lengthSum += s.components.length
        diversitySum += s.components.diversity
        noiseSum += s.components.noise
        minScoreSeen = Swift.min(minScoreSeen, s.score)
        maxScoreSeen = Swift.max(maxScoreSeen, s.score)
        histogram[Self.bin(s.score)] += 1
        for flag in s.flags { flagCounts[flag, default: 0] += 1 }
    }

    /// Adds everything `other` accumulated (same `minScore` required).
    public mutating func merge(_ other: QualitySummary) {
        precondition(minScore == other.minScore, "merging summaries taken against different min scores")
        count += other.count
        passed += other.passed
        scoreSum += other.scoreSum
        lengthSum += other.lengthSum
        diversitySum += other.diversitySum
        noiseSum += other.noiseSum
        minScoreSeen = Swift.min(minScoreSeen, other.minScoreSeen)
        maxScoreSeen = Swift.max(maxScoreSeen, other.maxScoreSeen)
        for i in 0..<10 { histogram[i] += other.histogram[i] }
        for (flag, n) in other.flagCounts { flagCounts[flag, default: 0] += n }
    }

    public func merged(with other: QualitySummary) -> QualitySummary {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// Dataset quality score: the mean sample score (nil when empty).
    public var mean: Double? { count > 0 ? scoreSum / Double(count) : nil }
    public var min: Double? { count > 0 ? minScoreSeen : nil }
    public var max: Double? { count > 0 ? maxScoreSeen : nil }
    public var meanLength: Double? { count > 0 ? lengthSum / Double(count) : nil }
    public var meanDiversity: Double? { count > 0 ? diversitySum / Double(count) : nil }
    public var meanNoise: Double? { count > 0 ? noiseSum / Double(count) : nil }

    static func bin(_ score: Double) -> Int {
        guard score.isFinite else { return 0 }
        return Swift.min(9, Swift.max(0, Int(score * 10)))
    }
}
