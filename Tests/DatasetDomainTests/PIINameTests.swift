import Testing
@testable import DatasetDomain

@Suite("PII names and false positives")
struct PIINameTests {
    typealias K = PIITestKit

    // MARK: Korean names

    @Test(arguments: [
        ("홍길동의 책", "[이름]의 책"),
        ("홍길동씨가 왔다", "[이름]씨가 왔다"),
        ("홍길동 씨가 왔다", "[이름] 씨가 왔다"),
        ("김철수 과장님께서 말씀하셨다", "[이름] 과장님께서 말씀하셨다"),
        ("김철수과장이 보고했다", "[이름]과장이 보고했다"),
        ("박영희 선생님의 수업", "[이름] 선생님의 수업"),
        ("이민호 기자 = 오늘", "[이름] 기자 = 오늘"),
        ("최지우 고객님 안녕하세요", "[이름] 고객님 안녕하세요"),
        ("정우성 교수는 말했다", "[이름] 교수는 말했다"),
        ("이름: 홍길동", "이름: [이름]"),
        ("성명 : 강감찬", "성명 : 강감찬"),   // 감 is not a given-name syllable
        ("성명 : 강민찬", "성명 : [이름]"),
        ("담당자 윤서연 (내선 1234)", "담당자 [이름] (내선 1234)"),
        ("제 이름은 김하늘입니다", "제 이름은 [이름]입니다"),
        ("고객명: 장동건", "고객명: [이름]"),
        ("작성자=한지민", "작성자=[이름]"),
        ("남궁민수 님", "[이름] 님"),
        ("황보혜정씨", "[이름]씨"),
        ("제갈성 대리", "[이름] 대리"),
        ("선우진 팀장", "[이름] 팀장"),
        ("김민씨 어디 가요?", "[이름]씨 어디 가요?"),
        ("이름: 김민", "이름: [이름]"),
        ("(김영수 부장)", "([이름] 부장)"),
        ("\"박지성\" 선수가", "\"박지성\" 선수가"),  // quote glued to name: no title directly after the name word
    ])
    func koreanNames(text: String, expected: String) {
        #expect(K.masked(text) == expected)
    }

    @Test func weakParticleNeedsEvidence() {
        // 은/는/이/가 alone are not enough …
        #expect(K.kinds("김민수는 학교에 갔다").isEmpty)
        #expect(K.kinds("이수진이 웃었다").isEmpty)
        // … but a name cue or a title nearby is.
        #expect(K.masked("담당 직원 안내: 김민수는 오늘 휴가입니다") == "담당 직원 안내: [이름]는 오늘 휴가입니다")
        #expect(K.masked("선생님 말씀으로는 김민수가 1등이다") == "선생님 말씀으로는 [이름]가 1등이다")
    }

