/// Canonical text form read by dedup (exact keys, MinHash shingles) and the
/// toxicity lexicon, so that trivially different spellings of the same text
/// compare equal.
///
/// Rules, applied in one forward pass over the UTF-8 bytes (no regex, no
/// Foundation, no per-character allocation; ~1 ns/byte):
///
/// 1. **Invisible characters are dropped**: C0/C1 control characters other than
///    whitespace, soft hyphen U+00AD, CGJ U+034F, U+180E, zero-width and bidi
///    marks U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+2066–U+2069,
///    variation selectors U+FE00–U+FE0F and the BOM U+FEFF. (Inserting a
///    zero-width space is the classic way to dodge a filter.)
/// 2. **Whitespace is collapsed**: every run of ASCII whitespace (TAB, LF, VT,
///    FF, CR, space), NEL, NBSP, U+1680, U+2000–U+200A, U+2028, U+2029,
///    U+202F, U+205F and the ideographic space U+3000 becomes one ASCII space;
///    leading and trailing whitespace is removed.
/// 3. **Width and punctuation variants are unified**: fullwidth ASCII
///    U+FF01–U+FF5E becomes ASCII; curly/prime single quotes
///    (U+2018–U+201B, U+2032, U+2035) become `'`; curly/prime double quotes
///    (U+201C–U+201F, U+2033, U+2036) become `"`; hyphens and dashes
///    (U+2010–U+2015, U+2212, U+FE58, U+FE63) become `-`; the ellipsis U+2026
///    becomes `...`; the ideographic comma/full stop U+3001/U+3002 become
///    `,`/`.`. Other punctuation is kept: it is content.
/// 4. **Case is folded** for ASCII, Latin-1, Latin Extended-A, basic Greek
///    (U+0391–U+03A9) and Cyrillic (U+0400–U+042F). Hangul and CJK have no
///    case; other scripts are left unchanged (an explicit table, so the result
///    is identical on every platform and in the Python mirror
///    `scripts/lib/minhash_datasketch.py`).
/// 5. **Decomposed Hangul is composed**: a conjoining leading consonant
///    U+1100–U+1112 followed by a vowel U+1161–U+1175 (and optionally a
///    trailing consonant U+11A8–U+11C2) becomes the precomposed syllable
///    U+AC00–U+D7A3, as NFC would. Text copied from macOS file names or some
///    IMEs arrives in this NFD form and would otherwise never match its NFC
///    twin. General Unicode normalization (e.g. Latin combining accents) is
///    not done.
public enum TextNormalizer {
    /// The normalized text (see the type's documentation for the rules).
    public static func normalize(_ text: String) -> String {
        String(decoding: normalizedUTF8(text), as: UTF8.self)
    }

    /// The UTF-8 bytes of `normalize(text)`, without building a `String`.
    public static func normalizedUTF8(_ text: String) -> [UInt8] {
        withUTF8(of: text) { src in
            [UInt8](unsafeUninitializedCapacity: src.count) { buffer, initialized in
                var sink = UTF8Sink(base: buffer.baseAddress)
                normalize(utf8: src, into: &sink)
                initialized = sink.count
            }
        }
    }

    /// The Unicode scalar values of `normalize(text)`.
    public static func normalizedScalars(_ text: String) -> [UInt32] {
        withUTF8(of: text) { src in
            [UInt32](unsafeUninitializedCapacity: src.count) { buffer, initialized in
                var sink = ScalarSink(base: buffer.baseAddress)
                normalize(utf8: src, into: &sink)
                initialized = sink.count
            }
        }
    }

    // MARK: - Core

