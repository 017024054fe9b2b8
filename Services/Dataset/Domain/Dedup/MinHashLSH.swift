import Foundation

/// Banding of a MinHash signature for LSH: `bands` bands of `rows` rows each
/// (`bands · rows ≤ numPermutations`; leftover components are unused). Two
/// signatures become candidates when all rows of at least one band agree,
/// which for true Jaccard `s` happens with probability `1 − (1 − s^rows)^bands`.
public struct LSHParameters: Sendable, Hashable, CustomStringConvertible {
    public let bands: Int
    public let rows: Int

    public init(bands: Int, rows: Int) {
        precondition(bands >= 1 && rows >= 1, "bands and rows must be positive")
        self.bands = bands
        self.rows = rows
    }

    /// Default weights of `optimal`: a false negative (a missed duplicate) is
    /// weighted 9× a false positive, because every LSH candidate is verified
    /// against the threshold with the signature estimate (~100 ns), so a false
    /// positive costs a comparison while a false negative leaves a duplicate in
    /// the dataset. (datasketch's `MinHashLSH` defaults to 0.5/0.5.)
    public static let defaultFalsePositiveWeight = 0.1
    public static let defaultFalseNegativeWeight = 0.9

    /// Default similarity threshold of `MinHashLSH` and `NearDuplicateFinder`
    /// (see `NearDuplicateFinder` for why 0.8).
    public static let defaultThreshold = 0.8

    /// `optimal` for the default threshold, permutations and weights (14 × 9),
    /// computed once.
    public static let defaults = optimal(threshold: defaultThreshold, numPermutations: MinHasher.defaultNumPermutations)

    /// The given parameters, else `optimal(threshold:numPermutations:)` with
    /// the default weights (served from `defaults` for the default arguments).
    static func resolve(_ given: LSHParameters?, threshold: Double, numPermutations: Int) -> LSHParameters {
        if let given { return given }
        if threshold == defaultThreshold && numPermutations == MinHasher.defaultNumPermutations { return defaults }
        return optimal(threshold: threshold, numPermutations: numPermutations)
    }

    /// The (bands, rows) minimizing `fpWeight·FP + fnWeight·FN`, where FP is
    /// the area under the candidate-probability curve below `threshold` and FN
    /// the area above the curve from `threshold` to 1 — the same search as
    /// datasketch's `_optimal_param` (which integrates with `scipy.quad`; here
    /// composite Simpson with 512 intervals, equal to 6 digits).
    ///
    /// For the defaults (threshold 0.8, 128 permutations, weights 0.1/0.9) this
    /// gives **14 bands × 9 rows**: a pair becomes a candidate with
    /// probability 0.027 at J = 0.5, 0.44 at J = 0.7, 0.87 at J = 0.8,
    /// 0.975 at J = 0.85 and 0.999 at J = 0.9 (FP area 0.101, FN area 0.0039).
    /// With datasketch's 0.5/0.5 it would be 9 × 13: 0.001 at 0.5, 0.08 at
    /// 0.7, 0.40 at 0.8, 0.93 at 0.9 — far fewer candidates but 7 % of pairs at
    /// J = 0.9 missed.
    public static func optimal(
        threshold: Double,
        numPermutations: Int,
        falsePositiveWeight: Double = defaultFalsePositiveWeight,
        falseNegativeWeight: Double = defaultFalseNegativeWeight
    ) -> LSHParameters {
        precondition(threshold > 0 && threshold < 1, "threshold must be in (0, 1)")
        precondition(numPermutations >= 1, "numPermutations must be positive")
        var best = LSHParameters(bands: 1, rows: 1)
        var bestError = Double.infinity
        for b in 1...numPermutations {
            for r in 1...(numPermutations / b) {
                let p = LSHParameters(bands: b, rows: r)
                let error = p.falsePositiveArea(threshold: threshold) * falsePositiveWeight
                    + p.falseNegativeArea(threshold: threshold) * falseNegativeWeight
                if error < bestError {
                    bestError = error
                    best = p
                }
            }
        }
        return best
    }

    /// Probability that a pair with Jaccard `s` becomes a candidate.
    public func candidateProbability(jaccard s: Double) -> Double {
        1 - pow(1 - pow(s, Double(rows)), Double(bands))
    }

