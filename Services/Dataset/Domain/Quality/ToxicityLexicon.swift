/// One lexicon match summary for a text: `term` (as listed) of `category`
/// matched `count` times.
public struct LexiconHit: Sendable, Hashable, Comparable {
    public var category: String
    public var term: String
    public var count: Int

    public init(category: String, term: String, count: Int) {
        self.category = category
        self.term = term
        self.count = count
    }

    public static func < (l: LexiconHit, r: LexiconHit) -> Bool {
        (l.category, l.term) < (r.category, r.term)
    }
}

/// Lexicon-based toxicity and bias check with Korean and English term lists
/// that users extend per category.
///
/// **Matching.** Texts and terms are normalized the same way
/// (`TextNormalizer`: case, width, whitespace runs, zero-width characters,
/// NFD Hangul), then all terms are found in one pass over the normalized
/// Unicode scalars with an Aho–Corasick automaton compiled to a dense DFA
/// over symbol classes (every scalar used in some term has its own class,
/// all others share class 0), so a Hangul syllable costs one transition
/// rather than three UTF-8 bytes' worth. No regex. Korean terms match as substrings, because
/// particles attach to words ("병신아", "씨발놈"); terms that start/end with
/// an ASCII letter or digit must start/end at a word boundary (the
/// neighbouring character is not an ASCII letter or digit), so "class" does
/// not hit "ass". A leading/trailing `*` lifts that boundary: `"fuck*"`
/// also matches "fucking". Multi-word phrases match across any whitespace.
/// An *allow* term suppresses every hit lying inside one of its matches
/// ("시발점", a starting point, contains "시발").
///
/// **Built-in lists** (`builtInTerms`) are deliberately short and high
/// precision — common Korean and English profanity, insults and slurs,
/// sexual terms, violent threats and stereotyping phrases ("여자는 원래",
/// "women are naturally") — a starting point, not a complete filter. Words
/// whose usual meaning is innocent are left out ("보지" is also "to see",
/// "자지" "to sleep", "닥쳐" is in "닥쳐오다", "떡치기" is making rice cake,
/// "xxx" is a placeholder, "retard*" would hit "retardant"). Categories:
/// `profanity`, `insult` (insults and hate), `sexual`, `violence`, `bias`;
/// user terms may add new categories.
public struct ToxicityLexicon: Sendable {
    public static let profanity = "profanity"
    public static let insult = "insult"
    public static let sexual = "sexual"
    public static let violence = "violence"
    public static let bias = "bias"

    /// Built-in terms by category.
    public static let builtInTerms: [String: [String]] = [
        profanity: [
            "씨발", "시발", "씨바", "씨팔", "시팔", "ㅅㅂ", "ㅆㅂ", "좆", "존나", "지랄", "개새끼", "개새기",
            "개색기", "개색끼", "썅", "엿먹어",
            "fuck*", "motherfuck*", "shit", "shitty", "bullshit", "bitch*", "bastard*", "asshole*",
            "cunt*", "dickhead*", "wtf",
        ],
        insult: [
            "병신", "ㅄ", "미친놈", "미친년", "또라이", "멍청이", "등신", "찐따", "한남충", "김치녀", "틀딱",
            "급식충", "짱깨", "쪽바리", "홍어새끼",
            "idiot*", "moron*", "retard", "retarded", "retards", "dumbass", "faggot*", "subhuman", "piece of shit",
            "go back to your country",
        ],
        sexual: [
            "섹스", "야동", "야짤", "딸딸이", "자위행위", "섹파",
            "porn*", "blowjob*", "handjob*", "horny", "cumshot*", "dildo*", "nudes",
        ],
        violence: [
            "죽여버리", "죽여 버리", "때려죽", "패버리", "칼로 찔러", "목을 졸라", "살해하", "강간", "성폭행",
            "폭탄 만드는", "폭탄 제조",
            "kill you", "i will kill", "i'll kill", "murder*", "stab you", "stabbed", "behead*",
            "rape", "raped", "raping", "rapist*", "shoot up", "make a bomb",
        ],
        bias: [
            "여자는 원래", "남자는 원래", "여자들은 다", "남자들은 다", "여자가 무슨", "여자라서 못",
            "여자는 집에서", "노인들은 다", "조선족은 다", "흑인들은 다", "외국인 노동자들은 다",
            "전라도 사람들은 다", "경상도 사람들은 다",
            "women are naturally", "men are naturally", "women can't", "women belong in the kitchen",
            "girls are bad at", "all muslims are", "all immigrants are", "black people are all",
            "old people can't", "asians are all",
        ],
    ]

