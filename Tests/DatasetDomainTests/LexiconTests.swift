import Testing
@testable import DatasetDomain

@Suite struct ToxicityLexiconTests {
    let lexicon = ToxicityLexicon()

    @Test func builtInKoreanAndEnglishHits() {
        let hits = lexicon.scan("야 이 병신아, 씨발 진짜. What the FUCK, you idiot!")
        #expect(hits.contains(LexiconHit(category: "insult", term: "병신", count: 1)))
        #expect(hits.contains(LexiconHit(category: "profanity", term: "씨발", count: 1)))
        #expect(hits.contains(LexiconHit(category: "profanity", term: "fuck*", count: 1)))
        #expect(hits.contains(LexiconHit(category: "insult", term: "idiot*", count: 1)))
        #expect(hits == hits.sorted())
    }

    @Test func countsRepeatedMatches() {
        let hits = lexicon.scan("존나 좋다 존나 빠르다 존나")
        #expect(hits == [LexiconHit(category: "profanity", term: "존나", count: 3)])
    }

    @Test func cleanAndInnocentTextHasNoHits() {
        #expect(lexicon.scan("안녕하세요. 오늘 회의는 세 시에 시작합니다. Thanks for the classy assessment!").isEmpty)
        // Words that contain, or are, listed strings only by accident.
        #expect(lexicon.scan("그 영화는 보지 않았다. 늦게 자지 마. 위기가 닥쳐오고 있다. fire retardant, shiitake, Dickens").isEmpty)
        #expect(lexicon.scan("서울이 시발점이고 부산이 종점입니다.").isEmpty)
        #expect(lexicon.scan("").isEmpty)
    }

    @Test func wordBoundariesForASCIITerms() {
        #expect(lexicon.scan("shitty code").map(\.term) == ["shitty"])
        #expect(lexicon.scan("bullshitting").isEmpty)  // "bullshit" needs a right boundary
        #expect(lexicon.scan("stop bitching").map(\.term) == ["bitch*"])
        #expect(lexicon.scan("motherfucker").map(\.term) == ["motherfuck*"])
    }

    @Test func evasionsAreNormalizedAway() {
        #expect(lexicon.scan("씨\u{200B}발").map(\.term) == ["씨발"])
        #expect(lexicon.scan("ＦＵＣＫ").map(\.term) == ["fuck*"])
        #expect(lexicon.scan("\u{110A}\u{1175}\u{1107}\u{1161}\u{11AF}").map(\.term) == ["씨발"])  // NFD
        #expect(lexicon.scan("ㅅㅂ").map(\.term) == ["ㅅㅂ"])
    }

    @Test func biasPhrasesAcrossWhitespace() {
        let hits = lexicon.scan("솔직히 여자는   원래 수학을 못해. Also, Women are\nnaturally worse drivers.")
        #expect(hits.contains(LexiconHit(category: "bias", term: "여자는 원래", count: 1)))
        #expect(hits.contains(LexiconHit(category: "bias", term: "women are naturally", count: 1)))
    }

    @Test func userTermsExtendCategories() {
        let custom = ToxicityLexicon(
            extraTerms: ["profanity": ["젠장"], "spam": ["무료 쿠폰", "click here*"]],
            allowTerms: ["젠장맞을 날씨"])
        #expect(custom.categories.contains("spam") && custom.categories.contains("profanity"))
        let hits = custom.scan("젠장! 무료 쿠폰 받으세요, CLICK HEREEE. 씨발")
        #expect(hits.contains(LexiconHit(category: "profanity", term: "젠장", count: 1)))
        #expect(hits.contains(LexiconHit(category: "spam", term: "무료 쿠폰", count: 1)))
        #expect(hits.contains(LexiconHit(category: "spam", term: "click here*", count: 1)))
        #expect(hits.contains(LexiconHit(category: "profanity", term: "씨발", count: 1)))
        #expect(custom.scan("젠장맞을 날씨").isEmpty)
        // Built-ins can be left out.
        let only = ToxicityLexicon(extraTerms: ["spam": ["무료 쿠폰"]], includeBuiltIn: false)
        #expect(only.categories == ["spam"])
        #expect(only.scan("씨발 무료 쿠폰") == [LexiconHit(category: "spam", term: "무료 쿠폰", count: 1)])
    }

    @Test func termsInOtherScripts() {
        let l = ToxicityLexicon(extraTerms: ["profanity": ["scheiße", "クソ"]])
        let hits = l.scan("Das ist SCHEIßE. これはクソだ。 漢字 😀 ㅅㅂ")
        #expect(hits.contains(LexiconHit(category: "profanity", term: "scheiße", count: 1)))
        #expect(hits.contains(LexiconHit(category: "profanity", term: "クソ", count: 1)))
        #expect(hits.contains(LexiconHit(category: "profanity", term: "ㅅㅂ", count: 1)))
        #expect(hits.count == 3)
    }

    @Test func sameTermInTwoCategoriesReportsBoth() {
        let l = ToxicityLexicon(extraTerms: ["a": ["foo"], "b": ["FOO"]], includeBuiltIn: false)
        #expect(l.scan("foo") == [LexiconHit(category: "a", term: "foo", count: 1), LexiconHit(category: "b", term: "FOO", count: 1)])
    }

    @Test func overlappingTermsAllMatch() {
        let l = ToxicityLexicon(extraTerms: ["x": ["he", "she", "his", "hers"]], includeBuiltIn: false)
        let hits = l.scan("ushers")
        // Classic Aho–Corasick example; "he" needs a boundary on the left, so only
        // terms starting at a word start count — none here.
        #expect(hits.isEmpty)
        let open = ToxicityLexicon(extraTerms: ["x": ["*he*", "*she*", "*his*", "*hers*"]], includeBuiltIn: false)
        #expect(open.scan("ushers").map(\.term) == ["*he*", "*hers*", "*she*"])
    }

    @Test func sampleScanSumsTurns() {
        let s = ChatSample(id: "1", messages: [
            ChatMessage(role: .user, content: "이 개새끼야"),
            ChatMessage(role: .assistant, content: "욕설은 삼가 주세요. 개새끼 같은 표현은 안 됩니다."),
        ])
        #expect(lexicon.scan(s) == [LexiconHit(category: "profanity", term: "개새끼", count: 2)])
        var summary = LexiconSummary()
        summary.add(lexicon.scan(s))
        summary.add([])
        var other = LexiconSummary()
        other.add(lexicon.scan("kill you, idiot"))
        summary.merge(other)
        #expect(summary.samples == 3 && summary.flaggedSamples == 2)
        #expect(summary.hitsByCategory["profanity"] == 2)
        #expect(summary.samplesByCategory["violence"] == 1 && summary.samplesByCategory["insult"] == 1)
    }
}
