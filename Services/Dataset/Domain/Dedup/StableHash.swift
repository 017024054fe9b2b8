/// Hand-written hash functions whose results are the same in every process,
/// on every platform and in every release (unlike Swift's `Hasher`, which is
/// seeded per process). Everything dedup persists or compares across workers
/// is built from these.
public enum StableHash {
    /// MurmurHash3_x64_128 (Austin Appleby, public domain) of `bytes` with a
    /// 32-bit `seed`; returns `(h1, h2)` exactly as the reference
    /// implementation (and Python's `mmh3.hash64(data, seed, signed=False)`)
    /// does. ~2 GB/s.
    public static func murmur3x64_128(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> (UInt64, UInt64) {
        let c1: UInt64 = 0x87c3_7b91_1142_53d5
        let c2: UInt64 = 0x4cf5_ad43_2745_937f
        let length = bytes.count
        var h1 = UInt64(seed)
        var h2 = UInt64(seed)
        let blocks = length / 16
        if let base = bytes.baseAddress {
            for block in 0..<blocks {
                var k1 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: block * 16, as: UInt64.self))
                var k2 = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: block * 16 + 8, as: UInt64.self))
                k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
                h1 = rotl(h1, 27); h1 &+= h2; h1 = h1 &* 5 &+ 0x52dc_e729
                k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
                h2 = rotl(h2, 31); h2 &+= h1; h2 = h2 &* 5 &+ 0x3849_5ab5
            }
            let tail = base + blocks * 16
            let rest = length & 15
            var k1: UInt64 = 0
            var k2: UInt64 = 0
            if rest > 8 {
                for j in stride(from: rest - 1, through: 8, by: -1) {
                    k2 ^= UInt64(tail.load(fromByteOffset: j, as: UInt8.self)) << ((j - 8) * 8)
                }
                k2 &*= c2; k2 = rotl(k2, 33); k2 &*= c1; h2 ^= k2
            }
            if rest > 0 {
                for j in stride(from: min(rest, 8) - 1, through: 0, by: -1) {
                    k1 ^= UInt64(tail.load(fromByteOffset: j, as: UInt8.self)) << (j * 8)
                }
                k1 &*= c1; k1 = rotl(k1, 31); k1 &*= c2; h1 ^= k1
            }
        }
        h1 ^= UInt64(length); h2 ^= UInt64(length)
        h1 &+= h2; h2 &+= h1
        h1 = fmix64(h1); h2 = fmix64(h2)
        h1 &+= h2; h2 &+= h1
        return (h1, h2)
    }

    /// MurmurHash3's 64-bit finalizer: a bijection with full avalanche.
    @inline(__always)
    public static func fmix64(_ x: UInt64) -> UInt64 {
        var k = x
        k ^= k >> 33
        k &*= 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k &*= 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }

    /// wyhash's 64×64→128 multiply-and-fold mixer.
    @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        return hi ^ lo
    }

    @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 {
        (x << r) | (x >> (64 - r))
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): the deterministic generator the
/// MinHash permutation parameters are drawn from and the split's xoshiro is
/// seeded with; pure integer arithmetic, so a seed gives the same sequence on
/// every platform and in every release. The repository's one copy (the
/// trainer's property tests use it too).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