    /// Built-in allow terms (hits inside their matches are dropped).
    public static let builtInAllowTerms = ["시발점", "시발역", "시발택시", "등신대", "scunthorpe"]

    struct Pattern: Sendable {
        var category: String
        var term: String
        /// Length in normalized Unicode scalars.
        var length: Int
        var needsLeftBoundary: Bool
        var needsRightBoundary: Bool
        var isAllow: Bool
    }

    /// Categories present, sorted.
    public let categories: [String]
    let patterns: [Pattern]
    let classCount: Int
    /// Symbol class of ASCII scalars (0: in no term).
    let asciiClass: [UInt16]
    /// Symbol class of Hangul syllables U+AC00–U+D7A3.
    let hangulClass: [UInt16]
    /// Symbol class of any other scalar used in a term, and the range of those
    /// scalars (a cheap filter before the dictionary lookup).
    let otherClass: [UInt32: UInt16]
    let otherLow: UInt32
    let otherSpan: UInt32
    /// `transitions[offset + class]` = next state's row offset (state·classCount).
    /// States are numbered so that exactly those with outputs have offsets
    /// `≥ firstOutputOffset`, which keeps the output test off the
    /// state-to-state dependency chain.
    let transitions: [Int32]
    let firstOutputOffset: Int
    /// Outputs of the state with row offset `o` (o ≥ firstOutputOffset):
    /// `outputs[outputStart[j] ..< outputStart[j+1]]`, j = (o − firstOutputOffset) / classCount.
    let outputStart: [Int32]
    let outputs: [Int32]

