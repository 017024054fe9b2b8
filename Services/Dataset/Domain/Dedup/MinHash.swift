import CMinHash
/// A MinHash signature: for each of the hasher's permutations, the minimum
/// permuted 32-bit hash over the text's shingles. Two signatures from the same
/// `MinHasher` estimate the Jaccard similarity of the two shingle sets as the
/// fraction of equal components.
public struct MinHashSignature: Sendable, Hashable {
    public let values: [UInt32]

    public init(values: [UInt32]) {
        self.values = values
    }

    public var count: Int { values.count }

    /// Estimated Jaccard similarity with `other` (same hasher); see
    /// `MinHasher.jaccardEstimate`.
    public func jaccardEstimate(_ other: MinHashSignature) -> Double {
        MinHasher.jaccardEstimate(self, other)
    }
}

/// Exact key and MinHash signature of one text, from a single normalization pass.
public struct DedupFingerprint: Sendable, Hashable {
    public let exactKey: ExactDuplicateKey
    public let signature: MinHashSignature
}

/// Computes MinHash signatures of texts for near-duplicate detection.
///
/// **Shingles.** The text is normalized (`TextNormalizer`), then every window
/// of `shingleSize` consecutive Unicode scalars (spaces included) is one
/// shingle; a non-empty text shorter than that is a single shingle; an empty
/// text has none (its signature is all `UInt32.max`). Scalars rather than
/// bytes or grapheme clusters: one Hangul syllable is one scalar after
/// normalization, and scalars are what Python's `str` slices, so the Python
/// mirror shingles identically.
///
/// **Default `shingleSize` = 5.** A Hangul syllable carries about as much as
/// 2–3 Latin letters and Korean words (어절, word + particle) are 2–4
/// syllables, so a 5-scalar window spans roughly one to one-and-a-half
/// Korean words, or one English word with its neighbours' edges. Shorter
/// windows (3) tend to be dominated by endings and particles that unrelated
/// Korean texts share ("습니다", "니다.", "에서 "), which lifts the Jaccard of
/// unrelated pairs and the LSH candidate load; longer ones (≥ 7) make every
/// one-character edit destroy that many shingles, so light paraphrases of
/// short Korean turns fall under the threshold. 1...6 are supported (a window
/// is packed exactly into 126 bits before hashing).
///
/// **Hashing.** Each shingle is hashed once: the packed window goes through
/// wyhash's 64×64→128 multiply-fold and MurmurHash3's `fmix64`, and the top
/// 32 bits are the shingle's key `x` (datasketch also hashes shingles to 32
/// bits). The permutations come in pairs: pair `p` has `A_p` (odd) and `B_p`,
/// uniform 64-bit values drawn from `SplitMix64(seed)`, and one multiply
/// `v = (A_p·x + B_p) mod 2^64` feeds two lanes:
/// - lane `2p` is `v >> 32`: Dietzfelbinger's multiply-add-shift family, which
///   for 32-bit keys in 64-bit arithmetic is *strongly universal* (pairwise
///   independent) — the guarantee of datasketch's legacy
///   `(a·x + b) mod (2^61−1)`, without the modulo;
/// - lane `2p+1` is `v mod 2^32 = (a·x + b) mod 2^32` with `a = A_p mod 2^32`
///   odd: exactly datasketch 2.0's default `affine32` permutation (a
///   bijection; 2-universal).
///
/// For one key the two words of `v` are independent and uniform (`B_p` is
/// uniform), and across keys with an odd difference the pair is pairwise
/// independent as a whole, so the two lanes behave as separate permutations:
/// over 300 random pairs the estimator's mean squared error is 1.00× the
/// independent-permutation variance `J(1−J)/k` (test
/// `estimatesTrackExactJaccard`). The minimum of lane `2p` is taken over the
/// full 64-bit `v`, whose top half it is, so the loop needs no shift: per
/// (shingle, lane) it costs half a multiply, half an add and one
/// compare-and-move. Signatures are deterministic for a given
/// (numPermutations, shingleSize, seed) on every platform and build.
///
/// **Accuracy.** The estimate `Ĵ` of a pair with true shingle Jaccard `J` is
/// unbiased with standard error `sqrt(J(1−J)/k)` (k = numPermutations), at
/// most 0.044 for k = 128. Documented bound: `|Ĵ − J| ≤ 0.15` with
/// probability ≥ 99.3 % for any pair by Hoeffding (`2·exp(−2kε²)`); by the
/// normal approximation the real miss rate is < 0.1 %. See `errorBound`.
///
/// **Cost.** ~0.6 cycles per (shingle, lane) in a default (x86-64 baseline)
/// release build: ~28 µs, i.e. ~35 k samples/s on one core, for a 1 KB
/// Korean/English sample (≈ 600 shingles) with k = 128 — about 23× datasketch
/// on the same shingles (`scripts/lib/minhash_datasketch.py`). The loop runs
/// over contiguous buffers and LLVM vectorizes it when the target has AVX-512
/// (`-Xswiftc -target-cpu -Xswiftc sapphirerapids`: ~65 k samples/s).
public struct MinHasher: Sendable {
    public static let defaultNumPermutations = 128
    public static let defaultShingleSize = 5
    public static let defaultSeed: UInt64 = 1
    public static let maxShingleSize = 6

