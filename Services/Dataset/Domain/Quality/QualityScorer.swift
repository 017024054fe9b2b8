/// Flag names reported in `QualityScore.flags` (stable strings: they are
/// counted in reports and may be filtered on).
public enum QualityFlag {
    /// A turn with no visible character.
    public static let emptyTurn = "empty_turn"
    /// U+FFFD replacement characters (a decoding accident), conjoining jamo
    /// U+1100–U+11FF outside a valid leading-vowel(-trailing) sequence, or
    /// compatibility jamo U+3131–U+318E ("ㅋㅋ", "ㅠㅠ", "ㅅㅂ") making up more
    /// than `compatJamoRatio` of the Hangul letters (and at least
    /// `compatJamoMinCount` of them).
    public static let brokenHangul = "broken_hangul"
    /// A run of at least `repeatedRunLength` identical non-whitespace characters.
    public static let repeatedChars = "repeated_chars"
    /// Fewer than `minCharacters` visible characters in the whole sample.
    public static let tooShort = "too_short"
    /// More than `maxCharacters` visible characters in the whole sample.
    public static let tooLong = "too_long"
    /// distinct-2 below `lowDistinct2` (with at least `minTokensForDiversity` tokens).
    public static let lowDiversity = "low_diversity"
    /// An assistant turn that mostly repeats the preceding user turn.
    public static let echo = "echo"

    /// Every flag, in the order `QualityScore.flags` lists them.
    public static let all = [emptyTurn, brokenHangul, repeatedChars, tooShort, tooLong, lowDiversity, echo]
}

/// The parts a `QualityScore` is made of.
public struct QualityComponents: Sendable, Equatable {
    /// 0…1: 0 when empty, rising linearly to 1 at `idealMinCharacters`, 1 up
    /// to `idealMaxCharacters`, then falling linearly to 0.3 at `maxCharacters`.
    public var length: Double
    /// 0…1: `0.4·min(1, distinct1/0.3) + 0.6·min(1, distinct2/0.6)` (1 when
    /// there are fewer than 2 tokens — too little text to judge).
    public var diversity: Double
    /// 0…1, 1 = clean: `max(0, 1 − 10·noiseCharacters/characters)`.
    public var noise: Double
    /// Distinct tokens / tokens over the sample (tokens are whitespace- and
    /// punctuation-separated words, ASCII case-folded; a Korean 어절 is one token).
    public var distinct1: Double
    /// Distinct adjacent token pairs / pairs, pairs taken within each turn.
    public var distinct2: Double
    /// Visible (non-whitespace, non-zero-width) Unicode scalars.
    public var characters: Int
    public var tokens: Int
    /// Replacement characters, stray jamo, control and private-use characters,
    /// compatibility jamo when flagged, and the excess of repeated-character runs.
    public var noiseCharacters: Int

    public init(length: Double, diversity: Double, noise: Double, distinct1: Double, distinct2: Double,
                characters: Int, tokens: Int, noiseCharacters: Int) {
        self.length = length
        self.diversity = diversity
        self.noise = noise
        self.distinct1 = distinct1
        self.distinct2 = distinct2
        self.characters = characters
        self.tokens = tokens
        self.noiseCharacters = noiseCharacters
    }
}

/// Quality of one sample.
public struct QualityScore: Sendable, Equatable {
    /// 0…1, higher is better (see `QualityScorer` for the formula).
    public var score: Double
    public var components: QualityComponents
    /// Names from `QualityFlag`, in `QualityFlag.all` order.
    public var flags: [String]

    public init(score: Double, components: QualityComponents, flags: [String]) {
        self.score = score
        self.components = components
        self.flags = flags
    }

    /// Whether the sample survives a `min_score` filter.
    public func passes(minScore: Double) -> Bool { score >= minScore }
}