    /// - Parameters:
    ///   - extraTerms: category → terms added to (or, for a new category,
    ///     next to) the built-in lists. Same syntax as the built-ins.
    ///   - allowTerms: extra allow terms.
    ///   - includeBuiltIn: false to use only the given terms.
    public init(extraTerms: [String: [String]] = [:], allowTerms: [String] = [], includeBuiltIn: Bool = true) {
        var lists: [(String, String, Bool)] = []
        var categorySet = Set<String>()
        func add(_ terms: [String: [String]]) {
            for category in terms.keys.sorted() {
                categorySet.insert(category)
                for term in terms[category]! { lists.append((category, term, false)) }
            }
        }
        if includeBuiltIn { add(Self.builtInTerms) }
        add(extraTerms)
        for term in (includeBuiltIn ? Self.builtInAllowTerms : []) + allowTerms {
            lists.append(("", term, true))
        }

        var patterns: [Pattern] = []
        var patternScalars: [[UInt32]] = []
        var seen = Set<String>()
        for (category, term, isAllow) in lists {
            var core = Substring(term)
            var leftOpen = false, rightOpen = false
            while core.hasPrefix("*") { core = core.dropFirst(); leftOpen = true }
            while core.hasSuffix("*") { core = core.dropLast(); rightOpen = true }
            let scalars = TextNormalizer.normalizedScalars(String(core))
            guard let first = scalars.first, let last = scalars.last else { continue }
            let dedupKey = "\(isAllow)\u{1}\(category)\u{1}\(leftOpen)\(rightOpen)\u{1}" + scalars.map(String.init).joined(separator: ",")
            guard seen.insert(dedupKey).inserted else { continue }
            patterns.append(Pattern(
                category: category, term: term, length: scalars.count,
                needsLeftBoundary: !leftOpen && Self.isWordScalar(first),
                needsRightBoundary: !rightOpen && Self.isWordScalar(last),
                isAllow: isAllow))
            patternScalars.append(scalars)
        }
        self.patterns = patterns
        categories = categorySet.sorted()

        // Symbol classes: 0 for scalars in no term.
        var asciiClass = [UInt16](repeating: 0, count: 128)
        var hangulClass = [UInt16](repeating: 0, count: 11172)
        var otherClass: [UInt32: UInt16] = [:]
        var classes = 1
        func classOf(_ c: UInt32, create: Bool) -> Int {
            if c < 128 {
                if asciiClass[Int(c)] == 0 && create { asciiClass[Int(c)] = UInt16(classes); classes += 1 }
                return Int(asciiClass[Int(c)])
            }
            if c &- 0xAC00 < 11172 {
                let i = Int(c - 0xAC00)
                if hangulClass[i] == 0 && create { hangulClass[i] = UInt16(classes); classes += 1 }
                return Int(hangulClass[i])
            }
            if otherClass[c] == nil && create { otherClass[c] = UInt16(classes); classes += 1 }
            return Int(otherClass[c] ?? 0)
        }
        for scalars in patternScalars {
            for c in scalars { _ = classOf(c, create: true) }
        }
        precondition(classes <= Int(UInt16.max), "too many distinct characters in the lexicon")
        self.asciiClass = asciiClass
        self.hangulClass = hangulClass
        self.otherClass = otherClass
        // With no such scalars, no scalar passes `c &- otherLow <= otherSpan`.
        otherLow = otherClass.keys.min() ?? UInt32.max
        otherSpan = (otherClass.keys.max() ?? 0) &- (otherClass.keys.min() ?? 0)
        classCount = classes

        // Trie.
        var children: [[Int: Int]] = [[:]]
        var own: [[Int32]] = [[]]
        for (index, scalars) in patternScalars.enumerated() {
            var state = 0
            for c in scalars {
                let cls = classOf(c, create: false)
                if let next = children[state][cls] {
                    state = next
                } else {
                    children.append([:])
                    own.append([])
                    children[state][cls] = children.count - 1
                    state = children.count - 1
                }
            }
            own[state].append(Int32(index))
        }

        // BFS: failure links, dense DFA, merged outputs.
        let stateCount = children.count
        var delta = [Int](repeating: 0, count: stateCount * classes)
        var fail = [Int](repeating: 0, count: stateCount)
        var merged = own
        var queue: [Int] = []
        for cls in 0..<classes {
            if let s = children[0][cls] {
                delta[cls] = s
                queue.append(s)
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            merged[state] += merged[fail[state]]
            for cls in 0..<classes {
                if let s = children[state][cls] {
                    fail[s] = delta[fail[state] * classes + cls]
                    delta[state * classes + cls] = s
                    queue.append(s)
                } else {
                    delta[state * classes + cls] = delta[fail[state] * classes + cls]
                }
            }
        }

        // Renumber: states without outputs first (the root stays 0), then those with.
        var newID = [Int](repeating: 0, count: stateCount)
        var order: [Int] = []
        for state in 0..<stateCount where merged[state].isEmpty { newID[state] = order.count; order.append(state) }
        let firstOutput = order.count
        for state in 0..<stateCount where !merged[state].isEmpty { newID[state] = order.count; order.append(state) }
        var table = [Int32](repeating: 0, count: stateCount * classes)
        for (id, state) in order.enumerated() {
            for cls in 0..<classes {
                table[id * classes + cls] = Int32(newID[delta[state * classes + cls]] * classes)
            }
        }
        transitions = table
        firstOutputOffset = firstOutput * classes
        var start: [Int32] = [0]
        var flat: [Int32] = []
        for state in order[firstOutput...] {
            flat += merged[state]
            start.append(Int32(flat.count))
        }
        outputStart = start
        outputs = flat
    }

    /// Number of DFA states (for diagnostics).
    public var stateCount: Int { transitions.count / classCount }

    @inline(__always)
    static func isWordScalar(_ c: UInt32) -> Bool {
        c &- 0x61 < 26 || c &- 0x30 < 10 || c &- 0x41 < 26
    }

    /// Hits in `text`, sorted by category then term; empty when clean.
    public func scan(_ text: String) -> [LexiconHit] {
        var counts: [Int: Int] = [:]
        scan(text, into: &counts)
        return hits(from: counts)
    }

    /// Hits over all turns of a sample (each turn scanned separately, so a
    /// phrase never spans two turns), counts summed.
    public func scan(_ sample: ChatSample) -> [LexiconHit] {
        var counts: [Int: Int] = [:]
        for message in sample.messages { scan(message.content, into: &counts) }
        return hits(from: counts)
    }

    private func hits(from counts: [Int: Int]) -> [LexiconHit] {
        counts.map { LexiconHit(category: patterns[$0.key].category, term: patterns[$0.key].term, count: $0.value) }.sorted()
    }

    private func scan(_ text: String, into counts: inout [Int: Int]) {
        TextNormalizer.withUTF8(of: text) { src in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(src.count, 1)) { buffer in
                var sink = ScalarSink(base: buffer.baseAddress)
                TextNormalizer.normalize(utf8: src, into: &sink)
                match(UnsafeBufferPointer(start: buffer.baseAddress, count: sink.count), into: &counts)
            }
        }
    }

