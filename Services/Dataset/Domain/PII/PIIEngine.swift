/// The byte scanner behind `PIIScanner`: one forward pass over UTF-8 bytes.
///
/// Fast path: the loop looks at one byte per character. Lower-case ASCII
/// words, Hangul words whose first syllable is not a surname, spaces and
/// punctuation cost a compare or two each. Work happens only at
/// - an ASCII digit (numeric patterns, `PIIEngine+Numbers.swift`),
/// - `@` (e-mail), `:` next to hex digits (IPv6), `+82` (phone),
/// - an upper-case ASCII word at a word start (passport, English names),
/// - a Hangul word start whose first syllable is a surname (Korean names),
/// - `[` (an existing mask token is skipped whole, so masking is idempotent).
/// Context words are searched lazily, only around a candidate that needs them.

struct PIICandidate {
    var kind: PIIKind
    var start: Int
    var end: Int
    var validated: Bool
    /// Leading letters/digits the redacted preview may show.
    var keep: Int
}

/// Fixed-capacity array view over caller-provided memory (appends beyond
/// the capacity are dropped; callers bound their sizes first).
struct PIIScratchBuffer<T> {
    let base: UnsafeMutablePointer<T>
    let capacity: Int
    private(set) var count = 0

    init(_ base: UnsafeMutablePointer<T>, _ capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    @inline(__always)
    mutating func append(_ v: T) {
        guard count < capacity else { return }
        base[count] = v
        count += 1
    }

    @inline(__always)
    mutating func removeAll() { count = 0 }
}

extension PIIScratchBuffer where T == Int {
    func equals(_ a: [Int]) -> Bool {
        guard a.count == count else { return false }
        for i in 0..<count where base[i] != a[i] { return false }
        return true
    }
}

@inline(__always) func piiIsDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
@inline(__always) func piiIsAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
@inline(__always) func piiIsUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
@inline(__always) func piiIsLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
@inline(__always) func piiIsAlnum(_ b: UInt8) -> Bool { piiIsAlpha(b) || piiIsDigit(b) }
@inline(__always) func piiIsHex(_ b: UInt8) -> Bool { piiIsDigit(b) || (b | 0x20) &- 0x61 < 6 }

struct PIIEngine {
    let p: UnsafeBufferPointer<UInt8>
    let n: Int
    let cfg: PIICompiledConfig

    var cands: [PIICandidate] = []
    /// Accepted name spans, propagated to the name's other occurrences at the end.
    var names: [(kind: PIIKind, bytes: [UInt8])] = []

    // Scratch for numeric tokens, on the caller's stack (see `PIIScanner.pass`):
    // group starts/ends/separators of the current token, and the digits and
    // group lengths of the group range being evaluated.
    var gS: PIIScratchBuffer<Int>
    var gE: PIIScratchBuffer<Int>
    var seps: PIIScratchBuffer<UInt8>
    var dg: PIIScratchBuffer<UInt8>
    var lens: PIIScratchBuffer<Int>

    static let intScratch = 64 + 64 + 16
    static let byteScratch = 64 + 32

    // Hot bitsets as plain pointers; `cfg` keeps their storage alive.
    let surnameBits: UnsafePointer<UInt64>
    let compoundFirstBits: UnsafePointer<UInt64>
    let givenBits: UnsafePointer<UInt64>

    /// `ints`/`bytes` must hold at least `intScratch`/`byteScratch` elements
    /// and outlive the engine.
    init(_ p: UnsafeBufferPointer<UInt8>, _ cfg: PIICompiledConfig,
         ints: UnsafeMutableBufferPointer<Int>, bytes: UnsafeMutableBufferPointer<UInt8>) {
        self.p = p
        self.n = p.count
        self.cfg = cfg
        let ib = ints.baseAddress!
        let bb = bytes.baseAddress!
        gS = PIIScratchBuffer(ib, 64)
        gE = PIIScratchBuffer(ib + 64, 64)
        lens = PIIScratchBuffer(ib + 128, 16)
        seps = PIIScratchBuffer(bb, 64)
        dg = PIIScratchBuffer(bb + 64, 32)
        surnameBits = cfg.surnames.bits
        compoundFirstBits = cfg.compoundSurnameFirst.bits
        givenBits = cfg.givenNameSyllables.bits
    }

