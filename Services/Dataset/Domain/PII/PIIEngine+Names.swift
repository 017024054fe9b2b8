/// Person names and passports (the patterns that start at a word).
///
/// Korean names — a word starting with a surname (`PIILexicon.surnames`, or a
/// two-syllable one like 남궁/황보/제갈/선우/독고) followed by one or two
/// given-name syllables (`givenNameSyllables`), not in the stop list, and
/// one piece of evidence:
/// - strong, full name (surname + 2 given syllables, or two-syllable surname + 1–2):
///   an attached or following title/honorific (홍길동씨, 홍길동님께서, 홍길동 과장님,
///   김철수 기자), `의` directly after (홍길동의), or a cue before (이름: 홍길동,
///   담당자 홍길동, 이름은 홍길동입니다);
/// - a self-introduction: `저는/제가/나는 ` + name + copula (저는 김민준입니다);
/// - strong, short name (surname + 1 syllable, e.g. 김민): only 씨/님/군
///   attached, a cue before, or a self-introduction;
/// - weak, full name: a particle (은/는/이/가/을/를/에게…) — accepted only if a
///   name cue or a multi-syllable title occurs in the context window (outside
///   the word itself);
/// `의` and weak particles are not enough when the last syllable makes it
/// look like a common noun (정보화의, 연예인은, 지도자가: `nounLikeFinal`).
/// Once a name is accepted, its other occurrences in the same text are
/// masked too when followed by a non-letter, a particle or a title.
///
/// English names — at a capitalised word: an honorific before
/// (Mr./Mrs./Ms./Dr./Prof./Miss/Mx + 1–3 capitalised words, all-caps
/// allowed), a cue before (`my name is`, `named`, `Dear`, `Name:`, `From:`,
/// Korean cues like `이름:`), or a common first name followed by a
/// capitalised surname (optional middle initial). Stop words (The, Street,
/// University, weekdays, months …) end a name.
///
/// Passports — `[MSRODGT]` + 8 digits or `[MSRODGT]` + 3 digits + letter + 4
/// digits as a whole word; 1–2 letters + 6–8 digits only with a passport context word.
extension PIIEngine {
    // MARK: Korean

    mutating func koreanCandidate(at i: Int) {
        guard let s0 = hangul(i) else { return }
        let single = piiSyllableBit(surnameBits, s0)
        let compoundFirst = piiSyllableBit(compoundFirstBits, s0)
        guard single || compoundFirst, let s1 = hangul(i + 3) else { return }
        if compoundFirst, let s2 = hangul(i + 6), piiSyllableBit(givenBits, s2),
           prefixMatch(cfg.compoundSurnames, at: i, limit: i + 6) != nil {
            let runEnd = hangulRunEnd(i)
            if let s3 = hangul(i + 9), piiSyllableBit(givenBits, s3), tryKoreanName(i, i + 12, full: true, runEnd) { return }
            if tryKoreanName(i, i + 9, full: true, runEnd) { return }
        }
        guard single, piiSyllableBit(givenBits, s1) else { return }
        let runEnd = hangulRunEnd(i)
        if let s2 = hangul(i + 6), piiSyllableBit(givenBits, s2), tryKoreanName(i, i + 9, full: true, runEnd) { return }
        _ = tryKoreanName(i, i + 6, full: false, runEnd)
    }

    private static let genitive: [UInt8] = Array("의".utf8)

    /// Decides whether `s..<e` (surname + given name, inside the Hangul word
    /// ending at `runEnd`) is a name. Cheapest evidence first; the stop list
    /// is consulted only once some evidence was found.
    mutating func tryKoreanName(_ s: Int, _ e: Int, full: Bool, _ runEnd: Int) -> Bool {
        let hasRest = e < runEnd
        if hasRest {
            let titles = full ? cfg.koreanTitles : cfg.attachedHonorifics
            if let t = prefixMatch(titles, at: e, limit: runEnd) {
                let after = e + t
                if after == runEnd || prefixMatch(cfg.koreanParticles, at: after, limit: runEnd) != nil {
                    return acceptKoreanName(s, e)
                }
            }
        }
        if koreanCueBefore(s) {
            if !hasRest || prefixMatch(cfg.koreanParticles, at: e, limit: runEnd) != nil
                || (full && prefixMatch(cfg.koreanTitles, at: e, limit: runEnd) != nil) {
                return acceptKoreanName(s, e)
            }
        }
        if hasRest && prefixMatch(cfg.selfIntroEndings, at: e, limit: runEnd) != nil && selfIntroCueBefore(s) {
            return acceptKoreanName(s, e)
        }
        guard full else { return false }
        if !hasRest {
            return nextWordIsTitle(runEnd) ? acceptKoreanName(s, e) : false
        }
        guard let last = hangul(e - 3), !cfg.nounLikeFinal.contains(last) else { return false }
        if runEnd - e == 3 && matches(Self.genitive, at: e) { return acceptKoreanName(s, e) }
        if prefixMatch(cfg.weakParticles, at: e, limit: runEnd) != nil && !isStopName(s, e)
            && (contextIn(cfg.nameEvidence, back(s, chars: cfg.window), s)
                || contextIn(cfg.nameEvidence, runEnd, forward(runEnd, chars: cfg.window))) {
            return acceptKoreanName(s, e)
        }
        return false
    }