    /// Runs `body` over the string's contiguous UTF-8 (native Swift strings are
    /// contiguous, so this does not copy).
    @inline(__always)
    static func withUTF8<R>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var text = text
        return try text.withUTF8(body)
    }

    /// Normalizes valid UTF-8 into `sink`. The output never has more scalars,
    /// nor more UTF-8 bytes, than the input has bytes, so a sink with capacity
    /// `src.count` (of either unit) is always large enough.
    @inline(__always)
    static func normalize<Sink: NormalizedSink>(utf8 src: UnsafeBufferPointer<UInt8>, into sink: inout Sink) {
        guard let p = src.baseAddress else { return }
        let end = src.count
        var i = 0
        var pendingSpace = false
        while i < end {
            let b0 = p[i]
            var c: UInt32
            if b0 < 0x80 {
                i += 1
                c = UInt32(b0)
                if c &- 0x41 < 26 {
                    c |= 0x20
                } else if c == 0x20 || c &- 0x09 < 5 {
                    pendingSpace = true
                    continue
                } else if c < 0x20 || c == 0x7F {
                    continue
                }
            } else {
                if b0 < 0xE0 {
                    c = (UInt32(b0) & 0x1F) << 6 | (UInt32(p[i + 1]) & 0x3F)
                    i += 2
                } else if b0 < 0xF0 {
                    c = (UInt32(b0) & 0x0F) << 12 | (UInt32(p[i + 1]) & 0x3F) << 6 | (UInt32(p[i + 2]) & 0x3F)
                    i += 3
                } else {
                    c = (UInt32(b0) & 0x07) << 18 | (UInt32(p[i + 1]) & 0x3F) << 12
                        | (UInt32(p[i + 2]) & 0x3F) << 6 | (UInt32(p[i + 3]) & 0x3F)
                    i += 4
                }
                // Precomposed Hangul syllables, the bulk of Korean text, pass as is.
                if c &- 0xAC00 >= 11172 {
                    c = foldNonASCII(c)
                    if c >= Action.drop {
                        if c == Action.space {
                            pendingSpace = true
                            continue
                        }
                        if c == Action.drop { continue }
                        if c == Action.ellipsis {
                            if pendingSpace {
                                if sink.count > 0 { sink.append(0x20) }
                                pendingSpace = false
                            }
                            sink.append(0x2E); sink.append(0x2E); sink.append(0x2E)
                            continue
                        }
                    }
                    if !pendingSpace {
                        // Hangul composition: L+V -> LV, LV+T -> LVT.
                        if c &- 0x1161 < 21 {
                            let last = sink.last
                            if last &- 0x1100 < 19 {
                                sink.replaceLast(with: 0xAC00 + (last - 0x1100) * 588 + (c - 0x1161) * 28)
                                continue
                            }
                        } else if c &- 0x11A8 < 27 {
                            let last = sink.last
                            if last &- 0xAC00 < 11172 && (last - 0xAC00) % 28 == 0 {
                                sink.replaceLast(with: last + (c - 0x11A7))
                                continue
                            }
                        }
                    }
                }
            }
            if pendingSpace {
                if sink.count > 0 { sink.append(0x20) }
                pendingSpace = false
            }
            sink.append(c)
        }
    }

    /// Out-of-band results of `foldNonASCII`, above the Unicode range.
    enum Action {
        static let drop: UInt32 = 0xFFFF_FFF0
        static let space: UInt32 = 0xFFFF_FFF1
        static let ellipsis: UInt32 = 0xFFFF_FFF2
    }

    /// Maps one non-ASCII scalar (not a precomposed Hangul syllable) to its
    /// normalized scalar, or to an `Action`.
    @inline(__always)
    static func foldNonASCII(_ c: UInt32) -> UInt32 {
        if c < 0x0800 {
            if c < 0xA0 {  // C1 controls; NEL is whitespace.
                return c == 0x85 ? Action.space : Action.drop
            }
            if c < 0x100 {
                if c == 0xA0 { return Action.space }
                if c == 0xAD { return Action.drop }
                if c &- 0xC0 < 0x1F && c != 0xD7 { return c + 0x20 }
                return c
            }
            if c < 0x180 {  // Latin Extended-A
                if c < 0x138 {
                    if c == 0x130 { return 0x69 }
                    if c == 0x131 { return c }
                    return c | 1
                }
                if c < 0x149 { return c &- 0x139 < 16 && c & 1 == 1 ? c + 1 : c }
                if c &- 0x14A < 46 { return c | 1 }
                if c == 0x178 { return 0xFF }
                if c &- 0x179 < 6 && c & 1 == 1 { return c + 1 }
                return c
            }
            if c == 0x34F { return Action.drop }
            if c &- 0x391 < 25 && c != 0x3A2 { return c + 0x20 }  // Greek capitals
            if c &- 0x400 < 0x30 { return c < 0x410 ? c + 0x50 : c + 0x20 }  // Cyrillic capitals
            return c
        }
        if c < 0x2000 {
            if c == 0x1680 { return Action.space }
            if c == 0x180E { return Action.drop }
            return c
        }
        if c < 0x2070 {  // General Punctuation
            if c <= 0x200A { return Action.space }
            if c <= 0x200F { return Action.drop }
            if c <= 0x2015 { return 0x2D }
            if c &- 0x2018 < 4 { return 0x27 }
            if c &- 0x201C < 4 { return 0x22 }
            if c == 0x2026 { return Action.ellipsis }
            if c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F { return Action.space }
            if c &- 0x202A < 5 { return Action.drop }
            if c == 0x2032 || c == 0x2035 { return 0x27 }
            if c == 0x2033 || c == 0x2036 { return 0x22 }
            if c &- 0x2060 < 5 || c &- 0x2066 < 4 { return Action.drop }
            return c
        }
        if c == 0x2212 { return 0x2D }
        if c < 0x3000 { return c }
        if c < 0x3003 {
            if c == 0x3000 { return Action.space }
            return c == 0x3001 ? 0x2C : 0x2E
        }
        if c < 0xFE00 { return c }
        if c < 0xFE10 { return Action.drop }
        if c == 0xFE58 || c == 0xFE63 { return 0x2D }
        if c == 0xFEFF { return Action.drop }
        if c &- 0xFF01 < 0x5E {
            let a = c - 0xFEE0
            return a &- 0x41 < 26 ? a | 0x20 : a
        }
        return c
    }
}