    // MARK: main loop

    mutating func run() -> [PIICandidate] {
        let koOn = cfg.on(.koreanName)
        let upperOn = cfg.on(.englishName) || cfg.on(.passportNumber)
        let emailOn = cfg.on(.email)
        let ipOn = cfg.on(.ipAddress)
        let phoneOn = cfg.on(.phoneNumber)
        var i = 0
        var boundary = true
        while i < n {
            let b = p[i]
            if b >= 0x80 {
                if b >= 0xEA && b <= 0xED {
                    if boundary && koOn && i + 2 < n {
                        let v = (UInt32(b & 0x0F) << 12) | (UInt32(p[i + 1] & 0x3F) << 6) | UInt32(p[i + 2] & 0x3F)
                        if piiSyllableBit(surnameBits, v) || piiSyllableBit(compoundFirstBits, v) { koreanCandidate(at: i) }
                    }
                    i += 3
                    while i < n {
                        let c = p[i]
                        if c >= 0xEA && c <= 0xED { i += 3 } else { break }
                    }
                    boundary = false
                } else if b >= 0xF0 {
                    i += 4; boundary = true
                } else if b >= 0xE0 {
                    i += 3; boundary = true
                } else if b >= 0xC0 {
                    i += 2; boundary = false
                } else {
                    i += 1
                }
                continue
            }
            if piiIsAlpha(b) {
                let ws = i
                i += 1
                while i < n, piiIsAlnum(p[i]) { i += 1 }
                if boundary && upperOn && piiIsUpper(b) { i = englishWord(ws, i) }
                boundary = false
                continue
            }
            if piiIsDigit(b) {
                i = numberToken(at: i)
                boundary = false
                continue
            }
            switch b {
            case 0x40: // @
                i = emailOn ? email(at: i) : i + 1
                boundary = true
            case 0x3A: // :
                i = ipOn ? ipv6(at: i) : i + 1
                boundary = true
            case 0x2B: // +
                i = phoneOn ? plus82(at: i) : i + 1
                boundary = true
            case 0x5B: // [
                i = skipMaskToken(at: i)
                boundary = true
            default:
                i += 1
                boundary = true
            }
        }
        if !names.isEmpty { propagateNames() }
        return cands
    }

    @inline(__always)
    mutating func add(_ kind: PIIKind, _ s: Int, _ e: Int, validated: Bool, keep: Int) {
        cands.append(PIICandidate(kind: kind, start: s, end: e, validated: validated, keep: keep))
    }

    // MARK: helpers

    /// Decodes the Hangul syllable starting at `i`, or nil.
    @inline(__always)
    func hangul(_ i: Int) -> UInt32? {
        guard i + 2 < n else { return nil }
        let b0 = p[i]
        guard b0 >= 0xEA && b0 <= 0xED else { return nil }
        let v = (UInt32(b0 & 0x0F) << 12) | (UInt32(p[i + 1] & 0x3F) << 6) | UInt32(p[i + 2] & 0x3F)
        return v >= 0xAC00 && v <= 0xD7A3 ? v : nil
    }

    /// End of the run of Hangul (3-byte EA–ED) characters starting at `i`.
    @inline(__always)
    func hangulRunEnd(_ i: Int) -> Int {
        var k = i
        while k + 2 < n, p[k] >= 0xEA, p[k] <= 0xED { k += 3 }
        return k
    }

    @inline(__always)
    func matches(_ w: [UInt8], at k: Int) -> Bool {
        guard k >= 0, k + w.count <= n else { return false }
        for j in 0..<w.count where p[k + j] != w[j] { return false }
        return true
    }

