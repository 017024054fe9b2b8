import Testing
@testable import DatasetDomain

/// Shared helpers for the PII test files (namespaced to avoid clashes with sibling tests).
enum PIITestKit {
    static let scanner = PIIScanner()

    static func masked(_ text: String, _ scanner: PIIScanner = scanner) -> String {
        scanner.mask(text).text
    }

    static func kinds(_ text: String, _ scanner: PIIScanner = scanner) -> [PIIKind] {
        scanner.findings(in: text).map(\.kind)
    }

    /// The substrings covered by findings.
    static func spans(_ text: String, _ scanner: PIIScanner = scanner) -> [String] {
        let bytes = Array(text.utf8)
        return scanner.findings(in: text).map { String(decoding: bytes[$0.utf8Range], as: UTF8.self) }
    }

    static func finding(_ text: String, _ scanner: PIIScanner = scanner) -> PIIFinding? {
        let f = scanner.findings(in: text)
        return f.count == 1 ? f[0] : nil
    }
}

@Suite("PII scanner: seed, API, masking")
struct PIITests {
    @Test("seed: 홍길동의 주민등록번호는 123456-1234567입니다.")
    func seed() {
        let text = "홍길동의 주민등록번호는 123456-1234567입니다."
        let masked = PIIScanner().mask(text).text
        #expect(!masked.contains("홍길동"))
        #expect(!masked.contains("123456-1234567"))
        #expect(masked.contains("[이름]"))
        #expect(masked.contains("[주민등록번호]"))
        #expect(masked == "[이름]의 주민등록번호는 [주민등록번호]입니다.")
    }

    @Test func maskTokens() {
        #expect(PIIKind.residentRegistrationNumber.maskToken == "[주민등록번호]")
        #expect(PIIKind.foreignerRegistrationNumber.maskToken == "[외국인등록번호]")
        #expect(PIIKind.phoneNumber.maskToken == "[전화번호]")
        #expect(PIIKind.email.maskToken == "[이메일]")
        #expect(PIIKind.cardNumber.maskToken == "[카드번호]")
        #expect(PIIKind.businessRegistrationNumber.maskToken == "[사업자등록번호]")
        #expect(PIIKind.passportNumber.maskToken == "[여권번호]")
        #expect(PIIKind.driverLicenseNumber.maskToken == "[운전면허번호]")
        #expect(PIIKind.bankAccount.maskToken == "[계좌번호]")
        #expect(PIIKind.ipAddress.maskToken == "[IP]")
        #expect(PIIKind.koreanName.maskToken == "[이름]")
        #expect(PIIKind.englishName.maskToken == "[이름]")
        #expect(PIIKind.allMaskTokens.count == 11)
    }

