import Testing
@testable import DatasetDomain

/// Deterministic word soup in Korean and English for dedup tests.
private struct DocGenerator {
    static let korean = """
    안녕하세요 오늘은 데이터를 모델의 학습에 필요한 방법을 설명해 드리겠습니다 먼저 그리고 하지만 따라서 그래서 이 문제는 \
    우리가 사용자에게 정확한 답변을 제공하기 위해서 중요합니다 서버에서 요청을 처리하는 과정에서 오류가 발생했습니다 \
    파일을 업로드한 후에 결과를 확인해 주세요 한국어 문장은 조사가 붙어서 형태소 분석이 필요합니다 예를 들어 사람들이 \
    자주 묻는 질문에 대한 답변을 정리했습니다 회의는 다음 주 월요일에 진행될 예정입니다 날씨가 좋아서 산책을 나갔습니다
    """.split(separator: " ").map(String.init)
    static let english = """
    the model should answer the question with a clear and concise explanation of how data pipelines work in practice \
    first we load the dataset then we remove duplicates and score every sample for quality before training begins \
    please make sure that the configuration file contains the correct path to the checkpoint and the tokenizer
    """.split(separator: " ").map(String.init)

    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func word() -> String {
        rng.next() % 10 < 6 ? Self.korean[Int(rng.next() % UInt64(Self.korean.count))]
            : Self.english[Int(rng.next() % UInt64(Self.english.count))]
    }

    mutating func text(words: Int) -> String {
        (0..<words).map { _ in word() }.joined(separator: " ")
    }

    /// Replaces each word with probability `fraction`.
    mutating func mutate(_ text: String, fraction: Double) -> String {
        text.split(separator: " ").map { w in
            Double(rng.next() % 1_000_000) / 1_000_000 < fraction ? word() : String(w)
        }.joined(separator: " ")
    }

    mutating func unit() -> Double { Double(rng.next() % 1_000_000) / 1_000_000 }
}

/// Exact Jaccard of the shingle sets, computed from Strings (independent of
/// the hashing path).
private func exactJaccard(_ a: String, _ b: String, n: Int = MinHasher.defaultShingleSize) -> Double {
    func shingles(_ t: String) -> Set<String> {
        let s = Array(TextNormalizer.normalize(t).unicodeScalars)
        if s.isEmpty { return [] }
        if s.count < n { return [String(String.UnicodeScalarView(s))] }
        return Set((0...(s.count - n)).map { String(String.UnicodeScalarView(s[$0..<($0 + n)])) })
    }
    let x = shingles(a), y = shingles(b)
    let union = x.union(y).count
    return union == 0 ? 1 : Double(x.intersection(y).count) / Double(union)
}

@Suite struct TextNormalizerTests {
    @Test func foldsCaseWhitespaceAndInvisibles() {
        #expect(TextNormalizer.normalize("  Hello,\t\tWORLD \n ") == "hello, world")
        #expect(TextNormalizer.normalize("씨\u{200B}발 a\u{00A0}\u{3000}b\u{FEFF}") == "씨발 a b")
        #expect(TextNormalizer.normalize("ＡＢＣ１２３！") == "abc123!")
        #expect(TextNormalizer.normalize("\u{201C}Quote\u{201D} \u{2018}x\u{2019} a\u{2014}b \u{2026}") == "\"quote\" 'x' a-b ...")
        #expect(TextNormalizer.normalize("ÀÉÎ ĀĞŁ ΑΒΓ АБВ Ё") == "àéî āğł αβγ абв ё")
        #expect(TextNormalizer.normalize("\u{0007}bell\u{0085}nel") == "bell nel")
        #expect(TextNormalizer.normalize("") == "")
        #expect(TextNormalizer.normalize(" \u{200B} ") == "")
    }

    @Test func composesDecomposedHangul() {
        // "한글" in NFD: ᄒ ᅡ ᆫ ᄀ ᅳ ᆯ
        let nfd = "\u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF}"
        #expect(TextNormalizer.normalize(nfd) == "한글")
        #expect(TextNormalizer.normalize("가\u{11A8}") == "각")
        // A lone jamo or one separated by a space is left alone.
        #expect(TextNormalizer.normalize("\u{1112} \u{1161}") == "\u{1112} \u{1161}")
        #expect(TextNormalizer.normalize("ㅋㅋㅋ") == "ㅋㅋㅋ")
    }