    /// Length of the first word of `list` (longest first) that starts at `k` and ends by `limit`.
    @inline(__always)
    func prefixMatch(_ list: PIIWordList, at k: Int, limit: Int) -> Int? {
        guard k < limit else { return nil }
        let b0 = p[k]
        guard list.mayStart(b0, b0 >= 0x80 ? hangul(k) : nil) else { return nil }
        return list.prefixLength(p, k, limit)
    }

    /// Whether a word of `list` ends exactly at `k` (ASCII folded; an ASCII
    /// word must start at a word boundary: `filename:` is not `name:`).
    func endsWith(_ list: PIIWordList, _ k: Int) -> Bool {
        guard k > 0 else { return false }
        let b = p[k - 1]
        guard list.mayEnd(b, b >= 0x80 && k >= 3 ? hangul(k - 3) : nil) else { return false }
        return list.suffixStart(p, k) != nil
    }

    /// Byte offset `chars` characters before `i`.
    func back(_ i: Int, chars: Int) -> Int {
        var k = i
        var c = 0
        while k > 0 && c < chars {
            k -= 1
            if p[k] & 0xC0 != 0x80 { c += 1 }
        }
        return k
    }

    /// Byte offset `chars` characters after `i`.
    func forward(_ i: Int, chars: Int) -> Int {
        var k = i
        var c = 0
        while k < n && c < chars {
            k += 1
            while k < n && p[k] & 0xC0 == 0x80 { k += 1 }
            c += 1
        }
        return k
    }

    /// Whether any word of `list` occurs within the context window
    /// (`options.contextWindow` characters either side of `s..<e`).
    /// Each character is first tested against the list's first-character filter.
    func contextNear(_ list: PIIWordList, _ s: Int, _ e: Int) -> Bool {
        if list.isEmpty { return false }
        return contextIn(list, back(s, chars: cfg.window), forward(e, chars: cfg.window))
    }

    /// Whether a word of `list` lies entirely inside `ws..<we`.
    func contextIn(_ list: PIIWordList, _ ws: Int, _ we: Int) -> Bool {
        var k = ws
        while k < we {
            let b = p[k]
            if b < 0x80 {
                if list.mayStart(b, nil) && wordAt(list, k, we) { return true }
                k += 1
            } else if b >= 0xEA && b <= 0xED {
                if list.mayStart(b, hangul(k)) && wordAt(list, k, we) { return true }
                k += 3
            } else {
                if b >= 0xC0 && list.mayStart(b, nil) && wordAt(list, k, we) { return true }
                k += 1
                while k < we && p[k] & 0xC0 == 0x80 { k += 1 }
            }
        }
        return false
    }

    private func wordAt(_ list: PIIWordList, _ k: Int, _ limit: Int) -> Bool {
        list.prefixLength(p, k, limit) != nil
    }

    @inline(__always)
    func hasContext(_ kind: PIIKind, _ s: Int, _ e: Int) -> Bool {
        contextNear(cfg.context[kind.ordinal], s, e)
    }

    mutating func skipMaskToken(at i: Int) -> Int {
        for t in cfg.maskTokens where matches(t, at: i) { return i + t.count }
        return i + 1
    }

    // MARK: e-mail

    /// At `@`: local part `[A-Za-z0-9._%+-]+` scanned back, domain of at least
    /// two labels with an alphabetic TLD of 2+ letters scanned forward.
    mutating func email(at a: Int) -> Int {
        var s = a
        while s > 0 && a - s < 64 {
            let c = p[s - 1]
            if piiIsAlnum(c) || c == 0x2E || c == 0x5F || c == 0x25 || c == 0x2B || c == 0x2D { s -= 1 } else { break }
        }
        while s < a && (p[s] == 0x2E || p[s] == 0x2D || p[s] == 0x2B) { s += 1 }
        guard s < a, p[a - 1] != 0x2E else { return a + 1 }
        var e = a + 1
        var labels = 0
        var tldStart = e
        var tldEnd = e
        while e < n {
            let ls = e
            while e < n, piiIsAlnum(p[e]) || p[e] == 0x2D { e += 1 }
            if e == ls { break }
            labels += 1
            tldStart = ls
            tldEnd = e
            if e + 1 < n && p[e] == 0x2E && piiIsAlnum(p[e + 1]) { e += 1 } else { break }
        }
        guard labels >= 2, tldEnd - tldStart >= 2 else { return a + 1 }
        for k in tldStart..<tldEnd where !piiIsAlpha(p[k]) { return a + 1 }
        add(.email, s, tldEnd, validated: false, keep: 1)
        return tldEnd
    }