    @inline(__always)
    func isStopName(_ s: Int, _ e: Int) -> Bool { cfg.nameStopWords.contains(p, s, e) }

    mutating func acceptKoreanName(_ s: Int, _ e: Int) -> Bool {
        if isStopName(s, e) { return false }
        return acceptName(.koreanName, s, e)
    }

    /// `홍길동 과장님`: the next word (after one space) starts with a title,
    /// followed by nothing or a particle.
    func nextWordIsTitle(_ runEnd: Int) -> Bool {
        guard runEnd + 1 < n, p[runEnd] == 0x20, let t0s = hangul(runEnd + 1) else { return false }
        let t0 = runEnd + 1
        guard cfg.koreanTitles.mayStart(p[t0], t0s) else { return false }
        let tEnd = hangulRunEnd(t0)
        guard let t = prefixMatch(cfg.koreanTitles, at: t0, limit: tEnd) else { return false }
        let after = t0 + t
        return after == tEnd || prefixMatch(cfg.koreanParticles, at: after, limit: tEnd) != nil
    }

    private static let cueParticles: [UInt32] = [0xC740, 0xB294, 0xC774, 0xAC00] // 은 는 이 가

    /// A name cue right before `s`: `이름: `, `담당자 `, `이름은 `, `성명=`.
    /// `저는 ` / `제가 ` right before `s` (one space).
    func selfIntroCueBefore(_ s: Int) -> Bool {
        guard s >= 4, p[s - 1] == 0x20 else { return false }
        let k = s - 1
        guard cfg.selfIntroCues.mayEnd(p[k - 1], hangul(k - 3)), let cs = cfg.selfIntroCues.suffixStart(p, k) else { return false }
        // the cue must be a whole word
        return cs == 0 || p[cs - 1] < 0x80 && !piiIsAlnum(p[cs - 1])
    }

    func koreanCueBefore(_ s: Int) -> Bool {
        var k = s
        var spaces = 0
        while k > 0 && (p[k - 1] == 0x20 || p[k - 1] == 0x09) && spaces < 3 { k -= 1; spaces += 1 }
        if k > 0 && (p[k - 1] == 0x3A || p[k - 1] == 0x3D || p[k - 1] == 0x2D) {
            k -= 1
            while k > 0 && p[k - 1] == 0x20 { k -= 1 }
        }
        if k == s || k < 3 { return false }
        if endsWith(cfg.koreanNameCues, k) { return true }
        if let syl = hangul(k - 3), Self.cueParticles.contains(syl) {
            return endsWith(cfg.koreanNameCues, k - 3)
        }
        return false
    }

    mutating func acceptName(_ kind: PIIKind, _ s: Int, _ e: Int) -> Bool {
        if kind == .englishName && isStopName(s, e) { return false }
        add(kind, s, e, validated: false, keep: 1)
        let bytes = Array(p[s..<e])
        // Propagation costs O(text × names); 64 distinct names per text is plenty.
        if names.count < 64 && !names.contains(where: { $0.bytes == bytes }) { names.append((kind, bytes)) }
        return true
    }

    /// Masks the other occurrences of accepted names.
    mutating func propagateNames() {
        let known = Set(cands.filter { $0.kind == .koreanName || $0.kind == .englishName }.map(\.start))
        for (kind, bytes) in names {
            guard let first = bytes.first else { continue }
            var k = 0
            let last = n - bytes.count
            while k <= last {
                if p[k] == first && matches(bytes, at: k) {
                    let e = k + bytes.count
                    if !known.contains(k) && nameBoundaryBefore(k) && nameBoundaryAfter(e, kind) {
                        add(kind, k, e, validated: false, keep: 1)
                    }
                    k = e
                } else {
                    k += 1
                }
            }
        }
    }

    func nameBoundaryBefore(_ k: Int) -> Bool {
        if k == 0 { return true }
        let c = p[k - 1]
        if c < 0x80 { return !piiIsAlnum(c) }
        // previous character: a Hangul syllable glues, other non-ASCII (quotes, CJK punctuation) does not
        var j = k - 1
        while j > 0 && p[j] & 0xC0 == 0x80 { j -= 1 }
        return hangul(j) == nil && !(p[j] >= 0xC0 && p[j] < 0xE0)
    }

    func nameBoundaryAfter(_ e: Int, _ kind: PIIKind) -> Bool {
        if e >= n { return true }
        let c = p[e]
        if c < 0x80 { return !piiIsAlnum(c) }
        if hangul(e) != nil {
            guard kind == .koreanName else { return true }
            let re = hangulRunEnd(e)
            return prefixMatch(cfg.koreanParticles, at: e, limit: re) != nil
                || prefixMatch(cfg.koreanTitles, at: e, limit: re) != nil
        }
        return true
    }

    // MARK: English + passport