/// Heuristic quality score of chat samples, pure and cheap (one pass over each
/// turn's UTF-8, ~300 MB/s; no regex, no allocation per character).
///
/// `score = (wL·length + wD·diversity + wN·noise) × (empty_turn ? 0.5 : 1) × (echo ? 0.5 : 1)`
/// with weights 0.25 / 0.35 / 0.40 by default (see `QualityComponents`).
/// So a clean, varied sample of reasonable length scores 1; a sample whose
/// text is 5 % noise characters loses half the noise weight; an empty turn or
/// an echoing assistant halves the score. Filter with `passes(minScore:)`;
/// 0.5 is a reasonable `min_score` for SFT data.
public struct QualityScorer: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var minCharacters = 16
        public var maxCharacters = 32_000
        public var idealMinCharacters = 64
        public var idealMaxCharacters = 8_000
        public var repeatedRunLength = 10
        public var minTokensForDiversity = 16
        public var lowDistinct2 = 0.5
        /// Fraction of an assistant turn's token pairs found in the preceding
        /// user turn above which it is an echo (turns of < 4 tokens: identical
        /// token sequence).
        public var echoContainment = 0.8
        public var compatJamoMinCount = 4
        public var compatJamoRatio = 0.1
        public var lengthWeight = 0.25
        public var diversityWeight = 0.35
        public var noiseWeight = 0.40
        public var emptyTurnFactor = 0.5
        public var echoFactor = 0.5

        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func score(_ sample: ChatSample) -> QualityScore {
        score(messages: sample.messages)
    }

    public func score(messages: [ChatMessage]) -> QualityScore {
        var totalBytes = 0
        for m in messages { totalBytes += m.content.utf8.count }
        let tokenCapacity = totalBytes / 2 + messages.count + 1
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: tokenCapacity) { tokenBuffer in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: messages.count + 1) { bounds in
                score(messages, tokens: tokenBuffer.baseAddress!, bounds: bounds.baseAddress!)
            }
        }
    }

    private func score(_ messages: [ChatMessage], tokens: UnsafeMutablePointer<UInt64>,
                       bounds: UnsafeMutablePointer<Int>) -> QualityScore {
        let cfg = configuration
        var stats = ScanStats()
        var emptyTurn = false
        var tokenCount = 0
        bounds[0] = 0
        for (index, message) in messages.enumerated() {
            let before = stats.characters
            TextNormalizer.withUTF8(of: message.content) { bytes in
                Self.scan(bytes, runLength: cfg.repeatedRunLength, stats: &stats, tokens: tokens, tokenCount: &tokenCount)
            }
            if stats.characters == before { emptyTurn = true }
            bounds[index + 1] = tokenCount
        }
        if messages.isEmpty { emptyTurn = true }

        // Diversity.
        var distinct1 = 1.0, distinct2 = 1.0
        var pairs = 0
        for i in 0..<messages.count { pairs += max(0, bounds[i + 1] - bounds[i] - 1) }
        if tokenCount >= 2 {
            let tableSize = Self.tableSize(for: tokenCount)
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: tableSize) { table in
                let set = ScratchSet(table)
                var unique = 0
                for i in 0..<tokenCount where set.insert(tokens[i]) { unique += 1 }
                distinct1 = Double(unique) / Double(tokenCount)
                if pairs > 0 {
                    set.clear()
                    unique = 0
                    for m in 0..<messages.count {
                        var i = bounds[m] + 1
                        while i < bounds[m + 1] {
                            if set.insert(Self.pairKey(tokens[i - 1], tokens[i])) { unique += 1 }
                            i += 1
                        }
                    }
                    distinct2 = Double(unique) / Double(pairs)
                }
            }
        }

        // Echo: an assistant turn repeating the preceding user turn.
        var echo = false
        var lastUser = -1
        for (m, message) in messages.enumerated() {
            switch message.role {
            case .user: lastUser = m
            case .assistant where lastUser >= 0 && !echo:
                echo = Self.isEcho(assistant: bounds[m]..<bounds[m + 1], user: bounds[lastUser]..<bounds[lastUser + 1],
                                   tokens: tokens, containment: cfg.echoContainment)
            default: break
            }
        }

        // Noise.
        let hangulLetters = stats.hangulSyllables + stats.compatJamo + stats.conjoiningJamo
        let compatBroken = stats.compatJamo >= cfg.compatJamoMinCount
            && Double(stats.compatJamo) > cfg.compatJamoRatio * Double(hangulLetters)
        let brokenHangul = stats.replacement > 0 || stats.strayJamo > 0 || compatBroken
        let noiseCharacters = stats.replacement + stats.strayJamo + stats.controls + stats.privateUse
            + (compatBroken ? stats.compatJamo : 0) + stats.repeatExcess
        let chars = stats.characters
        let noise = chars == 0 ? 1 : max(0, 1 - 10 * Double(noiseCharacters) / Double(chars))

        // Length.
        let length: Double
        if chars == 0 {
            length = 0
        } else if chars < cfg.idealMinCharacters {
            length = Double(chars) / Double(cfg.idealMinCharacters)
        } else if chars <= cfg.idealMaxCharacters {
            length = 1
        } else {
            let span = Double(max(cfg.maxCharacters - cfg.idealMaxCharacters, 1))
            length = max(0.3, 1 - 0.7 * Double(chars - cfg.idealMaxCharacters) / span)
        }

        let diversity = tokenCount < 2 ? 1 : 0.4 * min(1, distinct1 / 0.3) + 0.6 * min(1, distinct2 / 0.6)
        let lowDiversity = tokenCount >= cfg.minTokensForDiversity && distinct2 < cfg.lowDistinct2

        var flags: [String] = []
        if emptyTurn { flags.append(QualityFlag.emptyTurn) }
        if brokenHangul { flags.append(QualityFlag.brokenHangul) }
        if stats.repeatedRuns > 0 { flags.append(QualityFlag.repeatedChars) }
        if chars < cfg.minCharacters { flags.append(QualityFlag.tooShort) }
        if chars > cfg.maxCharacters { flags.append(QualityFlag.tooLong) }
        if lowDiversity { flags.append(QualityFlag.lowDiversity) }
        if echo { flags.append(QualityFlag.echo) }

        let weightSum = cfg.lengthWeight + cfg.diversityWeight + cfg.noiseWeight
        var score = (cfg.lengthWeight * length + cfg.diversityWeight * diversity + cfg.noiseWeight * noise)
            / (weightSum > 0 ? weightSum : 1)
        if emptyTurn { score *= cfg.emptyTurnFactor }
        if echo { score *= cfg.echoFactor }
        score = min(1, max(0, score))

        return QualityScore(
            score: score,
            components: QualityComponents(
                length: length, diversity: diversity, noise: noise, distinct1: distinct1, distinct2: distinct2,
                characters: chars, tokens: tokenCount, noiseCharacters: noiseCharacters),
            flags: flags)
    }

    // MARK: - Scanning

    struct ScanStats {
        var characters = 0
        var replacement = 0
        var strayJamo = 0
        var conjoiningJamo = 0
        var compatJamo = 0
        var hangulSyllables = 0
        var controls = 0
        var privateUse = 0
        var repeatedRuns = 0
        var repeatExcess = 0
    }

    private static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// ASCII byte classes for `scan`.
    enum ASCIIClass {
        static let space: UInt8 = 0, word: UInt8 = 1, upper: UInt8 = 2, punct: UInt8 = 3, control: UInt8 = 4
        static let table: [UInt8] = (0..<128).map { c -> UInt8 in
            if c == 0x20 || (0x09...0x0D).contains(c) { return space }
            if (0x30...0x39).contains(c) || (0x61...0x7A).contains(c) { return word }
            if (0x41...0x5A).contains(c) { return upper }
            if c < 0x20 || c == 0x7F { return control }
            return punct
        }
    }

    /// One pass over a turn: counts, noise classes, runs, token hashes.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, runLength: Int, stats: inout ScanStats,
                     tokens: UnsafeMutablePointer<UInt64>, tokenCount: inout Int) {
        guard let p = bytes.baseAddress else { return }
        ASCIIClass.table.withUnsafeBufferPointer { table in
            scan(p, bytes.count, table.baseAddress!, runLength, &stats, tokens, &tokenCount)
        }
    }

    @inline(__always)
    private static func scan(_ p: UnsafePointer<UInt8>, _ end: Int, _ table: UnsafePointer<UInt8>, _ runLength: Int,
                             _ stats: inout ScanStats, _ tokens: UnsafeMutablePointer<UInt64>, _ tokenCount: inout Int) {
        var i = 0
        var characters = 0
        var nt = tokenCount
        var hash = fnvOffset
        var inToken = false
        var lastScalar: UInt32 = 0
        var run = 0
        // Conjoining jamo: 0 = outside, 1 = after a leading consonant, 2 = after a vowel.
        var jamoState = 0
        var lastWasLVSyllable = false

        while i < end {
            let b0 = p[i]
            var c: UInt32
            if b0 < 0x80 {
                i &+= 1
                c = UInt32(b0)
                let cls = table[Int(b0)]
                if cls == ASCIIClass.space {
                    if inToken {
                        tokens[nt] = hash | 1; nt &+= 1; hash = fnvOffset; inToken = false
                    }
                    if run >= runLength { stats.repeatedRuns &+= 1; stats.repeatExcess &+= run &- 1 }
                    run = 0; lastScalar = 0
                    if jamoState == 1 { stats.strayJamo &+= 1 }
                    jamoState = 0
                    lastWasLVSyllable = false
                    continue
                }
                characters &+= 1
                if c == lastScalar {
                    run &+= 1
                } else {
                    if run >= runLength { stats.repeatedRuns &+= 1; stats.repeatExcess &+= run &- 1 }
                    lastScalar = c; run = 1
                }
                if jamoState == 1 { stats.strayJamo &+= 1 }
                jamoState = 0
                lastWasLVSyllable = false
                if cls <= ASCIIClass.upper {
                    hash = (hash ^ UInt64(c | (UInt32(cls) &- 1) << 5)) &* fnvPrime
                    inToken = true
                } else {
                    if cls == ASCIIClass.control { stats.controls &+= 1 }
                    if inToken {
                        tokens[nt] = hash | 1; nt &+= 1; hash = fnvOffset; inToken = false
                    }
                }
                continue
            }
            if b0 < 0xE0 {
                c = (UInt32(b0) & 0x1F) << 6 | (UInt32(p[i &+ 1]) & 0x3F)
                i &+= 2
            } else if b0 < 0xF0 {
                c = (UInt32(b0) & 0x0F) << 12 | (UInt32(p[i &+ 1]) & 0x3F) << 6 | (UInt32(p[i &+ 2]) & 0x3F)
                i &+= 3
            } else {
                c = (UInt32(b0) & 0x07) << 18 | (UInt32(p[i &+ 1]) & 0x3F) << 12
                    | (UInt32(p[i &+ 2]) & 0x3F) << 6 | (UInt32(p[i &+ 3]) & 0x3F)
                i &+= 4
            }
            if c &- 0xAC00 < 11172 {
                // Precomposed Hangul syllable: the common case.
                characters &+= 1
                if c == lastScalar {
                    run &+= 1
                } else {
                    if run >= runLength { stats.repeatedRuns &+= 1; stats.repeatExcess &+= run &- 1 }
                    lastScalar = c; run = 1
                }
                stats.hangulSyllables &+= 1
                if jamoState == 1 { stats.strayJamo &+= 1 }
                jamoState = 0
                lastWasLVSyllable = (c &- 0xAC00) % 28 == 0
                hash = (hash ^ UInt64(c)) &* fnvPrime
                inToken = true
                continue
            }
            // Invisible: zero-width and bidi marks, BOM, soft hyphen.
            if c &- 0x200B < 5 || c == 0xFEFF || c == 0xAD || c &- 0x2060 < 5 {
                continue
            }
            if c == 0x85 || c == 0xA0 || c == 0x1680 || c &- 0x2000 < 11 || c == 0x2028 || c == 0x2029
                || c == 0x202F || c == 0x205F || c == 0x3000 {
                if inToken {
                    tokens[nt] = hash | 1; nt &+= 1; hash = fnvOffset; inToken = false
                }
                if run >= runLength { stats.repeatedRuns &+= 1; stats.repeatExcess &+= run &- 1 }
                run = 0; lastScalar = 0
                if jamoState == 1 { stats.strayJamo &+= 1 }
                jamoState = 0
                lastWasLVSyllable = false
                continue
            }
            characters &+= 1
            if c == lastScalar {
                run &+= 1
            } else {
                if run >= runLength { stats.repeatedRuns &+= 1; stats.repeatExcess &+= run &- 1 }
                lastScalar = c; run = 1
            }
            var tokenChar = true
            let wasLV = lastWasLVSyllable
            lastWasLVSyllable = false
            if c &- 0x1100 < 0x100 {
                stats.conjoiningJamo &+= 1
                if c < 0x1160 {  // leading consonant
                    if jamoState == 1 { stats.strayJamo &+= 1 }
                    jamoState = 1
                } else if c < 0x11A8 {  // vowel
                    if jamoState == 1 { jamoState = 2 } else { stats.strayJamo &+= 1; jamoState = 0 }
                } else {  // trailing consonant
                    if jamoState != 2 && !wasLV { stats.strayJamo &+= 1 }
                    jamoState = 0
                }
            } else {
                if jamoState == 1 { stats.strayJamo &+= 1 }
                jamoState = 0
                if c == 0xFFFD {
                    stats.replacement &+= 1
                } else if c &- 0x3131 < 0x5E {
                    stats.compatJamo &+= 1
                } else if c &- 0xE000 < 0x1900 {
                    stats.privateUse &+= 1
                } else if c < 0xA0 {
                    stats.controls &+= 1
                    tokenChar = false
                } else if c &- 0x2010 < 0x50 || c &- 0x3001 < 0x3F || c &- 0xFF01 < 0x0F
                    || c &- 0xFF1A < 7 || c &- 0xFF3B < 6 || c &- 0xFF5B < 11 || c == 0xA1 || c == 0xBF
                    || c == 0xAB || c == 0xBB || c == 0xB7 {
                    tokenChar = false  // punctuation
                }
            }
            if tokenChar {
                hash = (hash ^ UInt64(c)) &* fnvPrime
                inToken = true
            } else if inToken {
                tokens[nt] = hash | 1; nt &+= 1; hash = fnvOffset; inToken = false
            }
        }
        if inToken { tokens[nt] = hash | 1; nt &+= 1 }
        if run >= runLength { stats.repeatedRuns &+= 1; stats.repeatExcess &+= run &- 1 }
        if jamoState == 1 { stats.strayJamo &+= 1 }
        stats.characters &+= characters
        tokenCount = nt
    }

    @inline(__always)
    static func pairKey(_ a: UInt64, _ b: UInt64) -> UInt64 {
        StableHash.fmix64(a &* 0x9e37_79b9_7f4a_7c15 ^ b) | 1
    }

    static func tableSize(for n: Int) -> Int {
        var size = 16
        while size < 2 * n { size <<= 1 }
        return size
    }

    static func isEcho(assistant a: Range<Int>, user u: Range<Int>, tokens t: UnsafeMutablePointer<UInt64>,
                       containment: Double) -> Bool {
        if a.isEmpty || u.isEmpty { return false }
        if a.count < 4 {
            guard a.count == u.count else { return false }
            for k in 0..<a.count where t[a.lowerBound + k] != t[u.lowerBound + k] { return false }
            return true
        }
        if u.count < 2 { return false }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: tableSize(for: u.count)) { table in
            let set = ScratchSet(table)
            var i = u.lowerBound + 1
            while i < u.upperBound {
                _ = set.insert(pairKey(t[i - 1], t[i]))
                i += 1
            }
            var found = 0
            i = a.lowerBound + 1
            while i < a.upperBound {
                if set.contains(pairKey(t[i - 1], t[i])) { found += 1 }
                i += 1
            }
            return Double(found) >= containment * Double(a.count - 1)
        }
    }
}

/// Open-addressing set of non-zero UInt64 keys in caller-provided memory
/// (power-of-two size, at most half full).
struct ScratchSet {
    let slots: UnsafeMutableBufferPointer<UInt64>
    let mask: Int

    init(_ slots: UnsafeMutableBufferPointer<UInt64>) {
        self.slots = slots
        mask = slots.count - 1
        clear()
    }

    func clear() {
        slots.initialize(repeating: 0)
    }

    /// Inserts `key` (non-zero); returns whether it was new.
    @inline(__always)
    func insert(_ key: UInt64) -> Bool {
        var i = Int(truncatingIfNeeded: key >> 20) & mask
        while true {
            let v = slots[i]
            if v == key { return false }
            if v == 0 {
                slots[i] = key
                return true
            }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool {
        var i = Int(truncatingIfNeeded: key >> 20) & mask
        while true {
            let v = slots[i]
            if v == key { return true }
            if v == 0 { return false }
            i = (i + 1) & mask
        }
    }
}