    // MARK: IPv6

    /// At `:`: the surrounding run of hex digits, colons and dots must be a
    /// full IPv6 address (8 groups, or fewer with one `::`, optional dotted
    /// IPv4 tail) not glued to other letters/digits. `::` forms need two
    /// groups, one of 3+ hex digits, so `a::b` or `std::x` are not addresses.
    mutating func ipv6(at c: Int) -> Int {
        let prevOK = c > 0 && (piiIsHex(p[c - 1]) || p[c - 1] == 0x3A)
        let nextOK = c + 1 < n && (piiIsHex(p[c + 1]) || p[c + 1] == 0x3A)
        guard prevOK || nextOK, c + 1 < n, piiIsHex(p[c + 1]) || p[c + 1] == 0x3A else { return c + 1 }
        var s = c
        while s > 0 && c - s < 45 && (piiIsHex(p[s - 1]) || p[s - 1] == 0x3A) { s -= 1 }
        var e = c
        while e < n && e - s < 46 && (piiIsHex(p[e]) || p[e] == 0x3A || p[e] == 0x2E) { e += 1 }
        while e > c && p[e - 1] == 0x2E { e -= 1 }
        if s > 0 && (piiIsAlnum(p[s - 1]) || p[s - 1] == 0x2E) { return c + 1 }
        if e < n && (piiIsAlnum(p[e]) || p[e] == 0x3A) { return c + 1 }
        guard validIPv6(s, e) else { return c + 1 }
        add(.ipAddress, s, e, validated: false, keep: 0)
        return e
    }

    func validIPv6(_ s: Int, _ e: Int) -> Bool {
        var groups = 0
        var doubleColon = false
        var longGroup = false
        var k = s
        if k + 1 < e && p[k] == 0x3A {
            guard p[k + 1] == 0x3A else { return false }
            doubleColon = true
            k += 2
        }
        while k < e {
            let gs = k
            var hasDot = false
            while k < e && p[k] != 0x3A {
                if p[k] == 0x2E { hasDot = true }
                k += 1
            }
            let glen = k - gs
            if hasDot {
                // IPv4 tail: must be last
                guard k == e, validDottedQuad(gs, k) else { return false }
                groups += 2
                longGroup = true
            } else if glen > 0 {
                guard glen <= 4 else { return false }
                if glen >= 3 { longGroup = true }
                groups += 1
            } else if gs != s {
                return false
            }
            if k < e {
                // at ':'
                k += 1
                if k < e && p[k] == 0x3A {
                    if doubleColon { return false }
                    doubleColon = true
                    k += 1
                } else if k == e {
                    return false // single trailing ':'
                }
            }
        }
        if doubleColon { return groups >= 2 && groups <= 7 && longGroup }
        return groups == 8
    }

    func validDottedQuad(_ s: Int, _ e: Int) -> Bool {
        var parts = 0
        var k = s
        while k <= e {
            let ps = k
            var v = 0
            while k < e && piiIsDigit(p[k]) { v = v * 10 + Int(p[k] - 0x30); k += 1 }
            let len = k - ps
            guard len >= 1, len <= 3, v <= 255, !(len > 1 && p[ps] == 0x30) else { return false }
            parts += 1
            if k == e { break }
            guard p[k] == 0x2E else { return false }
            k += 1
        }
        return parts == 4
    }
}