    /// At an upper-case ASCII word `ws..<we` (letters/digits) at a word start.
    /// Returns where the main loop continues (≥ `we`).
    mutating func englishWord(_ ws: Int, _ we: Int) -> Int {
        let len = we - ws
        if len >= 8 && len <= 10 && cfg.on(.passportNumber) && passport(ws, we) { return we }
        guard cfg.on(.englishName) else { return we }
        if len <= 5 && cfg.englishHonorifics.contains(p, ws, we) {
            var k = we
            if k < n && p[k] == 0x2E { k += 1 }
            guard k + 1 < n, p[k] == 0x20, piiIsUpper(p[k + 1]) else { return we }
            let end = nameRun(from: k + 1, allowAllCaps: true, maxWords: 3)
            if end > k + 1 {
                _ = acceptName(.englishName, k + 1, end)
                return end
            }
            return we
        }
        let nwe = nameWordEnd(ws)
        guard nwe >= we, isNameWord(ws, nwe, allowAllCaps: false) else { return we }
        if cfg.englishStopWords.contains(p, ws, nwe) { return we }
        if englishCueBefore(ws) {
            let end = nameRun(from: ws, allowAllCaps: false, maxWords: 3)
            if end > ws {
                _ = acceptName(.englishName, ws, end)
                return end
            }
        }
        if cfg.englishFirstNames.contains(p, ws, nwe) {
            let end = nameRun(from: ws, allowAllCaps: false, maxWords: 3)
            if end > nwe {
                _ = acceptName(.englishName, ws, end)
                return end
            }
        }
        return we
    }

    /// Letters with inner `'`/`-` (O'Brien, Smith-Jones, Min-su).
    func nameWordEnd(_ k: Int) -> Int {
        var j = k
        while j < n {
            let c = p[j]
            if piiIsAlpha(c) {
                j += 1
            } else if (c == 0x27 || c == 0x2D) && j > k && j + 1 < n && piiIsAlpha(p[j + 1]) {
                j += 1
            } else {
                break
            }
        }
        return j
    }

    func isNameWord(_ s: Int, _ e: Int, allowAllCaps: Bool) -> Bool {
        guard e - s >= 2, piiIsUpper(p[s]) else { return false }
        if e < n && piiIsDigit(p[e]) { return false }
        if allowAllCaps { return true }
        for k in (s + 1)..<e where piiIsLower(p[k]) { return true }
        return false
    }

    /// Up to `maxWords` name words separated by single spaces (middle
    /// initials `F.` allowed between words). Returns the end of the last word, or `k`.
    func nameRun(from k: Int, allowAllCaps: Bool, maxWords: Int) -> Int {
        var pos = k
        var end = k
        var words = 0
        while words < maxWords && pos < n && piiIsUpper(p[pos]) {
            let we = nameWordEnd(pos)
            if we - pos == 1 && words > 0 && we + 1 < n && p[we] == 0x2E && p[we + 1] == 0x20 {
                pos = we + 2
                continue
            }
            guard isNameWord(pos, we, allowAllCaps: allowAllCaps),
                  !cfg.englishStopWords.contains(p, pos, we) else { break }
            words += 1
            end = we
            if we + 1 < n && p[we] == 0x20 && piiIsUpper(p[we + 1]) { pos = we + 1 } else { break }
        }
        return end
    }

    func englishCueBefore(_ ws: Int) -> Bool {
        var k = ws
        var spaces = 0
        while k > 0 && (p[k - 1] == 0x20 || p[k - 1] == 0x09) && spaces < 3 { k -= 1; spaces += 1 }
        if k == ws { return false }
        if k > 0 && p[k - 1] == 0x3A {
            k -= 1
            while k > 0 && p[k - 1] == 0x20 { k -= 1 }
            if endsWith(cfg.englishColonCues, k) { return true }
        } else if endsWith(cfg.englishPlainCues, k) {
            return true
        }
        return koreanCueBefore(ws)
    }

    mutating func passport(_ ws: Int, _ we: Int) -> Bool {
        let len = we - ws
        let c0 = p[ws]
        if len == 9 && (c0 == 0x4D || c0 == 0x53 || c0 == 0x52 || c0 == 0x4F || c0 == 0x44 || c0 == 0x47 || c0 == 0x54) {
            var old = true
            for k in (ws + 1)..<we where !piiIsDigit(p[k]) { old = false; break }
            var new = piiIsUpper(p[ws + 4])
            if new {
                for k in [1, 2, 3, 5, 6, 7, 8] where !piiIsDigit(p[ws + k]) { new = false; break }
            }
            if old || new {
                add(.passportNumber, ws, we, validated: false, keep: 1)
                return true
            }
        }
        var k = ws
        while k < we && k - ws < 2 && piiIsUpper(p[k]) { k += 1 }
        let digits = we - k
        guard k > ws, digits >= 6, digits <= 8 else { return false }
        for j in k..<we where !piiIsDigit(p[j]) { return false }
        guard hasContext(.passportNumber, ws, we) else { return false }
        add(.passportNumber, ws, we, validated: false, keep: 1)
        return true
    }
}