/// Where `TextNormalizer.normalize(utf8:into:)` writes its output.
protocol NormalizedSink {
    var count: Int { get }
    /// The last scalar written, or 0 when none.
    var last: UInt32 { get }
    mutating func append(_ scalar: UInt32)
    /// Replaces the last scalar (only ever 3-byte scalars by 3-byte scalars).
    mutating func replaceLast(with scalar: UInt32)
}

/// Writes Unicode scalar values.
struct ScalarSink: NormalizedSink {
    let base: UnsafeMutablePointer<UInt32>?
    var count = 0

    init(base: UnsafeMutablePointer<UInt32>?) { self.base = base }

    var last: UInt32 {
        @inline(__always) get { count > 0 ? base.unsafelyUnwrapped[count - 1] : 0 }
    }

    @inline(__always)
    mutating func append(_ scalar: UInt32) {
        base.unsafelyUnwrapped[count] = scalar
        count += 1
    }

    @inline(__always)
    mutating func replaceLast(with scalar: UInt32) {
        base.unsafelyUnwrapped[count - 1] = scalar
    }
}

/// Writes UTF-8 bytes.
struct UTF8Sink: NormalizedSink {
    let base: UnsafeMutablePointer<UInt8>?
    var count = 0
    var last: UInt32 = 0

    init(base: UnsafeMutablePointer<UInt8>?) { self.base = base }

    @inline(__always)
    mutating func append(_ c: UInt32) {
        let p = base.unsafelyUnwrapped + count
        last = c
        if c < 0x80 {
            p[0] = UInt8(truncatingIfNeeded: c)
            count += 1
        } else if c < 0x800 {
            p[0] = UInt8(truncatingIfNeeded: 0xC0 | c >> 6)
            p[1] = UInt8(truncatingIfNeeded: 0x80 | c & 0x3F)
            count += 2
        } else if c < 0x10000 {
            p[0] = UInt8(truncatingIfNeeded: 0xE0 | c >> 12)
            p[1] = UInt8(truncatingIfNeeded: 0x80 | (c >> 6) & 0x3F)
            p[2] = UInt8(truncatingIfNeeded: 0x80 | c & 0x3F)
            count += 3
        } else {
            p[0] = UInt8(truncatingIfNeeded: 0xF0 | c >> 18)
            p[1] = UInt8(truncatingIfNeeded: 0x80 | (c >> 12) & 0x3F)
            p[2] = UInt8(truncatingIfNeeded: 0x80 | (c >> 6) & 0x3F)
            p[3] = UInt8(truncatingIfNeeded: 0x80 | c & 0x3F)
            count += 4
        }
    }

    @inline(__always)
    mutating func replaceLast(with c: UInt32) {
        count -= 3
        append(c)
    }
}

/// Writes scalars and UTF-8 at once (exact key and shingles from one pass).
struct DualSink: NormalizedSink {
    var scalars: ScalarSink
    var utf8: UTF8Sink

    var count: Int { scalars.count }
    var last: UInt32 { scalars.last }

    @inline(__always)
    mutating func append(_ c: UInt32) {
        scalars.append(c)
        utf8.append(c)
    }

    @inline(__always)
    mutating func replaceLast(with c: UInt32) {
        scalars.replaceLast(with: c)
        utf8.replaceLast(with: c)
    }
}
