import Testing
@testable import DatasetDomain

private func sample(_ turns: [(ChatRole, String)]) -> ChatSample {
    ChatSample(id: "s", messages: turns.map { ChatMessage(role: $0.0, content: $0.1) })
}

private let goodAnswer = """
데이터셋의 품질을 높이려면 먼저 중복을 제거하고, 너무 짧거나 깨진 샘플을 걸러내야 합니다. \
그 다음 각 샘플의 길이와 어휘 다양성을 확인하세요. For English data the same rules apply: remove \
near duplicates, check the length distribution, and look at a few random samples by hand before training.
"""

@Suite struct QualityScorerTests {
    let scorer = QualityScorer()

    @Test func cleanSampleScoresHighWithNoFlags() {
        let s = scorer.score(sample([(.system, "You are a helpful assistant."), (.user, "데이터 품질은 어떻게 관리하나요?"), (.assistant, goodAnswer)]))
        #expect(s.flags.isEmpty)
        #expect(s.score > 0.95)
        #expect(s.components.length == 1)
        #expect(s.components.noise == 1)
        #expect(s.components.distinct1 > 0.7)
        #expect(s.passes(minScore: 0.5))
    }

    @Test func emptyTurn() {
        let s = scorer.score(sample([(.user, "질문이 있습니다. 데이터 품질을 어떻게 측정하나요?"), (.assistant, "  \n\u{200B} ")]))
        #expect(s.flags.contains(QualityFlag.emptyTurn))
        #expect(s.score <= 0.5)
        #expect(scorer.score(ChatSample(id: "e", messages: [])).flags.contains(QualityFlag.emptyTurn))
    }

    @Test func brokenHangul() {
        // Replacement characters from a bad decode.
        let fffd = scorer.score(sample([(.user, "질문"), (.assistant, "안녕하세요 \u{FFFD}\u{FFFD} 데이터를 확인했습니다. " + goodAnswer)]))
        #expect(fffd.flags.contains(QualityFlag.brokenHangul))
        #expect(fffd.components.noiseCharacters == 2)
        // Stray conjoining jamo (a leading consonant with no vowel).
        let stray = scorer.score(sample([(.user, "질문"), (.assistant, "데이터\u{1100} 확인 " + goodAnswer)]))
        #expect(stray.flags.contains(QualityFlag.brokenHangul))
        // Valid NFD Hangul is not broken.
        let nfd = scorer.score(sample([(.user, "질문"), (.assistant, "\u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF} " + goodAnswer)]))
        #expect(!nfd.flags.contains(QualityFlag.brokenHangul))
        // Mostly compatibility jamo ("ㅋㅋㅋㅋ ㅠㅠ") is broken; a little in a long text is not.
        let jamo = scorer.score(sample([(.user, "질문 있어요"), (.assistant, "ㅋㅋㅋㅋ ㅠㅠ 네 알겠어요")]))
        #expect(jamo.flags.contains(QualityFlag.brokenHangul))
        let someJamo = scorer.score(sample([(.user, "질문"), (.assistant, goodAnswer + " ㅎㅎ")]))
        #expect(!someJamo.flags.contains(QualityFlag.brokenHangul))
    }

    @Test func repeatedCharacters() {
        let s = scorer.score(sample([(.user, "질문"), (.assistant, goodAnswer + " 와아아아아아아아아아아아아아아아 !!!!!!!!!!!!!!!")]))
        #expect(s.flags.contains(QualityFlag.repeatedChars))
        #expect(s.components.noise < 1)
        let nine = scorer.score(sample([(.user, "질문"), (.assistant, goodAnswer + " 와아아아아아아아아아")]))
        #expect(!nine.flags.contains(QualityFlag.repeatedChars))
    }