    public let numPermutations: Int
    public let shingleSize: Int
    public let seed: UInt64
    let multipliers: [UInt64]
    let increments: [UInt64]

    public init(
        numPermutations: Int = MinHasher.defaultNumPermutations,
        shingleSize: Int = MinHasher.defaultShingleSize,
        seed: UInt64 = MinHasher.defaultSeed
    ) {
        precondition(numPermutations >= 1, "numPermutations must be positive")
        precondition((1...Self.maxShingleSize).contains(shingleSize), "shingleSize must be in 1...\(Self.maxShingleSize)")
        self.numPermutations = numPermutations
        self.shingleSize = shingleSize
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        var a = [UInt64](), b = [UInt64]()
        let pairs = (numPermutations + 1) / 2
        a.reserveCapacity(pairs)
        b.reserveCapacity(pairs)
        for _ in 0..<pairs {
            a.append(rng.next() | 1)
            b.append(rng.next())
        }
        multipliers = a
        increments = b
    }

    /// The signature of `text` (normalized first).
    public func signature(of text: String) -> MinHashSignature {
        TextNormalizer.withUTF8(of: text) { src in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(src.count, 1)) { scalars in
                var sink = ScalarSink(base: scalars.baseAddress)
                TextNormalizer.normalize(utf8: src, into: &sink)
                return signature(normalizedScalars: UnsafeBufferPointer(rebasing: scalars[0..<sink.count]))
            }
        }
    }

    /// The signature of a sample's `joinedText`.
    public func signature(of sample: ChatSample) -> MinHashSignature {
        signature(of: sample.joinedText)
    }

    /// Exact-duplicate key and signature of `text` from one normalization pass.
    public func fingerprint(of text: String) -> DedupFingerprint {
        TextNormalizer.withUTF8(of: text) { src in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(src.count, 1)) { scalars in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(src.count, 1)) { bytes in
                    var sink = DualSink(scalars: ScalarSink(base: scalars.baseAddress), utf8: UTF8Sink(base: bytes.baseAddress))
                    TextNormalizer.normalize(utf8: src, into: &sink)
                    let key = ExactDuplicateKey(normalizedUTF8: UnsafeRawBufferPointer(start: bytes.baseAddress, count: sink.utf8.count))
                    let normalized = UnsafeBufferPointer(rebasing: scalars[0..<sink.count])
                    return DedupFingerprint(exactKey: key, signature: signature(normalizedScalars: normalized))
                }
            }
        }
    }

    /// Fingerprint of a sample's `joinedText`.
    public func fingerprint(of sample: ChatSample) -> DedupFingerprint {
        fingerprint(of: sample.joinedText)
    }

    /// The signature of already-normalized scalars.
    public func signature(normalizedScalars scalars: UnsafeBufferPointer<UInt32>) -> MinHashSignature {
        let shingleCount = scalars.isEmpty ? 0 : max(scalars.count - shingleSize + 1, 1)
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(shingleCount, 1)) { keys in
            let n = Self.shingleKeys(scalars, size: shingleSize, into: keys.baseAddress!)
            let values = [UInt32](unsafeUninitializedCapacity: numPermutations) { out, initialized in
                minimize(keys: UnsafeBufferPointer(rebasing: keys[0..<n]), into: out.baseAddress!)
                initialized = numPermutations
            }
            return MinHashSignature(values: values)
        }
    }

    /// The 32-bit shingle keys of `text` (one per shingle, duplicates kept), as
    /// fed to the permutations. For tests and diagnostics.
    public func shingleKeys(of text: String) -> [UInt32] {
        let scalars = TextNormalizer.normalizedScalars(text)
        return scalars.withUnsafeBufferPointer { s in
            [UInt64](unsafeUninitializedCapacity: max(s.count, 1)) { out, initialized in
                initialized = Self.shingleKeys(s, size: shingleSize, into: out.baseAddress!)
            }.map { UInt32(truncatingIfNeeded: $0) }
        }
    }

    /// Writes one 32-bit key (in a UInt64) per shingle; returns the count.
    @inline(__always)
    static func shingleKeys(_ s: UnsafeBufferPointer<UInt32>, size n: Int, into out: UnsafeMutablePointer<UInt64>) -> Int {
        let m = s.count
        guard m > 0, let p = s.baseAddress else { return 0 }
        // Window packed as 21-bit fields: positions 0-2 in `lo`, 3-5 in `hi`.
        var lo: UInt64 = 0
        var hi: UInt64 = 0
        let first = min(n, m)
        for j in 0..<first {
            let v = UInt64(p[j])
            if j < 3 { lo |= v << (21 * UInt64(j)) } else { hi |= v << (21 * UInt64(j - 3)) }
        }
        out[0] = key(lo, hi, first)
        var count = 1
        if m <= n { return count }
        let shiftIn = 21 * UInt64((n - 1) % 3)
        let intoHi = n > 3
        for j in n..<m {
            lo = (lo >> 21) | ((hi & 0x1F_FFFF) << 42)
            hi >>= 21
            let v = UInt64(p[j])
            if intoHi { hi |= v << shiftIn } else { lo |= v << shiftIn }
            out[count] = key(lo, hi, n)
            count += 1
        }
        return count
    }

    @inline(__always)
    static func key(_ lo: UInt64, _ hi: UInt64, _ length: Int) -> UInt64 {
        let h = StableHash.mum(lo ^ 0xa076_1d64_78bd_642f, hi ^ (0xe703_7ed1_a0b4_28db &+ UInt64(length)))
        return StableHash.fmix64(h) >> 32
    }

    /// Permutation values for all lanes: pair `p` computes `v = A_p·x + B_p
    /// (mod 2^64)` once per key; lane `2p` keeps the minimum of `v >> 32`
    /// (taken as the minimum of the full `v`), lane `2p+1` the minimum of the
    /// low word `v mod 2^32`. Two pairs share each key load, and the four
    /// running minima are independent compare-and-move chains, so the loop is
    /// throughput-bound at ~0.6 cycles per (key, lane). (Tried and slower:
    /// one 64-bit multiply per lane, 4-way unrolling, branching on the rare
    /// minimum updates, SSE2 vectors — the baseline has no 32/64-bit
    /// vector multiply or unsigned min.)
    /// The loop itself is C (CMinHash): compiled for AVX-512, AVX2 and plain
    /// x86-64 and chosen at load time, since Swift cannot multiversion a
    /// function and the baseline has no 64-bit vector multiply.
    @inline(__always)
    func minimize(keys: UnsafeBufferPointer<UInt64>, into out: UnsafeMutablePointer<UInt32>) {
        let k = numPermutations
        let n = keys.count
        guard n > 0, let x = keys.baseAddress else {
            out.initialize(repeating: UInt32.max, count: k)
            return
        }
        multipliers.withUnsafeBufferPointer { aBuf in
            increments.withUnsafeBufferPointer { bBuf in
                let pairs = aBuf.count
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: pairs) { high in
                    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: pairs) { low in
                        mlops_minhash_minimize(x, n, aBuf.baseAddress!, bBuf.baseAddress!, pairs, high.baseAddress!, low.baseAddress!)
                        for p in 0..<pairs { Self.store(high[p], low[p], lane: 2 &* p, k, out) }
                    }
                }
            }
        }
    }

    @inline(__always)
    static func store(_ h: UInt64, _ l: UInt32, lane: Int, _ k: Int, _ out: UnsafeMutablePointer<UInt32>) {
        out[lane] = UInt32(truncatingIfNeeded: h >> 32)
        if lane &+ 1 < k { out[lane &+ 1] = l }
    }

    /// Fraction of equal components: the MinHash estimate of the Jaccard
    /// similarity of the two shingle sets. Both signatures must come from
    /// hashers with the same (numPermutations, shingleSize, seed).
    public static func jaccardEstimate(_ a: MinHashSignature, _ b: MinHashSignature) -> Double {
        precondition(a.count == b.count, "signatures from different hashers")
        guard a.count > 0 else { return 0 }
        return a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                Double(equalCount(pa.baseAddress!, pb.baseAddress!, a.count)) / Double(a.count)
            }
        }
    }

    @inline(__always)
    static func equalCount(_ a: UnsafePointer<UInt32>, _ b: UnsafePointer<UInt32>, _ k: Int) -> Int {
        var same = 0
        for i in 0..<k where a[i] == b[i] { same += 1 }
        return same
    }

    /// Standard error of the estimate at true Jaccard `j`: `sqrt(j(1−j)/k)`.
    public static func standardError(jaccard j: Double, numPermutations k: Int) -> Double {
        (j * (1 - j) / Double(k)).squareRoot()
    }

    /// The documented error bound: `|Ĵ − J| ≤ errorBound` for a single pair
    /// with probability ≥ `1 − 2·exp(−2k·bound²)` (Hoeffding). 0.15 for the
    /// default k = 128 (≥ 99.3 %), 0.11 for k = 256.
    public static func errorBound(numPermutations k: Int) -> Double {
        // ε such that 2·exp(−2kε²) ≈ 0.0063 (the k = 128, ε = 0.15 level).
        (5.76 / (2 * Double(k))).squareRoot()
    }
}