    @Test func isIdempotentAndOutputsMatch() {
        var gen = DocGenerator(seed: 3)
        let extras = ["\u{200B}", "  ", "\u{3000}", "Ａ", "\u{2019}", "\u{1100}\u{1161}", "É", "\t", "\u{2026}"]
        for _ in 0..<200 {
            var t = gen.text(words: 12)
            for _ in 0..<4 {
                let i = t.index(t.startIndex, offsetBy: Int(gen.rng.next() % UInt64(t.count)))
                t.insert(contentsOf: extras[Int(gen.rng.next() % UInt64(extras.count))], at: i)
            }
            let n = TextNormalizer.normalize(t)
            #expect(TextNormalizer.normalize(n) == n)
            #expect(TextNormalizer.normalizedUTF8(t) == Array(n.utf8))
            #expect(TextNormalizer.normalizedScalars(t) == n.unicodeScalars.map(\.value))
        }
    }
}

@Suite struct ExactDuplicateTests {
    @Test func keyMatchesMurmur3ReferenceValues() {
        // Expected values from Python `mmh3.hash_bytes(normalized.encode()).hex()`.
        #expect(ExactDuplicateKey(text: "").hex == "00000000000000000000000000000000")
        #expect(ExactDuplicateKey(text: "hello world").hex == "0e617feb46603f53b163eb607d4697ab")
        #expect(ExactDuplicateKey(text: "안녕하세요 반갑습니다").hex == "7db865b96eccc278379fc52d86d0e9a0")
        let k = ExactDuplicateKey(text: "The quick brown fox jumps over the lazy dog. 빠른 갈색 여우!")
        #expect(k.hex == "5b683b41fc9154e63aa5a9b473c10f0f")
        #expect(k.h1 == 0xe654_91fc_413b_685b && k.h2 == 0x0f0f_c173_b4a9_a53a)
    }

    @Test func normalizationVariantsAreExactDuplicates() {
        let base = "안녕하세요. How are you today?"
        let variants = [
            "  안녕하세요.   how ARE you today?\n",
            "안녕하세요.\u{200B} How are you today?",
            "\u{110B}\u{1161}\u{11AB}\u{1102}\u{1167}\u{11BC}하세요. How are you today?",  // NFD 안녕
            "안녕하세요． Ｈow are you today？",
        ]
        var finder = ExactDuplicateFinder<Int>()
        #expect(finder.check(0, text: base) == .unique)
        for (i, v) in variants.enumerated() {
            #expect(ExactDuplicateKey(text: v) == ExactDuplicateKey(text: base), "variant \(i)")
            #expect(finder.check(i + 1, text: v) == .duplicate(of: 0, similarity: 1))
        }
        #expect(finder.check(9, text: "안녕하세요. How are you tonight?") == .unique)
        #expect(finder.check(10, text: "안녕하세요. How are you tonight?").original == 9)
        #expect(finder.uniqueCount == 2)
    }

    @Test func sampleKeyUsesJoinedText() {
        let s = ChatSample(id: "a", messages: [ChatMessage(role: .user, content: "Hi"), ChatMessage(role: .assistant, content: "Hello")])
        #expect(ExactDuplicateKey(sample: s) == ExactDuplicateKey(text: "hi hello"))
    }
}

@Suite struct MinHashTests {
    @Test func signatureMatchesIndependentReference() {
        // Expected values from an independent Python implementation of the
        // documented algorithm (SplitMix64 parameters, packed-window keys,
        // v = A·x + B mod 2^64, lanes hi/lo).
        let sig = MinHasher().signature(of: "The quick brown fox jumps over the lazy dog. 빠른 갈색 여우!")
        #expect(sig.count == 128)
        #expect(Array(sig.values.prefix(8)) == [0x5ec63b, 0x143a73d, 0x159ae0d, 0x3293d2e, 0x2034709, 0x7504bc3, 0xf5bf37, 0x3c982cd])
        #expect(sig.values.reduce(UInt32(0), &+) == 0x7156a267)
        #expect(Array(MinHasher().shingleKeys(of: "The quick brown fox jumps over the lazy dog. 빠른 갈색 여우!").prefix(3))
            == [0x4e761a55, 0x25a443aa, 0x1837620d])