    @Test func kindRawValuesAreStable() {
        #expect(PIIKind.allCases.map(\.rawValue) == [
            "rrn", "foreigner_rrn", "phone", "email", "card", "brn", "passport", "driver_license",
            "bank_account", "ip", "name_ko", "name_en",
        ])
    }

    @Test func findingsCarryNoRawPII() {
        let text = "주민번호 900101-1234568, 전화 010-1234-5678, 메일 hong.gildong@example.com, 카드 4111-1111-1111-1111"
        let f = PIIScanner().findings(in: text)
        #expect(f.map(\.kind) == [.residentRegistrationNumber, .phoneNumber, .email, .cardNumber])
        #expect(f.map(\.preview) == ["9001**-*******", "010-****-****", "h***********@*******.com", "4111-****-****-****"])
        #expect(f.map(\.validated) == [true, false, false, true])
        for finding in f {
            #expect(!finding.preview.contains("1234568"))
            #expect(!finding.preview.contains("5678"))
            #expect(!finding.preview.contains("gildong"))
        }
    }

    @Test func utf8RangesPointAtTheSpan() {
        let text = "연락처: 010-1234-5678 (김철수 과장)"
        let bytes = Array(text.utf8)
        let f = PIIScanner().findings(in: text)
        #expect(f.count == 2)
        #expect(String(decoding: bytes[f[0].utf8Range], as: UTF8.self) == "010-1234-5678")
        #expect(String(decoding: bytes[f[1].utf8Range], as: UTF8.self) == "김철수")
        #expect(f[1].preview == "김**")
        #expect(f[0].messageIndex == nil)
    }

    @Test func textOutsideSpansIsUntouched() {
        let text = "  앞부분 ✨ emoji 🙂 그리고 010-1234-5678\n다음 줄\t탭 끝  "
        #expect(PIITestKit.masked(text) == "  앞부분 ✨ emoji 🙂 그리고 [전화번호]\n다음 줄\t탭 끝  ")
    }

    @Test func noPIIReturnsTextUnchanged() {
        let text = "오늘 회의에서는 다음 분기 예산과 일정에 대해 논의했습니다. The meeting covered the Q3 budget."
        let r = PIIScanner().mask(text)
        #expect(r.text == text)
        #expect(r.findings.isEmpty)
        #expect(PIITestKit.masked("") == "")
    }

    @Test(arguments: [
        "홍길동의 주민등록번호는 123456-1234567입니다.",
        "고객 김민수님(010-9876-5432, minsu.kim@corp.co.kr)의 카드 5500-0000-0000-0004로 결제",
        "계좌 110-123-456789 그리고 신한 2222-333-444555, IP 10.0.0.1과 fe80::1ff:fe23:4567:890a",
        "Dear John Smith, your passport M12345678 and licence 11-22-123456-78 are on file. Contact Dr. Jane Doe.",
        "[이름] 님의 [전화번호]는 이미 마스킹되었습니다. [IP] [계좌번호] 1234-5678-9012",
        "사업자등록번호 220-81-62517, 외국인등록번호 900101-5123452, 주민 9001011234568",
    ])
    func maskingIsIdempotent(text: String) {
        let s = PIIScanner()
        let once = s.mask(text)
        let twice = s.mask(once.text)
        #expect(twice.text == once.text)
        #expect(twice.findings.isEmpty)
    }

    /// Deterministic pseudo-random mixes of PII, prose and glue characters:
    /// masking must equal "replace each finding's range by its token", be
    /// idempotent, and never trap on odd boundaries.
    @Test func randomFragmentsRoundTrip() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let fragments = [
            "홍길동", "과장", "님", "의", "씨", "이름:", "주민번호", "900101-1234568", "123456-1234567", "010-1234-5678",
            "01012345678", "+82 10-1234-5678", "4111 1111 1111 1111", "220-81-62517", "M12345678", "11-22-123456-78",
            "계좌", "110-123-456789", "192.168.0.1", "fe80::1ff:fe23:4567:890a", "a@b.co", "Mr. Smith", "John Smith",
            "정부", "이번", "조사", "The", "report", "2024", "3.14", "[이름]", "[IP]", "[", "]", "@", ":", "::", "+", "+82",
            "-", ".", " ", "  ", "\n", "😀", "é", "가", "1", "12", "0", "이", "김", "Dr.", "name is",
        ]
        let s = PIIScanner()
        for _ in 0..<400 {
            var text = ""
            for _ in 0..<(next(10) + 1) { text += fragments[next(fragments.count)] }
            let r = s.mask(text)
            let bytes = Array(text.utf8)
            var rebuilt: [UInt8] = []
            var last = 0
            for f in r.findings {
                #expect(f.utf8Range.lowerBound >= last, "\(text)")
                guard f.utf8Range.lowerBound >= last, f.utf8Range.upperBound <= bytes.count else { break }
                rebuilt += bytes[last..<f.utf8Range.lowerBound]
                rebuilt += Array(f.kind.maskToken.utf8)
                last = f.utf8Range.upperBound
            }
            rebuilt += bytes[min(last, bytes.count)...]
            #expect(String(decoding: rebuilt, as: UTF8.self) == r.text, "\(text)")
            #expect(s.mask(r.text).text == r.text, "\(text)")
        }
    }

    @Test func maskTokensAreNeverDetected() {
        let tokens = PIIKind.allMaskTokens.joined(separator: " ")
        #expect(PIIScanner().findings(in: tokens).isEmpty)
        #expect(PIIScanner().findings(in: "[이름]의 [이름]님 [이름] 과장").isEmpty)
    }

    @Test func rescanCatchesContextBroughtCloserByMasking() {
        // Second account is >20 characters from 계좌 in the input but within
        // the window once the first one shrinks to a token; mask() iterates so
        // the result is a fixed point and ranges still refer to the input.
        let text = "계좌 1002-123-456789 / 1002-987-654321 / 1002-555-666777"
        let s = PIIScanner()
        let r = s.mask(text)
        #expect(s.mask(r.text).text == r.text)
        let bytes = Array(text.utf8)
        for f in r.findings {
            let span = String(decoding: bytes[f.utf8Range], as: UTF8.self)
            #expect(span.hasPrefix("1002-"))
        }
    }

    @Test func overlapsResolveDeterministically() {
        // 13 plain digits: valid RRN and Luhn-valid card candidates on the same span → RRN wins (priority).
        let c = PIITestKit.kinds("번호 9001011234568")
        #expect(c == [.residentRegistrationNumber])
        // identical input → identical output
        let text = "홍길동 과장 010-1234-5678 hong@x.com 4111111111111111"
        #expect(PIIScanner().findings(in: text) == PIIScanner().findings(in: text))
    }

    @Test func chatSampleMasksEveryTurn() {
        let sample = ChatSample(
            id: "s1",
            messages: [
                ChatMessage(role: .system, content: "상담원 이영희 과장입니다."),
                ChatMessage(role: .user, content: "제 번호는 010-2222-3333이고 메일은 me@test.org 입니다."),
                ChatMessage(role: .assistant, content: "확인했습니다. 추가로 필요한 것이 있나요?"),
            ],
            metadata: SampleMetadata(source: "crm", extra: ["k": "\"v\""])
        )
        let r = PIIScanner().mask(sample)
        #expect(r.sample.id == "s1")
        #expect(r.sample.metadata == sample.metadata)
        #expect(r.sample.messages.map(\.role) == [.system, .user, .assistant])
        #expect(r.sample.messages[0].content == "상담원 [이름] 과장입니다.")
        #expect(r.sample.messages[1].content == "제 번호는 [전화번호]이고 메일은 [이메일] 입니다.")
        #expect(r.sample.messages[2].content == sample.messages[2].content)
        #expect(r.findings.map(\.messageIndex) == [0, 1, 1])
        #expect(r.findings.map(\.kind) == [.koreanName, .phoneNumber, .email])
        let content = Array(sample.messages[1].content.utf8)
        #expect(String(decoding: content[r.findings[1].utf8Range], as: UTF8.self) == "010-2222-3333")
    }

    @Test func optionsDisableKinds() {
        let text = "홍길동 과장 010-1234-5678 hong@x.com"
        let onlyPhone = PIIScanner(options: PIIOptions(enabledKinds: [.phoneNumber]))
        #expect(onlyPhone.mask(text).text == "홍길동 과장 [전화번호] hong@x.com")
        let noNames = PIIScanner(options: PIIOptions(enabledKinds: Set(PIIKind.allCases).subtracting([.koreanName, .englishName])))
        #expect(noNames.mask(text).text == "홍길동 과장 [전화번호] [이메일]")
    }

    @Test func optionsExtraContextWords() {
        let text = "회원번호 1234-5678-9012"
        #expect(PIITestKit.kinds(text).isEmpty)
        let s = PIIScanner(options: PIIOptions(extraContextWords: [.bankAccount: ["회원번호"]]))
        #expect(PIITestKit.kinds(text, s) == [.bankAccount])
    }

    @Test func optionsExtraNameStopWords() {
        let text = "김민준 과장님이 오셨습니다. The Victoria Secret show."
        #expect(PIITestKit.kinds(text) == [.koreanName, .englishName])
        let s = PIIScanner(options: PIIOptions(extraNameStopWords: ["김민준", "victoria secret"]))
        #expect(PIITestKit.kinds(text, s).isEmpty)
    }

    @Test func optionsExtraNameCues() {
        let text = "발표자 김민수, 다음 순서"
        #expect(PIITestKit.kinds(text).isEmpty)
        let s = PIIScanner(options: PIIOptions(extraContextWords: [.koreanName: ["발표자"]]))
        #expect(PIITestKit.masked(text, s) == "발표자 [이름], 다음 순서")
    }

    @Test func optionsContextWindow() {
        let text = "주민등록번호는 다음과 같습니다 아래를 참고하세요 123456-1234567"
        #expect(PIITestKit.kinds(text).isEmpty)
        let wide = PIIScanner(options: PIIOptions(contextWindow: 40))
        #expect(PIITestKit.kinds(text, wide) == [.residentRegistrationNumber])
    }

    @Test func scannerIsSendableAcrossTasks() async {
        let s = PIIScanner()
        let results = await withTaskGroup(of: String.self) { group in
            for i in 0..<8 {
                group.addTask { s.mask("고객 \(i)번 전화 010-1234-567\(i)").text }
            }
            var out: [String] = []
            for await r in group { out.append(r) }
            return out.sorted()
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0.contains("[전화번호]") })
    }
}