    /// Aho–Corasick over normalized scalars.
    private func match(_ text: UnsafeBufferPointer<UInt32>, into counts: inout [Int: Int]) {
        guard let p = text.baseAddress, text.count > 0 else { return }
        let n = text.count
        // (pattern, end) of raw matches, filled only when an output state is reached.
        var found: [(pattern: Int, end: Int)] = []
        var hasAllow = false
        let firstOutput = firstOutputOffset
        let otherLow = self.otherLow, otherSpan = self.otherSpan
        asciiClass.withUnsafeBufferPointer { ascii in
            hangulClass.withUnsafeBufferPointer { hangul in
                transitions.withUnsafeBufferPointer { delta in
                    var offset = 0
                    for i in 0..<n {
                        let c = p[i]
                        let cls: Int
                        if c < 128 {
                            cls = Int(ascii[Int(c)])
                        } else if c &- 0xAC00 < 11172 {
                            cls = Int(hangul[Int(c &- 0xAC00)])
                        } else {
                            cls = c &- otherLow <= otherSpan ? Int(otherClass[c] ?? 0) : 0
                        }
                        offset = Int(delta[offset &+ cls])
                        if offset >= firstOutput {
                            let j = (offset - firstOutput) / classCount
                            for o in Int(outputStart[j])..<Int(outputStart[j + 1]) {
                                let id = Int(outputs[o])
                                let pattern = patterns[id]
                                let start = i + 1 - pattern.length
                                if pattern.needsLeftBoundary && start > 0 && Self.isWordScalar(p[start - 1]) { continue }
                                if pattern.needsRightBoundary && i + 1 < n && Self.isWordScalar(p[i + 1]) { continue }
                                found.append((id, i + 1))
                                if pattern.isAllow { hasAllow = true }
                            }
                        }
                    }
                }
            }
        }
        if found.isEmpty { return }
        var allowed: [Range<Int>] = []
        if hasAllow {
            for f in found where patterns[f.pattern].isAllow {
                allowed.append((f.end - patterns[f.pattern].length)..<f.end)
            }
        }
        for f in found where !patterns[f.pattern].isAllow {
            let span = (f.end - patterns[f.pattern].length)..<f.end
            if allowed.contains(where: { $0.lowerBound <= span.lowerBound && span.upperBound <= $0.upperBound }) { continue }
            counts[f.pattern, default: 0] += 1
        }
    }
}

/// Per-dataset lexicon statistics, mergeable across workers.
public struct LexiconSummary: Sendable, Equatable {
    public private(set) var samples = 0
    /// Samples with at least one hit.
    public private(set) var flaggedSamples = 0
    /// Samples with at least one hit of each category.
    public private(set) var samplesByCategory: [String: Int] = [:]
    /// Total hits of each category.
    public private(set) var hitsByCategory: [String: Int] = [:]

    public init() {}

    public mutating func add(_ hits: [LexiconHit]) {
        samples += 1
        guard !hits.isEmpty else { return }
        flaggedSamples += 1
        var categories = Set<String>()
        for hit in hits {
            hitsByCategory[hit.category, default: 0] += hit.count
            categories.insert(hit.category)
        }
        for c in categories { samplesByCategory[c, default: 0] += 1 }
    }

    public mutating func merge(_ other: LexiconSummary) {
        samples += other.samples
        flaggedSamples += other.flaggedSamples
        for (c, n) in other.samplesByCategory { samplesByCategory[c, default: 0] += n }
        for (c, n) in other.hitsByCategory { hitsByCategory[c, default: 0] += n }
    }
}