        let short = MinHasher(numPermutations: 7, shingleSize: 5, seed: 42).signature(of: "짧다")
        #expect(short.values == [0xd2c7ae34, 0x20b640e7, 0xbbff7cad, 0xe0921bd0, 0x8637cccd, 0xbb1a77c2, 0x3e379bac])
    }

    @Test func deterministicAndSeeded() {
        let text = "데이터 중복 제거는 학습 품질에 중요합니다. Dedup matters."
        #expect(MinHasher().signature(of: text) == MinHasher().signature(of: text))
        #expect(MinHasher(seed: 2).signature(of: text) != MinHasher().signature(of: text))
        #expect(MinHasher().signature(of: text) == MinHasher().signature(of: "  데이터 중복 제거는 학습 품질에 중요합니다.\nDEDUP matters. "))
    }

    @Test func emptyAndShortTexts() {
        let h = MinHasher()
        #expect(h.signature(of: "").values == [UInt32](repeating: .max, count: 128))
        #expect(h.signature(of: " \u{200B} ").values == [UInt32](repeating: .max, count: 128))
        #expect(h.shingleKeys(of: "abc").count == 1)
        #expect(h.shingleKeys(of: "abcde").count == 1)
        #expect(h.shingleKeys(of: "abcdef").count == 2)
        #expect(h.signature(of: "abc").jaccardEstimate(h.signature(of: "abc")) == 1)
        #expect(h.signature(of: "abc").jaccardEstimate(h.signature(of: "abd")) < 0.1)
    }

    @Test func fingerprintCombinesBoth() {
        let h = MinHasher()
        let t = "Fingerprint 테스트 문장입니다."
        let f = h.fingerprint(of: t)
        #expect(f.exactKey == ExactDuplicateKey(text: t))
        #expect(f.signature == h.signature(of: t))
    }

    @Test func shingleSizesOneToSix() {
        let t = "가나다라마바사아자차카타파하 abcdefghij"
        for n in 1...6 {
            let h = MinHasher(numPermutations: 16, shingleSize: n)
            let scalars = Array(TextNormalizer.normalize(t).unicodeScalars)
            let keys = h.shingleKeys(of: t)
            #expect(keys.count == scalars.count - n + 1)
            // Equal windows give equal keys, different windows different keys.
            var byWindow: [String: UInt32] = [:]
            for (i, key) in keys.enumerated() {
                let w = String(String.UnicodeScalarView(scalars[i..<(i + n)]))
                if let prev = byWindow[w] { #expect(prev == key) } else { byWindow[w] = key }
            }
            #expect(Set(byWindow.values).count == byWindow.count)
        }
    }

    /// Estimates vs exact Jaccard on random pairs spanning J ≈ 0…1: every
    /// error within the documented bound, no bias, and a mean squared error
    /// matching J(1−J)/k (lanes behave as independent permutations).
    @Test func estimatesTrackExactJaccard() {
        var gen = DocGenerator(seed: 11)
        let hasher = MinHasher()
        let bound = MinHasher.errorBound(numPermutations: 128)
        #expect(abs(bound - 0.15) < 1e-9)
        var signedSum = 0.0, squaredSum = 0.0, varianceSum = 0.0
        var worst = 0.0
        let pairs = 300
        for _ in 0..<pairs {
            let a = gen.text(words: 40 + Int(gen.rng.next() % 120))
            let b = gen.mutate(a, fraction: gen.unit() * 0.6)
            let exact = exactJaccard(a, b)
            let estimate = hasher.signature(of: a).jaccardEstimate(hasher.signature(of: b))
            let err = estimate - exact
            worst = max(worst, abs(err))
            signedSum += err
            squaredSum += err * err
            varianceSum += exact * (1 - exact) / 128
        }
        #expect(worst <= bound, "worst error \(worst)")
        #expect(abs(signedSum / Double(pairs)) < 0.01, "bias \(signedSum / Double(pairs))")
        let ratio = squaredSum / varianceSum
        #expect(ratio > 0.6 && ratio < 1.5, "MSE / theoretical variance = \(ratio)")
    }

    @Test func unrelatedDocumentsEstimateNearZero() {
        var gen = DocGenerator(seed: 5)
        let h = MinHasher()
        for _ in 0..<50 {
            let a = gen.text(words: 150), b = gen.text(words: 150)
            let exact = exactJaccard(a, b)
            #expect(abs(h.signature(of: a).jaccardEstimate(h.signature(of: b)) - exact) <= 0.15)
        }
    }
}