    @Test func acceptedNameIsMaskedEverywhereInTheText() {
        #expect(K.masked("홍길동 과장은 출근했다. 홍길동은 회의 후 홍길동의 자리로 갔다.")
            == "[이름] 과장은 출근했다. [이름]은 회의 후 [이름]의 자리로 갔다.")
        // not inside a longer word
        #expect(K.masked("홍길동 씨. 홍길동전은 소설이다.") == "[이름] 씨. 홍길동전은 소설이다.")
    }

    @Test func shortNamesNeedStrongEvidence() {
        #expect(K.kinds("김민 과장").isEmpty)          // two syllables + separate title: too ambiguous
        #expect(K.kinds("김민의 책").isEmpty)
        #expect(K.kinds("김씨 아저씨").isEmpty)         // surname only
    }

    @Test(arguments: [
        "정부는 이번 조사에서 문제의 원인을 찾았다.",
        "한국 정부는 국가 경쟁력 강화를 위해 지원을 늘렸다.",
        "이후 주요 기업의 전문가들이 모였다.",
        "이상의 내용은 정보화 사업의 일부이다.",
        "전문가의 의견과 지도자의 결단이 필요하다.",
        "유명한 교수와 우수한 선생님이 함께했다.",
        "정도의 차이는 있지만 조선 시대의 문화를 보여 준다.",
        "신규 고객과 기존 고객 모두에게 안내했다.",
        "하나님의 사랑과 공주님의 이야기.",
        "연구원은 고객 정보를 안전하게 관리한다.",
        "선생님께서 학생들에게 숙제를 내 주셨다.",
        "동영상의 길이는 10분이고, 공무원의 업무는 많다.",
        "우리 팀장님은 오늘 회의에 참석하지 않는다.",
        "이제 과장님께 보고하겠습니다.",
        "신임 대표는 경제 기자 출신이다.",
        "지난해 연구원 120명이 2024년 3월에 입사했다.",
        "고객 지원 센터는 평일 9시부터 6시까지 운영합니다.",
        "주식 시장은 3.5% 하락했고 환율은 1,350원이었다.",
        "성장률은 2.1%로 예상되며 물가는 안정세다.",
        "이름을 입력하세요. 성명란은 비워 두지 마세요.",
        "서울시는 2023년 12월 31일까지 신청을 받는다.",
        "제주도 여행 예산은 1,200,000원입니다.",
    ])
    func ordinaryKoreanIsNotMasked(text: String) {
        #expect(K.findings(text).isEmpty, "\(K.spans(text))")
    }

    // MARK: English names

    @Test(arguments: [
        ("Please contact Mr. Smith today.", "Please contact Mr. [이름] today."),
        ("Dr. Jane Doe will see you.", "Dr. [이름] will see you."),
        ("Prof. KIM reviewed it.", "Prof. [이름] reviewed it."),
        ("Mrs Anna-Maria O'Brien called.", "Mrs [이름] called."),
        ("Hello, my name is Claude.", "Hello, my name is [이름]."),
        ("Name: Alice Walker", "Name: [이름]"),
        ("From: Robert Brown", "From: [이름]"),
        ("Dear Emily, thanks.", "Dear [이름], thanks."),
        ("Yesterday John Smith met Sarah Connor.", "Yesterday [이름] met [이름]."),
        ("John F. Kennedy spoke.", "[이름] spoke."),
        ("이름: John Smith", "이름: [이름]"),
        ("John Smith씨와 만났다", "[이름]씨와 만났다"),
    ])
    func englishNames(text: String, expected: String) {
        #expect(K.masked(text) == expected)
    }

    @Test(arguments: [
        "The University of Seoul opened a new Research Center in March.",
        "John went home.",                                    // first name alone is not enough
        "I met with the Board on Monday.",
        "Grace Hopper and Will Smith are famous.",           // Grace/Will are left out of the list
        "Mark the date: Street Fighter launches Friday.",
        "In New York, the Federal Reserve raised rates.",
        "The filename: Report.txt is missing.",
        "Apple Inc. and Samsung Electronics signed a deal.",
        "Call Me By Your Name is a film.",
        "Name the variable carefully.",
    ])
    func ordinaryEnglishIsNotMasked(text: String) {
        #expect(K.findings(text).isEmpty, "\(K.spans(text))")
    }

    @Test func namePreviewHidesAllButFirstLetter() {
        #expect(K.scanner.findings(in: "홍길동 씨").first?.preview == "홍**")
        #expect(K.scanner.findings(in: "Dr. Jane Doe").first?.preview == "J*** ***")
    }

    // MARK: mixed realistic text

    @Test func mixedChatTurn() {
        let text = """
        안녕하세요, 고객센터 상담원 이영희입니다. 김철수 고객님 본인 확인을 위해 \
        생년월일과 휴대폰 번호(010-1234-5678)를 확인했습니다. 환불은 신한은행 110-123-456789 계좌로 \
        입금됩니다. 문의는 help@shop.co.kr 또는 1588-1234로 주세요. Your agent is Ms. Park.
        """
        #expect(K.masked(text) == """
        안녕하세요, 고객센터 상담원 [이름]입니다. [이름] 고객님 본인 확인을 위해 \
        생년월일과 휴대폰 번호([전화번호])를 확인했습니다. 환불은 신한은행 [계좌번호] 계좌로 \
        입금됩니다. 문의는 [이메일] 또는 [전화번호]로 주세요. Your agent is Ms. [이름].
        """)
    }
}

extension PIITestKit {
    static func findings(_ text: String) -> [PIIFinding] { scanner.findings(in: text) }
}

extension PIINameTests {
    /// A few hundred words of ordinary Korean (news, notices, chat, code help):
    /// words like 정부, 이번, 이상, 지원, 조사, 문제, 국가, 한국, 이후, 주요,
    /// 원장님, 선배님, 서명란 must not be taken for names.
    static let koreanProse = """
        정부는 올해 하반기 경제 정책 방향을 발표하며 내수 활성화와 수출 회복에 집중하겠다고 밝혔다.
        이번 조사 결과에 따르면 응답자의 절반 이상이 현재 직장에 만족하지 않는다고 답했다.
        한국은행은 기준금리를 연 3.5%로 동결했으며, 물가 상승률이 안정될 때까지 긴축 기조를 유지할 방침이다.
        서울 지역 아파트 매매 가격은 지난주 대비 0.02% 상승해 3주 연속 오름세를 보였다.
        전문가들은 인공지능 기술이 의료, 교육, 금융 등 다양한 분야에서 활용될 것으로 내다봤다.
        주요 기업들의 2분기 실적이 예상보다 부진하면서 주가가 하락세를 보이고 있다.
        이상 기후로 인해 농산물 가격이 급등하자 정부는 비축 물량을 시장에 풀기로 했다.
        지원 대상은 만 19세 이상 34세 이하 청년이며, 신청은 다음 달 1일부터 가능하다.
        국가 경쟁력을 높이기 위해서는 연구 개발 투자를 꾸준히 확대해야 한다는 지적이 나온다.
        이후 문제가 된 부분은 수정되었고, 관련 공지는 홈페이지에 게시되었다.
        문제의 핵심은 데이터의 품질이 아니라 수집 과정의 투명성에 있다.
        정보화 시대에 개인정보 보호는 무엇보다 중요한 과제가 되었다.
        공무원 시험 경쟁률은 해마다 조금씩 낮아지는 추세이다.
        동영상 플랫폼의 이용 시간이 늘면서 광고 시장도 빠르게 재편되고 있다.
        연구원들은 새로운 소재를 개발하기 위해 수백 번의 실험을 반복했다.
        선생님은 학생들에게 방학 동안 책을 많이 읽으라고 당부하셨다.
        우리 회사는 매년 신입 사원을 대상으로 직무 교육을 실시한다.
        고객 만족도를 높이기 위해 상담 품질 평가 기준을 새로 마련했다.
        주민 센터에서 필요한 서류를 발급받을 수 있습니다.
        이 제품은 방수 기능이 있어 비 오는 날에도 사용할 수 있다.
        지난해 대비 매출이 15% 증가했고 영업이익은 두 배로 늘었다.
        한편 이날 행사에는 지역 주민 500여 명이 참석해 자리를 빛냈다.
        안전 점검 결과 일부 시설에서 보수가 필요한 것으로 나타났다.
        이번 업데이트에서는 성능 개선과 함께 여러 가지 버그가 수정되었습니다.
        정확한 원인은 아직 밝혀지지 않았으며, 경찰은 현장 감식을 진행 중이다.
        전체 인구 중 고령자 비율이 20%를 넘어 초고령 사회에 진입했다.
        유명 배우가 출연한 영화가 개봉 첫 주에 100만 관객을 돌파했다.
        신제품 출시 행사는 다음 주 화요일 오후 3시에 열린다.
        경기 침체가 장기화되면서 소상공인들의 어려움이 커지고 있다.
        그는 이 문제에 대해 더 이상 언급하지 않겠다고 말했다.
        정말 감사합니다. 덕분에 문제를 쉽게 해결할 수 있었어요.
        이 코드는 입력 배열을 정렬한 뒤 중복된 값을 제거합니다.
        설정 파일에서 경로를 수정한 후 서버를 다시 시작해 주세요.
        오늘 저녁에는 가족들과 함께 외식을 하기로 했다.
        기술 지원팀은 평일 오전 9시부터 오후 6시까지 운영됩니다.
        수업 시간에 배운 내용을 복습하는 것이 중요하다.
        여러분의 소중한 의견을 기다리고 있습니다.
        전문가 의견을 종합하면 내년 성장률은 2% 안팎이 될 전망이다.
        이사회는 신임 대표이사 선임 안건을 만장일치로 통과시켰다.
        하나의 모델로 여러 언어를 동시에 처리할 수 있다는 점이 장점이다.
        남성과 여성의 평균 임금 격차는 여전히 큰 편이다.
        고등학교 졸업 후 바로 취업하는 학생의 비율이 늘었다.
        정치권에서는 선거 제도 개편을 두고 논쟁이 이어지고 있다.
        방송사 관계자는 프로그램 편성이 변경될 수 있다고 전했다.
        주식 투자 시에는 분산 투자가 위험을 줄이는 방법이다.
        지도자의 역할은 구성원들이 같은 목표를 향해 나아가도록 돕는 것이다.
        안녕하세요 고객님, 주문하신 상품이 오늘 발송되었습니다.
        도서관은 매주 월요일 휴관하며 공휴일에는 단축 운영합니다.
        서비스 이용 약관이 변경되어 안내드립니다.
        공지사항을 반드시 확인해 주시기 바랍니다.
        이 경우에는 관리자에게 문의하세요.
        유지보수 비용이 예상보다 많이 들었다.
        한국어 교육 과정은 초급부터 고급까지 단계별로 구성되어 있다.
        정상 회담은 다음 달 서울에서 열릴 예정이다.
        조선 시대의 건축 양식을 잘 보여 주는 문화재이다.
        기자회견에서 장관은 구체적인 대책을 내놓지 못했다.
        성공적인 프로젝트를 위해서는 명확한 목표 설정이 필요하다.
        김치찌개와 된장찌개 중 무엇을 드시겠어요?
        이 문장은 이름이나 전화번호 같은 개인정보를 포함하지 않습니다.
        회원 가입 시 이름, 이메일, 비밀번호를 입력해야 합니다.
        담당 부서에 확인한 뒤 다시 연락드리겠습니다.
        신청서 작성자는 서명란에 서명해 주세요.
        성명란과 주소란은 반드시 기재해야 합니다.
        고객님의 소중한 개인정보는 안전하게 보호됩니다.
        진행 상황은 이메일로 안내해 드리겠습니다.
        연예인 관련 기사가 포털 메인을 장식했다.
        전문가들의 조언에 따르면 충분한 수면이 중요하다.
        우수 사원으로 선정된 직원에게는 포상금이 지급된다.
        신용 등급이 낮으면 대출 금리가 높아질 수 있다.
        주요 내용은 다음과 같습니다.
        이번 주 금요일까지 보고서를 제출해 주세요.
        지원자 여러분의 많은 관심 부탁드립니다.
        고객센터 운영 시간은 평일 09:00~18:00입니다.
        배송은 결제 후 2~3일 정도 소요됩니다.
        오류 코드 404는 페이지를 찾을 수 없다는 뜻이다.
        버전 1.2.3에서 새 기능이 추가되었습니다.
        2024년 1월 1일부터 새 요금제가 적용됩니다.
        총 금액은 125,000원이며 3개월 할부가 가능합니다.
        좌표는 37.5665, 126.9780입니다.
        모델의 정확도는 95.3%로 기존 대비 2.1%p 향상되었다.
        원장님께서 직접 진료해 주셨습니다.
        소장님이 현장을 둘러보셨다.
        차장님께 보고드렸어요.
        선배님 덕분에 많이 배웠습니다.
        조상님께 감사드립니다.
        임금님의 명령이었다.
        예수님의 가르침을 따르자.
        저는 조금 피곤해요.
        저는 정말 행복합니다.
        전 한국 사람이에요.
        난 천재야.
        제가 반장입니다.
        아까 정민이 왔었어.
        이번 주는 정말 바빴다.
        전화 주시면 안내해 드릴게요.
        주민등록등본 발급은 주민센터에서 가능합니다.
        조금 전 회의에서 지적된 사항입니다.
        문의 사항은 고객센터로 연락 주세요.
        """

    static let englishProse = """
        The quarterly report shows that revenue grew by 12 percent compared with the same period last year.
        Please restart the server after updating the configuration file in the root directory.
        In the United States, the Federal Reserve kept interest rates unchanged on Wednesday.
        Machine learning models require large amounts of labeled data to generalize well.
        The museum in New York will host a new exhibition on modern art starting in June.
        Click the Save button and then select Export to download the file as CSV.
        According to the World Health Organization, the risk remains low for most people.
        Our team at Google Cloud released version 2.4.1 with several bug fixes.
        The Supreme Court ruled in favor of the plaintiff in a landmark decision.
        Add two cups of flour and mix until the dough becomes smooth.
        He moved to San Francisco in 2015 and started working at a small startup.
        Visit our website for more information about pricing and availability.
        The Amazon River is the largest river in the world by discharge volume.
        Microsoft Teams and Slack are popular tools for workplace communication.
        The new iPhone features a faster chip and an improved camera system.
        Christmas Eve falls on a Sunday this year, so the office will close early on Friday.
        Harvard University announced a new scholarship program for international students.
        The Python function returns None when the input list is empty.
        Use Ctrl+C to copy and Ctrl+V to paste the selected text.
        The Eiffel Tower was completed in 1889 for the World's Fair.
        Jordan and Egypt signed a new trade agreement last week.
        Mercedes Benz reported strong sales in the European market.
        The Great Wall of China stretches thousands of kilometers.
        Professor emeritus status was granted after thirty years of service.
        Dear customer, your order has been shipped and will arrive within 3-5 business days.
        Thanks for your patience while we investigate the issue.
        The API returns HTTP 429 when the rate limit is exceeded.
        Lincoln Park is a popular neighborhood on the North Side of Chicago.
        """

    @Test func longKoreanProseHasNoFindings() {
        for line in Self.koreanProse.split(separator: "\n") {
            let text = String(line)
            #expect(K.findings(text).isEmpty, "\(text): \(K.spans(text))")
        }
        #expect(K.masked(Self.koreanProse) == Self.koreanProse)
    }

    @Test func longEnglishProseHasNoFindings() {
        for line in Self.englishProse.split(separator: "\n") {
            let text = String(line)
            #expect(K.findings(text).isEmpty, "\(text): \(K.spans(text))")
        }
    }

    @Test func selfIntroduction() {
        #expect(K.masked("안녕하세요 저는 김민준입니다.") == "안녕하세요 저는 [이름]입니다.")
        #expect(K.masked("제가 이서준이에요.") == "제가 [이름]이에요.")
        #expect(K.masked("제 이름은 박서연이에요.") == "제 이름은 [이름]이에요.")
        #expect(K.findings("저는 조금 피곤해요.").isEmpty)
        #expect(K.findings("제가 반장입니다.").isEmpty)
    }
}
