/// 128-bit content hash of a text's normalized form (`TextNormalizer`):
/// MurmurHash3_x64_128 with seed 0 over the normalized UTF-8. Two texts that
/// differ only in case, whitespace, zero-width characters, width or quote/dash
/// variants, or NFD vs NFC Hangul get the same key. Deterministic across
/// processes and machines (hand-written hash, never `Hasher`), so keys from
/// two workers or two runs can be compared and stored. With 128 bits, an
/// accidental collision among 10^9 texts has probability ~10^-21.
public struct ExactDuplicateKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// First and second 64-bit halves (`h1`, `h2` of MurmurHash3_x64_128).
    public let h1: UInt64
    public let h2: UInt64

    public init(h1: UInt64, h2: UInt64) {
        self.h1 = h1
        self.h2 = h2
    }

    /// The key of `text`'s normalized form.
    public init(text: String) {
        self = TextNormalizer.withUTF8(of: text) { src in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(src.count, 1)) { buffer in
                var sink = UTF8Sink(base: buffer.baseAddress)
                TextNormalizer.normalize(utf8: src, into: &sink)
                return ExactDuplicateKey(normalizedUTF8: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<sink.count]))
            }
        }
    }

    /// The key of text that is already normalized (no normalization applied).
    public init(normalizedUTF8 bytes: UnsafeRawBufferPointer) {
        let (a, b) = StableHash.murmur3x64_128(bytes, seed: 0)
        self.init(h1: a, h2: b)
    }

    /// The key of a sample's `joinedText`.
    public init(sample: ChatSample) {
        self.init(text: sample.joinedText)
    }

    /// 32 lowercase hex digits: the 16 digest bytes, `h1` then `h2`, each
    /// little-endian — the same string as Python's
    /// `mmh3.hash_bytes(normalized_utf8).hex()`.
    public var hex: String {
        var out = ""
        out.reserveCapacity(32)
        for half in [h1, h2] {
            for i in 0..<8 {
                let byte = UInt8(truncatingIfNeeded: half >> (8 * UInt64(i)))
                out.append(Self.digits[Int(byte >> 4)])
                out.append(Self.digits[Int(byte & 15)])
            }
        }
        return out
    }

    public var description: String { hex }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(h1)  // already uniformly distributed
    }

    public static func < (lhs: ExactDuplicateKey, rhs: ExactDuplicateKey) -> Bool {
        (lhs.h1, lhs.h2) < (rhs.h1, rhs.h2)
    }

    private static let digits: [Character] = Array("0123456789abcdef")
}

/// What a duplicate finder says about one sample.
public enum DuplicateVerdict<ID: Sendable>: Sendable {
    /// Not a duplicate of anything kept so far; it is now kept.
    case unique
    /// A duplicate of the earlier kept sample `of`, with the (estimated)
    /// Jaccard `similarity` (1 for exact duplicates); it is not kept.
    case duplicate(of: ID, similarity: Double)

    public var isDuplicate: Bool {
        if case .duplicate = self { return true }
        return false
    }

    /// The kept sample this one duplicates, if any.
    public var original: ID? {
        if case .duplicate(let id, _) = self { return id }
        return nil
    }
}

extension DuplicateVerdict: Equatable where ID: Equatable {}

/// Exact-duplicate detection in stream order, keeping the first occurrence:
/// each sample is checked against the keys of all earlier kept samples.
/// One `ExactDuplicateKey` (16 bytes + the ID) is stored per unique sample.
/// Keys can be computed in parallel (`ExactDuplicateKey(text:)` is pure); the
/// `check` calls must come in dataset order.
public struct ExactDuplicateFinder<ID: Sendable>: Sendable {
    private var firstSeen: [ExactDuplicateKey: ID] = [:]

    public init() {}

    /// Number of unique (kept) samples so far.
    public var uniqueCount: Int { firstSeen.count }

    /// Checks the sample with this key; keeps it when it is new.
    public mutating func check(_ id: ID, key: ExactDuplicateKey) -> DuplicateVerdict<ID> {
        if let first = firstSeen[key] {
            return .duplicate(of: first, similarity: 1)
        }
        firstSeen[key] = id
        return .unique
    }

    /// Checks `text` (normalized, then hashed).
    public mutating func check(_ id: ID, text: String) -> DuplicateVerdict<ID> {
        check(id, key: ExactDuplicateKey(text: text))
    }
}