@Suite struct LSHTests {
    @Test func optimalParametersMatchDatasketch() {
        // (bands, rows) from datasketch 2.0 `_optimal_param(t, 128, w_fp, w_fn)` (scipy quad).
        #expect(LSHParameters.optimal(threshold: 0.8, numPermutations: 128, falsePositiveWeight: 0.5, falseNegativeWeight: 0.5) == LSHParameters(bands: 9, rows: 13))
        #expect(LSHParameters.optimal(threshold: 0.5, numPermutations: 128, falsePositiveWeight: 0.5, falseNegativeWeight: 0.5) == LSHParameters(bands: 25, rows: 5))
        #expect(LSHParameters.optimal(threshold: 0.7, numPermutations: 128, falsePositiveWeight: 0.5, falseNegativeWeight: 0.5) == LSHParameters(bands: 14, rows: 9))
        #expect(LSHParameters.optimal(threshold: 0.9, numPermutations: 128, falsePositiveWeight: 0.5, falseNegativeWeight: 0.5) == LSHParameters(bands: 5, rows: 25))
        #expect(LSHParameters.optimal(threshold: 0.8, numPermutations: 128, falsePositiveWeight: 0.1, falseNegativeWeight: 0.9) == LSHParameters(bands: 14, rows: 9))
        #expect(LSHParameters.optimal(threshold: 0.8, numPermutations: 128, falsePositiveWeight: 0.2, falseNegativeWeight: 0.8) == LSHParameters(bands: 12, rows: 10))
        #expect(LSHParameters.optimal(threshold: 0.85, numPermutations: 256, falsePositiveWeight: 0.2, falseNegativeWeight: 0.8) == LSHParameters(bands: 16, rows: 16))
        // Defaults and the documented candidate probabilities.
        let p = NearDuplicateFinder<Int>().parameters
        #expect(p == LSHParameters(bands: 14, rows: 9))
        #expect(abs(p.candidateProbability(jaccard: 0.5) - 0.027) < 0.001)
        #expect(abs(p.candidateProbability(jaccard: 0.7) - 0.438) < 0.001)
        #expect(abs(p.candidateProbability(jaccard: 0.8) - 0.867) < 0.001)
        #expect(abs(p.candidateProbability(jaccard: 0.9) - 0.999) < 0.001)
        // Areas vs datasketch's scipy.quad values.
        let d = LSHParameters(bands: 9, rows: 13)
        #expect(abs(d.falsePositiveArea(threshold: 0.8) - 0.025311863203367216) < 1e-6)
        #expect(abs(d.falseNegativeArea(threshold: 0.8) - 0.033282136012204096) < 1e-6)
    }

    @Test func indexReturnsSharedBandCandidates() {
        var gen = DocGenerator(seed: 8)
        let h = MinHasher()
        var lsh = MinHashLSH<String>()
        let a = gen.text(words: 120)
        let b = gen.text(words: 120)
        lsh.insert("a", signature: h.signature(of: a))
        lsh.insert("b", signature: h.signature(of: b))
        lsh.insert("a2", signature: h.signature(of: a))
        #expect(lsh.count == 3)
        #expect(lsh.query(h.signature(of: a)) == ["a", "a2"])
        #expect(lsh.query(h.signature(of: b)) == ["b"])
        #expect(lsh.query(h.signature(of: gen.text(words: 120))).isEmpty)
    }

    /// ~20 % planted near duplicates (light edits of earlier samples): few
    /// misses, and no sample is matched to something that is not similar.
    @Test func findsPlantedNearDuplicates() {
        var gen = DocGenerator(seed: 21)
        let h = MinHasher()
        var texts: [String] = []
        var source: [Int?] = []
        for i in 0..<1000 {
            if i > 20 && gen.rng.next() % 5 == 0 {
                var s = Int(gen.rng.next() % UInt64(texts.count))
                while let root = source[s] { s = root }
                texts.append(gen.mutate(texts[s], fraction: 0.02))
                source.append(s)
            } else {
                texts.append(gen.text(words: 80 + Int(gen.rng.next() % 150)))
                source.append(nil)
            }
        }
        var finder = NearDuplicateFinder<Int>()
        var planted = 0, strong = 0, foundStrong = 0, wrong = 0, missedAny = 0
        for (i, t) in texts.enumerated() {
            let verdict = finder.check(i, signature: h.signature(of: t))
            if let s = source[i] {
                planted += 1
                let j = exactJaccard(t, texts[s])
                if j >= 0.9 {
                    strong += 1
                    if verdict.isDuplicate { foundStrong += 1 }
                }
                if !verdict.isDuplicate { missedAny += 1 }
            }
            if let original = verdict.original, exactJaccard(t, texts[original]) < 0.7 { wrong += 1 }
        }
        #expect(planted > 150)
        #expect(strong > planted / 2)
        #expect(Double(foundStrong) >= 0.97 * Double(strong), "found \(foundStrong) of \(strong) with J ≥ 0.9")
        #expect(Double(missedAny) <= 0.1 * Double(planted), "missed \(missedAny) of \(planted)")
        #expect(wrong == 0)
        #expect(finder.keptCount == texts.count - (planted - missedAny))
    }

    @Test func duplicateOfReportsBestEarlierMatch() {
        var gen = DocGenerator(seed: 4)
        let h = MinHasher()
        let a = gen.text(words: 150)
        var finder = NearDuplicateFinder<String>()
        #expect(finder.check("a", signature: h.signature(of: a)) == .unique)
        #expect(finder.check("other", signature: h.signature(of: gen.text(words: 150))) == .unique)
        let verdict = finder.check("a-copy", signature: h.signature(of: a + " 감사합니다"))
        #expect(verdict.original == "a")
        if case .duplicate(_, let similarity) = verdict { #expect(similarity >= 0.8) }
        #expect(finder.keptCount == 2)
    }
}