    /// ∫₀^t P(candidate | s) ds.
    public func falsePositiveArea(threshold t: Double) -> Double {
        Self.simpson(0, t) { candidateProbability(jaccard: $0) }
    }

    /// ∫ₜ^1 (1 − P(candidate | s)) ds.
    public func falseNegativeArea(threshold t: Double) -> Double {
        Self.simpson(t, 1) { 1 - candidateProbability(jaccard: $0) }
    }

    public var description: String { "\(bands)×\(rows)" }

    private static func simpson(_ a: Double, _ b: Double, _ f: (Double) -> Double) -> Double {
        let n = 512
        let h = (b - a) / Double(n)
        var sum = f(a) + f(b)
        for i in 1..<n {
            sum += f(a + Double(i) * h) * (i % 2 == 1 ? 4 : 2)
        }
        return sum * h / 3
    }
}

/// Band tables shared by `MinHashLSH` and `NearDuplicateFinder`: per band a
/// map from the band's 64-bit hash to the newest entry, plus a `next` chain
/// through older entries (no per-bucket arrays). Entries are dense indices.
struct LSHBandIndex: Sendable {
    let parameters: LSHParameters
    private var heads: [[UInt64: Int32]]
    private var next: [Int32] = []  // next[entry * bands + band]
    private(set) var count = 0

    init(parameters: LSHParameters) {
        self.parameters = parameters
        heads = Array(repeating: [:], count: parameters.bands)
    }

    /// Hash of band `band` of `values` (deterministic, seeded by the band).
    @inline(__always)
    func bandHash(_ values: UnsafePointer<UInt32>, band: Int) -> UInt64 {
        let r = parameters.rows
        var h = 0x9e37_79b9_7f4a_7c15 &* UInt64(band + 1)
        var i = band * r
        let end = i + r
        while i + 1 < end {
            let pair = UInt64(values[i]) | UInt64(values[i + 1]) << 32
            h = StableHash.mum(h ^ pair, 0xa076_1d64_78bd_642f)
            i += 2
        }
        if i < end {
            h = StableHash.mum(h ^ UInt64(values[i]), 0xe703_7ed1_a0b4_28db)
        }
        return h
    }

    /// Adds a signature as entry `count`; returns its index.
    @discardableResult
    mutating func insert(_ values: UnsafePointer<UInt32>) -> Int {
        let entry = count
        let b = parameters.bands
        for band in 0..<b {
            let h = bandHash(values, band: band)
            let previous = heads[band].updateValue(Int32(entry), forKey: h)
            next.append(previous ?? -1)
        }
        count += 1
        return entry
    }

    /// Entries sharing at least one band with `values`, ascending, no repeats.
    func query(_ values: UnsafePointer<UInt32>) -> [Int] {
        var found: [Int] = []
        let b = parameters.bands
        for band in 0..<b {
            guard var e = heads[band][bandHash(values, band: band)] else { continue }
            while e >= 0 {
                found.append(Int(e))
                e = next[Int(e) * b + band]
            }
        }
        if found.count > 1 {
            found.sort()
            var w = 1
            for i in 1..<found.count where found[i] != found[w - 1] {
                found[w] = found[i]
                w += 1
            }
            found.removeLast(found.count - w)
        }
        return found
    }
}

/// MinHash LSH index: insert signatures under keys, query candidate keys
/// whose signatures share a band (see `LSHParameters`). Candidates are not
/// verified here; `NearDuplicateFinder` does that.
public struct MinHashLSH<Key: Sendable>: Sendable {
    public let threshold: Double
    public let numPermutations: Int
    public var parameters: LSHParameters { index.parameters }
    private var index: LSHBandIndex
    private var keys: [Key] = []

    /// `parameters` defaults to `LSHParameters.optimal(threshold:numPermutations:)`.
    public init(threshold: Double = LSHParameters.defaultThreshold,
                numPermutations: Int = MinHasher.defaultNumPermutations,
                parameters: LSHParameters? = nil) {
        let p = LSHParameters.resolve(parameters, threshold: threshold, numPermutations: numPermutations)
        precondition(p.bands * p.rows <= numPermutations, "bands × rows exceeds numPermutations")
        self.threshold = threshold
        self.numPermutations = numPermutations
        index = LSHBandIndex(parameters: p)
    }

    public var count: Int { keys.count }

