public enum SplitPart: String, Sendable, CaseIterable, Codable {
    case train, validation, test
}

/// A ratio that failed validation; `field` is the request field
/// (`train_ratio`, `val_ratio`, `test_ratio`, or `ratios` for the sum).
public struct SplitRatioError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

/// Validated train/validation/test ratios: each finite and ≥ 0, summing to 1
/// within `StratifiedSplitter.sumTolerance`.
public struct SplitRatios: Sendable, Equatable {
    public let train: Double
    public let validation: Double
    public let test: Double

    public init(train: Double, validation: Double, test: Double) throws(SplitRatioError) {
        try StratifiedSplitter.validate(train: train, validation: validation, test: test)
        self.train = train
        self.validation = validation
        self.test = test
    }

    subscript(part: SplitPart) -> Double {
        switch part {
        case .train: return train
        case .validation: return validation
        case .test: return test
        }
    }
}

/// Seeded, reproducible split stratified by category.
///
/// 1. Samples are grouped by category (nil is its own group); groups are
///    ordered by category UTF-8 bytes, members by input index.
/// 2. Each group of n gets ⌊n·r⌋ per part; the leftover seats go by largest
///    remainder, so every category's counts are within one of n·r. Leftovers
///    are handed out across all groups at once so the dataset totals also
///    equal the largest-remainder rounding of N·r; ties between equal
///    remainders are broken by the seed.
/// 3. Each group is shuffled (Fisher–Yates, xoshiro256** seeded from the seed
///    and the category's FNV-1a hash) and cut into train, validation, test.
///
/// Only integer arithmetic on the seed is used, never `Hasher` or the system
/// generator: the same input and seed give the same split on every machine.
public enum StratifiedSplitter {
    public static let sumTolerance = 1e-9

    public static func validate(train: Double, validation: Double, test: Double) throws(SplitRatioError) {
        for (field, v) in [("train_ratio", train), ("val_ratio", validation), ("test_ratio", test)] {
            guard v.isFinite else { throw SplitRatioError(field: field, reason: "must be a finite number, got \(v)") }
            guard v >= 0 else { throw SplitRatioError(field: field, reason: "must be ≥ 0, got \(v)") }
            guard v <= 1 else { throw SplitRatioError(field: field, reason: "must be ≤ 1, got \(v)") }
        }
        let sum = train + validation + test
        guard abs(sum - 1) <= sumTolerance else {
            throw SplitRatioError(field: "ratios",
                                  reason: "train_ratio + val_ratio + test_ratio must sum to 1 (±\(sumTolerance)), got \(sum)")
        }
    }