    @Test func tooShortAndTooLong() {
        let short = scorer.score(sample([(.user, "hi"), (.assistant, "네")]))
        #expect(short.flags.contains(QualityFlag.tooShort))
        #expect(short.components.length < 0.1)
        var cfg = QualityScorer.Configuration()
        cfg.maxCharacters = 500
        cfg.idealMaxCharacters = 200
        let long = QualityScorer(configuration: cfg).score(sample([(.user, "질문"), (.assistant, goodAnswer + goodAnswer + goodAnswer)]))
        #expect(long.flags.contains(QualityFlag.tooLong))
        #expect(long.components.length == 0.3)
    }

    @Test func lowDiversity() {
        let loop = Array(repeating: "the model is good", count: 30).joined(separator: " ")
        let s = scorer.score(sample([(.user, "Is the model good?"), (.assistant, loop)]))
        #expect(s.flags.contains(QualityFlag.lowDiversity))
        #expect(s.components.distinct2 < 0.2)
        #expect(s.components.diversity < 0.5)
        #expect(s.score < scorer.score(sample([(.user, "Is the model good?"), (.assistant, goodAnswer)])).score)
    }

    @Test func echo() {
        let question = "How do I remove near duplicates from a Korean chat dataset before fine-tuning?"
        let s = scorer.score(sample([(.user, question), (.assistant, "how do I remove near duplicates from a Korean chat dataset before fine tuning")]))
        #expect(s.flags.contains(QualityFlag.echo))
        #expect(s.score <= 0.5)
        let shortEcho = scorer.score(sample([(.user, "안녕하세요"), (.assistant, "안녕하세요!")]))
        #expect(shortEcho.flags.contains(QualityFlag.echo))
        // Quoting the question and then answering is not an echo.
        let quoted = scorer.score(sample([(.user, question), (.assistant, "\"\(question)\" — " + goodAnswer)]))
        #expect(!quoted.flags.contains(QualityFlag.echo))
    }

    @Test func flagsComeInCanonicalOrder() {
        let s = scorer.score(sample([(.user, "ㅋㅋㅋㅋ"), (.assistant, "")]))
        #expect(s.flags == QualityFlag.all.filter { s.flags.contains($0) })
        #expect(s.flags.contains(QualityFlag.emptyTurn) && s.flags.contains(QualityFlag.tooShort))
    }

    @Test func summaryAccumulatesAndMerges() {
        let scores = [
            scorer.score(sample([(.user, "질문"), (.assistant, goodAnswer)])),
            scorer.score(sample([(.user, "hi"), (.assistant, "")])),
            scorer.score(sample([(.user, "질문입니다 잘 부탁드립니다"), (.assistant, "ㅋㅋㅋㅋ ㅠㅠ")])),
            scorer.score(sample([(.user, "질문"), (.assistant, goodAnswer + " 아아아아아아아아아아아아")])),
        ]
        var all = QualitySummary(minScore: 0.5)
        var w1 = QualitySummary(minScore: 0.5), w2 = QualitySummary(minScore: 0.5)
        for (i, s) in scores.enumerated() {
            all.add(s)
            if i % 2 == 0 { w1.add(s) } else { w2.add(s) }
        }
        let merged = w1.merged(with: w2)
        #expect(merged.count == 4 && all.count == 4)
        #expect(merged.histogram == all.histogram)
        #expect(merged.flagCounts == all.flagCounts)
        #expect(merged.passed == all.passed)
        #expect(abs(merged.mean! - all.mean!) < 1e-12)
        #expect(merged.min == all.min && merged.max == all.max)
        #expect(all.histogram.reduce(0, +) == 4)
        #expect(all.mean! == scores.map(\.score).reduce(0, +) / 4)
        #expect(all.passed == scores.filter { $0.passes(minScore: 0.5) }.count)
        #expect(all.flagCounts[QualityFlag.emptyTurn] == 1)
        #expect(QualitySummary().mean == nil)
        #expect(QualitySummary.bin(1.0) == 9 && QualitySummary.bin(0.0) == 0 && QualitySummary.bin(0.55) == 5)
    }
}