    public mutating func insert(_ key: Key, signature: MinHashSignature) {
        precondition(signature.count == numPermutations, "signature has \(signature.count) values, index expects \(numPermutations)")
        signature.values.withUnsafeBufferPointer { _ = index.insert($0.baseAddress!) }
        keys.append(key)
    }

    /// Keys of inserted signatures sharing at least one band, in insertion order.
    public func query(_ signature: MinHashSignature) -> [Key] {
        precondition(signature.count == numPermutations, "signature has \(signature.count) values, index expects \(numPermutations)")
        return signature.values.withUnsafeBufferPointer { index.query($0.baseAddress!) }.map { keys[$0] }
    }
}

/// Near-duplicate detection in stream order, keeping the first occurrence.
///
/// Each sample is checked against the samples kept so far: LSH proposes
/// candidates, each candidate is verified by the signature estimate
/// `Ĵ ≥ threshold`, and the sample is a near duplicate of the verified
/// candidate with the highest `Ĵ` (the earliest on ties). Otherwise it is
/// kept and indexed. Signatures can be computed in parallel (`MinHasher` is a
/// pure value); `check` calls must come in dataset order.
///
/// **Default threshold 0.8** (estimated Jaccard of 5-scalar shingle sets):
/// a 1 KB sample with a few words changed, a greeting or sign-off added, or
/// only case/whitespace/punctuation variants differs by well under 20 % of
/// its ~600 shingles and stays above it (one changed word costs ~5–10);
/// rewriting one sentence in ten lands near the threshold; two answers that
/// share only a template or a quoted question fall below. With the default
/// 14 × 9 banding a pair is reported with probability ≈ 0.999 at J = 0.9,
/// 0.91 at J = 0.85, 0.43 at J = 0.8 (the verification's own noise at the
/// boundary), 0.002 at J = 0.7 and < 10⁻⁴ at J ≤ 0.65 (P(candidate) ×
/// P(Ĵ ≥ 0.8), binomial). Lower the threshold (0.7) to catch paraphrases at
/// the cost of merging genuinely different answers to the same question.
///
/// Memory per kept sample: 4·k bytes of signature plus ~25 bytes per band of
/// tables (≈ 0.9 KB at k = 128, 14 bands).
public struct NearDuplicateFinder<ID: Sendable>: Sendable {
    public let threshold: Double
    public let numPermutations: Int
    public var parameters: LSHParameters { index.parameters }
    private var index: LSHBandIndex
    private var keptIDs: [ID] = []
    private var keptSignatures: [UInt32] = []

    /// `parameters` defaults to `LSHParameters.optimal(threshold:numPermutations:)`.
    public init(threshold: Double = LSHParameters.defaultThreshold,
                numPermutations: Int = MinHasher.defaultNumPermutations,
                parameters: LSHParameters? = nil) {
        let p = LSHParameters.resolve(parameters, threshold: threshold, numPermutations: numPermutations)
        precondition(p.bands * p.rows <= numPermutations, "bands × rows exceeds numPermutations")
        self.threshold = threshold
        self.numPermutations = numPermutations
        index = LSHBandIndex(parameters: p)
    }

    /// Number of kept (non-duplicate) samples so far.
    public var keptCount: Int { keptIDs.count }

    /// Checks one sample; keeps and indexes it unless it is a near duplicate.
    public mutating func check(_ id: ID, signature: MinHashSignature) -> DuplicateVerdict<ID> {
        precondition(signature.count == numPermutations, "signature has \(signature.count) values, finder expects \(numPermutations)")
        let k = numPermutations
        return signature.values.withUnsafeBufferPointer { sig -> DuplicateVerdict<ID> in
            let s = sig.baseAddress!
            var best = -1
            var bestEqual = -1
            let needed = Int((threshold * Double(k) - 1e-9).rounded(.up))
            let candidates = index.query(s)
            if !candidates.isEmpty {
                keptSignatures.withUnsafeBufferPointer { kept in
                    for c in candidates {
                        let same = MinHasher.equalCount(s, kept.baseAddress! + c * k, k)
                        if same >= needed && same > bestEqual {
                            best = c
                            bestEqual = same
                        }
                    }
                }
            }
            if best >= 0 {
                return .duplicate(of: keptIDs[best], similarity: Double(bestEqual) / Double(k))
            }
            index.insert(s)
            keptIDs.append(id)
            keptSignatures.append(contentsOf: sig)
            return .unique
        }
    }
}