    /// The part of each sample, index for index.
    public static func assign(categories: [String?], ratios: SplitRatios, seed: UInt64) -> [SplitPart] {
        let n = categories.count
        guard n > 0 else { return [] }
        let parts = SplitPart.allCases

        // 1. Groups in a platform-independent order.
        var groupOf: [String?: Int] = [:]
        var groups: [(key: String?, members: [Int])] = []
        for (idx, c) in categories.enumerated() {
            if let g = groupOf[c] {
                groups[g].members.append(idx)
            } else {
                groupOf[c] = groups.count
                groups.append((c, [idx]))
            }
        }
        groups.sort { a, b in
            switch (a.key, b.key) {
            case (nil, _): return b.key != nil
            case (_, nil): return false
            case let (x?, y?): return x.utf8.lexicographicallyPrecedes(y.utf8)
            }
        }

        // 2. Floors per group, global targets, leftovers by largest remainder.
        var counts = [[Int]](repeating: [0, 0, 0], count: groups.count)
        var remainders = [[Double]](repeating: [0, 0, 0], count: groups.count)
        var leftover = [Int](repeating: 0, count: groups.count)
        var floorTotals = [0, 0, 0]
        for (g, group) in groups.enumerated() {
            let size = group.members.count
            var assigned = 0
            for (k, part) in parts.enumerated() {
                let exact = Double(size) * ratios[part]
                var f = exact.rounded(.down)
                // Guard against 0.7 * 10 = 6.9999999…
                if exact - f > 1 - 1e-9 { f += 1 }
                let fi = min(Int(f), size - assigned)
                counts[g][k] = fi
                remainders[g][k] = max(0, exact - Double(fi))
                assigned += fi
                floorTotals[k] += fi
            }
            leftover[g] = size - assigned
        }
        let targets = largestRemainder(total: n, ratios: parts.map { ratios[$0] })
        var need = (0..<3).map { targets[$0] - floorTotals[$0] }

        var rng = Xoshiro256StarStar(seed: seed ^ 0x5EED_5EED_5EED_5EED)
        var candidates: [(g: Int, k: Int, rem: Double, tie: UInt64)] = []
        for g in 0..<groups.count where leftover[g] > 0 {
            for k in 0..<3 where ratios[parts[k]] > 0 {
                candidates.append((g, k, remainders[g][k], rng.next()))
            }
        }
        candidates.sort { a, b in a.rem != b.rem ? a.rem > b.rem : a.tie < b.tie }
        var extra = [[Bool]](repeating: [false, false, false], count: groups.count)
        for c in candidates where leftover[c.g] > 0 && need[c.k] > 0 {
            counts[c.g][c.k] += 1
            extra[c.g][c.k] = true
            leftover[c.g] -= 1
            need[c.k] -= 1
        }
        // Rare: a group whose remaining parts are already full takes a seat
        // where the dataset still needs one.
        for c in candidates where leftover[c.g] > 0 && need[c.k] > 0 {
            counts[c.g][c.k] += 1
            leftover[c.g] -= 1
            need[c.k] -= 1
        }
        for g in 0..<groups.count where leftover[g] > 0 {
            for k in 0..<3 where leftover[g] > 0 && need[k] > 0 {
                let take = min(leftover[g], need[k])
                counts[g][k] += take
                leftover[g] -= take
                need[k] -= take
            }
        }

        // 3. Shuffle each group and cut.
        var result = [SplitPart](repeating: .train, count: n)
        for (g, group) in groups.enumerated() {
            var members = group.members
            var grng = Xoshiro256StarStar(seed: seed ^ (group.key.map(stableHash64) ?? 0x0123_4567_89AB_CDEF))
            if members.count > 1 {
                for i in stride(from: members.count - 1, to: 0, by: -1) {
                    let j = grng.next(below: i + 1)
                    members.swapAt(i, j)
                }
            }
            var pos = 0
            for (k, part) in parts.enumerated() {
                for _ in 0..<counts[g][k] {
                    result[members[pos]] = part
                    pos += 1
                }
            }
        }
        return result
    }

    /// Largest-remainder rounding of `total · ratios[k]` (ties to the earlier part).
    public static func largestRemainder(total: Int, ratios: [Double]) -> [Int] {
        var counts = ratios.map { r -> Int in
            let exact = Double(total) * r
            var f = exact.rounded(.down)
            if exact - f > 1 - 1e-9 { f += 1 }
            return Int(f)
        }
        var left = total - counts.reduce(0, +)
        let order = ratios.indices.sorted { a, b in
            let ra = Double(total) * ratios[a] - Double(counts[a])
            let rb = Double(total) * ratios[b] - Double(counts[b])
            return ra != rb ? ra > rb : a < b
        }
        var i = 0
        while left > 0 {
            let k = order[i % order.count]
            if ratios[k] > 0 || order.allSatisfy({ ratios[$0] == 0 }) {
                counts[k] += 1
                left -= 1
            }
            i += 1
        }
        while left < 0 {
            // Only possible through rounding noise; take back from the largest.
            let k = counts.indices.max { counts[$0] < counts[$1] }!
            counts[k] -= 1
            left += 1
        }
        return counts
    }

    /// Per-part counts of an assignment.
    public static func counts(_ assignment: [SplitPart]) -> [SplitPart: Int] {
        var out: [SplitPart: Int] = [.train: 0, .validation: 0, .test: 0]
        for p in assignment { out[p, default: 0] += 1 }
        return out
    }
}
