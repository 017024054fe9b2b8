/// Word lists and the small lookup structures the byte scanner uses.
///
/// Everything is matched on UTF-8 bytes. ASCII entries are stored lower-case
/// and compared case-insensitively; Hangul entries are compared exactly.
/// Lookups that run on the hot path use bitsets over the 11,172 Hangul
/// syllables or an open-addressing table keyed by FNV-1a (never Swift's
/// per-process-seeded `Hasher`, so results are identical in every process).

// MARK: - Lookup structures

/// Owns the bit words of a `PIISyllableSet` (manual allocation so that the hot
/// loop reads them through a plain pointer, without reference counting).
final class PIIBitStorage: @unchecked Sendable {
    let ptr: UnsafeMutablePointer<UInt64>

    init(_ words: [UInt64]) {
        ptr = .allocate(capacity: words.count)
        ptr.initialize(from: words, count: words.count)
    }

    deinit { ptr.deallocate() }
}

/// Set of precomposed Hangul syllables (U+AC00–U+D7A3) as a bitset.
struct PIISyllableSet: @unchecked Sendable {
    private let storage: PIIBitStorage
    /// Valid as long as this set (or a copy of it) is alive.
    let bits: UnsafePointer<UInt64>

    init(_ syllables: String) {
        self.init(scalars: syllables.unicodeScalars.map(\.value))
    }

    init(scalars: [UInt32]) {
        var b = [UInt64](repeating: 0, count: (11_172 + 63) / 64)
        for v in scalars where v >= 0xAC00 && v <= 0xD7A3 {
            let i = Int(v - 0xAC00)
            b[i >> 6] |= 1 << UInt64(i & 63)
        }
        storage = PIIBitStorage(b)
        bits = UnsafePointer(storage.ptr)
    }

    @inline(__always)
    func contains(_ scalar: UInt32) -> Bool { piiSyllableBit(bits, scalar) }
}

@inline(__always)
func piiSyllableBit(_ bits: UnsafePointer<UInt64>, _ scalar: UInt32) -> Bool {
    let i = Int(scalar &- 0xAC00)
    guard i >= 0, i < 11_172 else { return false }
    return bits[i >> 6] & (1 << UInt64(i & 63)) != 0
}

/// Exact-match set of byte strings (ASCII folded to lower case when asked).
/// Entries live in one flat buffer; lookups hash with FNV-1a and probe linearly.
struct PIIByteSet: Sendable {
    private let table: [Int32]
    private let flat: [UInt8]
    private let starts: [Int]
    private let mask: Int
    private let foldASCII: Bool

    init<S: Sequence>(_ words: S, foldASCII: Bool) where S.Element == String {
        var list: [[UInt8]] = []
        for w in words {
            let bytes = Array(w.utf8).map { foldASCII ? piiLowerASCII($0) : $0 }
            if !bytes.isEmpty, !list.contains(bytes) { list.append(bytes) }
        }
        var size = 16
        while size < list.count * 3 { size <<= 1 }
        var t = [Int32](repeating: -1, count: size)
        var f: [UInt8] = []
        var st: [Int] = []
        for (idx, e) in list.enumerated() {
            var h = Int(truncatingIfNeeded: piiFNV1a(e) & UInt64(size - 1))
            while t[h] >= 0 { h = (h + 1) & (size - 1) }
            t[h] = Int32(idx)
            st.append(f.count)
            f.append(contentsOf: e)
        }
        st.append(f.count)
        table = t
        flat = f
        starts = st
        mask = size - 1
        self.foldASCII = foldASCII
    }

    func contains(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in start..<end {
            let b = foldASCII ? piiLowerASCII(p[k]) : p[k]
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        var slot = Int(truncatingIfNeeded: h & UInt64(mask))
        let len = end - start
        while true {
            let idx = Int(table[slot])
            if idx < 0 { return false }
            let es = starts[idx]
            if starts[idx + 1] - es == len {
                var same = true
                for k in 0..<len where (foldASCII ? piiLowerASCII(p[start + k]) : p[start + k]) != flat[es + k] {
                    same = false
                    break
                }
                if same { return true }
            }
            slot = (slot + 1) & mask
        }
    }
}

@inline(__always)
func piiLowerASCII(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

func piiFNV1a(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
}

func piiUTF8Words(_ words: [String], foldASCII: Bool = true) -> [[UInt8]] {
    words.map { w in Array(w.utf8).map { foldASCII ? piiLowerASCII($0) : $0 } }
}

/// Splits a whitespace-separated word list.
func piiWordList(_ s: String) -> [String] {
    s.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
}

/// A list of words with first/last-character filters, so that "does a word
/// start (or end) here" and "is a word near here" reject most positions with
/// one bit test before comparing any bytes. Words are stored longest first.
struct PIIWordList: Sendable {
    /// The words, longest first (construction-time use).
    let words: [[UInt8]]
    /// The same words in one flat buffer: word `i` is `flat[starts[i]..<starts[i + 1]]`.
    private let flat: [UInt8]
    private let starts: [Int]
    /// First/last character keys (see `piiCharKey`), sorted; ties keep the
    /// longest-first order. `firstOrder[i]` is the word index for `firstKeys[i]`.
    private let firstKeys: [UInt32]
    private let firstOrder: [Int]
    private let lastKeys: [UInt32]
    private let lastOrder: [Int]
    private let firstSyl: PIISyllableSet
    private let lastSyl: PIISyllableSet
    private let firstASCII: (UInt64, UInt64)
    private let lastASCII: (UInt64, UInt64)
    /// Some word starts/ends with a character that is neither ASCII nor a Hangul syllable.
    private let firstOther: Bool
    private let lastOther: Bool

    init(_ raw: [[UInt8]]) {
        var list: [[UInt8]] = []
        for w in raw where !w.isEmpty && !list.contains(w) { list.append(w) }
        list.sort { $0.count > $1.count }
        words = list
        var f: [UInt8] = []
        var st: [Int] = []
        for w in list {
            st.append(f.count)
            f.append(contentsOf: w.map(piiLowerASCII))
        }
        st.append(f.count)
        flat = f
        starts = st
        let firsts = list.indices.map { (key: piiWordKey(list[$0], at: 0), idx: $0) }.sorted { ($0.key, $0.idx) < ($1.key, $1.idx) }
        firstKeys = firsts.map(\.key)
        firstOrder = firsts.map(\.idx)
        let lasts = list.indices.map { i -> (key: UInt32, idx: Int) in
            var c = list[i].count - 1
            while c > 0 && list[i][c] & 0xC0 == 0x80 { c -= 1 }
            return (piiWordKey(list[i], at: c), i)
        }.sorted { ($0.key, $0.idx) < ($1.key, $1.idx) }
        lastKeys = lasts.map(\.key)
        lastOrder = lasts.map(\.idx)
        var fs: [UInt32] = [], ls: [UInt32] = []
        var fa: (UInt64, UInt64) = (0, 0), la: (UInt64, UInt64) = (0, 0)
        var fo = false, lo = false
        for w in list {
            if w[0] < 0x80 {
                piiMaskSet(&fa, piiLowerASCII(w[0]))
            } else if let v = piiSyllable(w, 0) {
                fs.append(v)
            } else {
                fo = true
            }
            if w[w.count - 1] < 0x80 {
                piiMaskSet(&la, piiLowerASCII(w[w.count - 1]))
            } else if w.count >= 3, let v = piiSyllable(w, w.count - 3) {
                ls.append(v)
            } else {
                lo = true
            }
        }
        firstSyl = PIISyllableSet(scalars: fs)
        lastSyl = PIISyllableSet(scalars: ls)
        firstASCII = fa
        lastASCII = la
        firstOther = fo
        lastOther = lo
    }

    var isEmpty: Bool { words.isEmpty }

    /// Length of the longest word equal to `p[k..<k+len]` with `k + len <= limit`
    /// (ASCII case-insensitive), or nil. Only words whose first character
    /// equals the one at `k` are compared (binary search on `firstKeys`).
    func prefixLength(_ p: UnsafeBufferPointer<UInt8>, _ k: Int, _ limit: Int) -> Int? {
        let key = piiCharKey(p, k)
        var i = piiLowerBound(firstKeys, key)
        while i < firstKeys.count && firstKeys[i] == key {
            let w = firstOrder[i]
            let ws = starts[w]
            let len = starts[w + 1] - ws
            if k + len <= limit {
                var j = 0
                while j < len && piiLowerASCII(p[k + j]) == flat[ws + j] { j += 1 }
                if j == len { return len }
            }
            i += 1
        }
        return nil
    }

    /// Start of the longest word ending exactly at `k` (ASCII
    /// case-insensitive); an ASCII word must start at a word boundary
    /// (`filename:` does not end with the cue `name`).
    func suffixStart(_ p: UnsafeBufferPointer<UInt8>, _ k: Int) -> Int? {
        guard k > 0 else { return nil }
        var c = k - 1
        while c > 0 && p[c] & 0xC0 == 0x80 { c -= 1 }
        let key = piiCharKey(p, c)
        var i = piiLowerBound(lastKeys, key)
        while i < lastKeys.count && lastKeys[i] == key {
            let w = lastOrder[i]
            let ws = starts[w]
            let len = starts[w + 1] - ws
            i += 1
            guard len <= k else { continue }
            let cs = k - len
            var j = 0
            while j < len && piiLowerASCII(p[cs + j]) == flat[ws + j] { j += 1 }
            guard j == len else { continue }
            let f = flat[ws]
            if (f | 0x20) &- 0x61 < 26 && cs > 0 && (p[cs - 1] | 0x20) &- 0x61 < 26 { continue }
            return cs
        }
        return nil
    }

    /// Whether a word may start with the character whose first byte is `b0`
    /// (`scalar`: its value when it is a Hangul syllable).
    @inline(__always)
    func mayStart(_ b0: UInt8, _ scalar: UInt32?) -> Bool {
        if b0 < 0x80 { return piiMaskTest(firstASCII, piiLowerASCII(b0)) }
        if let v = scalar { return firstSyl.contains(v) || firstOther }
        return firstOther
    }

    @inline(__always)
    func mayEnd(_ b: UInt8, _ scalar: UInt32?) -> Bool {
        if b < 0x80 { return piiMaskTest(lastASCII, piiLowerASCII(b)) }
        if let v = scalar { return lastSyl.contains(v) || lastOther }
        return lastOther
    }
}

@inline(__always)
private func piiMaskSet(_ m: inout (UInt64, UInt64), _ b: UInt8) {
    if b < 64 { m.0 |= 1 << UInt64(b) } else { m.1 |= 1 << UInt64(b - 64) }
}

@inline(__always)
private func piiMaskTest(_ m: (UInt64, UInt64), _ b: UInt8) -> Bool {
    b < 64 ? m.0 & (1 << UInt64(b)) != 0 : (b < 128 ? m.1 & (1 << UInt64(b - 64)) != 0 : false)
}

/// Key of the character starting at `k`: the lower-cased byte for ASCII,
/// otherwise the Unicode scalar value (input is valid UTF-8).
@inline(__always)
func piiCharKey(_ p: UnsafeBufferPointer<UInt8>, _ k: Int) -> UInt32 {
    let b0 = p[k]
    if b0 < 0x80 { return UInt32(piiLowerASCII(b0)) }
    let n = p.count
    if b0 < 0xE0 { return k + 1 < n ? (UInt32(b0 & 0x1F) << 6) | UInt32(p[k + 1] & 0x3F) : UInt32(b0) }
    if b0 < 0xF0 {
        return k + 2 < n ? (UInt32(b0 & 0x0F) << 12) | (UInt32(p[k + 1] & 0x3F) << 6) | UInt32(p[k + 2] & 0x3F) : UInt32(b0)
    }
    guard k + 3 < n else { return UInt32(b0) }
    return (UInt32(b0 & 0x07) << 18) | (UInt32(p[k + 1] & 0x3F) << 12) | (UInt32(p[k + 2] & 0x3F) << 6) | UInt32(p[k + 3] & 0x3F)
}

func piiWordKey(_ w: [UInt8], at k: Int) -> UInt32 {
    w.withUnsafeBufferPointer { piiCharKey($0, k) }
}

@inline(__always)
func piiLowerBound(_ a: [UInt32], _ key: UInt32) -> Int {
    var lo = 0
    var hi = a.count
    while lo < hi {
        let mid = (lo + hi) >> 1
        if a[mid] < key { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// The Hangul syllable encoded at `w[i..<i+3]`, or nil.
func piiSyllable(_ w: [UInt8], _ i: Int) -> UInt32? {
    guard i + 2 < w.count, w[i] >= 0xEA, w[i] <= 0xED else { return nil }
    let v = (UInt32(w[i] & 0x0F) << 12) | (UInt32(w[i + 1] & 0x3F) << 6) | UInt32(w[i + 2] & 0x3F)
    return v >= 0xAC00 && v <= 0xD7A3 ? v : nil
}


// MARK: - Built-in vocabulary

enum PIILexicon {
    // Korean names ---------------------------------------------------------

    /// Common single-syllable surnames (the large majority of Koreans). Very
    /// rare surnames that are also frequent word starts (어, 두, 부, 사, 상,
    /// 시, 당…) are left out on purpose.
    static let surnames = PIISyllableSet("""
    김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진지엄채원천방공현함변염여추도소석선설마길연위표명기반라나왕금옥육인맹제모탁국은편용예경봉태피
    """)

    /// First syllables of two-syllable surnames; the pair is checked against `compoundSurnames`.
    static let compoundSurnameFirst = PIISyllableSet("남황제선독사서")
    static let compoundSurnames = PIIWordList(piiUTF8Words(piiWordList("남궁 황보 제갈 선우 독고 사공 서문"), foldASCII: false))

    /// Syllables common in Korean given names. A candidate's given-name
    /// syllables must all be in this set; syllables that are mostly word
    /// parts (의, 이, 한, 구, 국, 사 …) are deliberately absent.
    static let givenNameSyllables = PIISyllableSet("""
    가강건겸경광규균근금기길나남늘다단담대덕도동라란람래량려련령례로록룡루류륜률리린림만명무문미민배백범별병보복봉분빈빛산상새서석선설섭성세소솔송수숙순슬승시식신심아안애양여연영예오옥완용우욱운웅원월위유윤율은익인일자장재정제종주준중지진찬창채철춘충태택필하학해향혁현협형혜호홍화환황효후훈휘희
    """)

    /// Final syllables that make a 3-syllable candidate look like a common
    /// noun (정보화, 전문성, 연예인, 지도자 …); such candidates need strong
    /// evidence (a title, an honorific or a cue), `의` or a particle is not enough.
    static let nounLikeFinal = PIISyllableSet("화적률식형상도가자인성란")

    /// Ordinary words that look like surname + given name. Exact match on the candidate span.
    static let nameStopWords: [String] = piiWordList("""
    이상 이제 이후 이전 이번 이미 이용 이유 이해 이익 이하 이동 이성 이원 이자 이수 이래 이기 이보 이어 이루 이주 이혼 이민 이명 이산 이념 이윤 이송 이장 이진 이식 이중 이경 이지 이론 이화
    이용자 이상형 이상한 이동식 이동성 이중성 이상은 이동은 이성은 이미지
    정부 정도 정보 정리 정상 정신 정원 정의 정해 정말 정석 정성 정수 정식 정지 정진 정화 정유 정기 정규 정당 정문 정주 정오 정서 정복 정예 정명 정월 정향 정답 정산 정가 정액 정형 정선 정세 정순 정숙 정연
    정보화 정보원 정상화 정규화 정도는 정도가 정신과 정원은 정진은
    조사 조선 조금 조정 조직 조성 조건 조심 조용 조화 조기 조원 조명 조례 조치 조세 조류 조합 조정안 조용한 조선일보
    한국 한번 한편 한계 한정 한해 한류 한방 한글 한참 한도 한강 한동안 한가운데 한국인 한국어 한의원 한복판 한동안은
    국가 국민 국내 국제 국회 국립 국어 국정 국토 국방
    신청 신규 신임 신용 신문 신호 신고 신체 신경 신세계 신선 신기 신비 신학 신인 신라 신화 신속 신중 신형 신설 신성 신선한 신성한 신용도 신세
    전문 전체 전국 전화 전략 전기 전자 전혀 전환 전시 전통 전쟁 전세 전문가 전임 전원 전부 전후 전주 전설 전진 전문성 전문화 전세계 전환점 전성기
    고객 고용 고민 고려 고등 고성 고향 고유 고정 고속 고위 고급 고수 고통 고래 고대 고려대 고도화 고효율 고성능 고명 고인 고지 고장 고화질 고혈압
    문제 문화 문의 문서 문자 문학 문명 문장 문헌 문화재 문제점 문단
    주요 주의 주민 주장 주제 주식 주변 주소 주로 주인 주택 주도 주말 주문 주위 주거 주최 주년 주기 주목 주간 주행 주인공 주도권 주요한 주석
    지원 지역 지금 지난 지방 지도 지식 지정 지하 지적 지속 지대 지구 지수 지연 지인 지침 지표 지원자 지도자 지방세 지역구 지진 지명 지성 지점 지형 지선 지위 지하철 지원금 지경
    기업 기간 기술 기존 기준 기록 기본 기대 기억 기관 기능 기회 기자 기도 기후 기초 기념 기부 기사 기상 기여 기원 기한 기계 기온 기존의 기록은 기준은 기호 기획 기자회견 기성 기타 기류 기명 기장 기법 기준일
    장관 장기 장소 장애 장치 장면 장비 장점 장르 장학 장인 장원 장모 장남 장녀 장래 장례 장수 장시간 장애인
    성장 성과 성공 성인 성능 성격 성별 성적 성분 성향 성형 성경 성명 성함 성실 성숙 성숙한 성장률 성인용
    연구 연락 연결 연예 연말 연도 연기 연속 연간 연대 연휴 연설 연장 연애 연구원 연예인 연기자 연주 연합 연령 연봉 연말정산 연수 연습
    안전 안정 안내 안녕 안경 안심 안정성 안정적 안보 안전성 안과 안주
    오늘 오후 오전 오래 오류 오직 오랜 오염 오일 오랫동안 오히려 오해 오명 오피스
    유지 유명 유행 유일 유럽 유형 유학 유리 유통 유출 유의 유아 유료 유사 유명인 유명한 유일한 유용 유용성 유연 유연화 유연성 유산 유지비 유가 유효 유도
    우리 우선 우수 우주 우려 우승 우편 우대 우유 우연 우리나라 우수한 우승자 우선순위 우체국 우울 우위
    원래 원인 원칙 원자 원고 원장 원하는 원리 원문 원가 원금 원활 원정 원화
    서울 서로 서명 서류 서버 서부 서해 서양 서민 서식 서약 서비스 서울시 서적 서점 서술 서운
    현재 현장 현실 현금 현지 현대 현상 현황 현안 현대화 현행 현명 현명한 현존
    강조 강화 강의 강력 강남 강원 강동 강서 강도 강사 강자 강원도 강수 강연 강제 강성 강점 강진
    황금 홍보 홍수 홍콩 홍차 박사 박물관 박수 박람회 박자
    최근 최고 최대 최소 최초 최종 최신 최선 최적 최소화 최대화 최신화 최악 최저 최상 최후
    윤리 임시 임금 임대 임원 임신 임기 임명 임상 임무
    남성 남자 남편 남부 남북 남쪽 남해 남미 남아 남녀 남산
    여성 여자 여행 여러 여름 여부 여기 여유 여건 여론 여지 여의도 여파 여가 여행자 여성용 여전히
    도시 도입 도움 도로 도구 도전 도중 도서 도착 도대체 도자기 도시화 도서관 도민 도지사 도심
    소비 소득 소재 소개 소리 소식 소아 소유 소중 소설 소문 소규모 소송 소장 소중한 소화 소방 소수 소형 소원 소자
    선수 선택 선거 선물 선생 선정 선진 선배 선호 선언 선박 선진화 선명 선명한 선별 선순환 선임 선행 선착순 선상
    설명 설치 설정 설계 설문 설립 설날 설비 설화
    명예 명령 명확 명의 명단 명성 명소 명시 명칭 명절
    방송 방법 방향 방문 방식 방안 방지 방학 방송인 방송국 방해 방영 방수
    공주 공원 공개 공공 공동 공사 공식 공연 공유 공장 공정 공항 공무원 공간 공급 공부 공모 공인 공정성 공화 공지 공휴일 공감
    왕자 왕국 왕비 왕실
    하나 하나님 하루 하지 하기 하면 하고 하여 하는 하자 하락 하반기 하향 하위 하수
    동안 동시 동의 동물 동네 동생 동일 동기 동료 동원 동영상 동해 동부 동남아 동창 동화 동향 동아 동작 동반 동참
    위원 위원회 위해 위치 위험 위기 위주 위반 위성 위임 위안
    금융 금지 금액 금년 금리 금연 금속
    변화 변경 변호 변수 변동 변형
    나라 나중 나이 나머지 나무 나라는
    마음 마지막 마련 마치 마을 마케팅 마스크 마침 마감 마무리
    차이 차량 차원 차례 차별 차세대
    구조 구성 구체 구매 구역 구입 구청 구간 구도 구상 구현
    민주 민간 민원 민족 민법 민주화 민주주의 민생 민영화
    진행 진짜 진단 진출 진실 진정 진료 진보 진화 진정한 진정성 진지한 진주 진도
    채용 채널 채권 채소
    천국 천재 천천히 천연
    노력 노동 노인 노래 노선 노출 노후 노동자 노사 노트북
    손해 손님 손실 손가락 손상
    배우 배경 배달 배송 배출 배려 배치 배상
    백성 백화점 백신 백만
    허가 허용 심사 심리 심각 심장 심지어 심화
    반면 반응 반대 반드시 반영 반도체 반환 반도
    모두 모든 모습 모양 모델 모임 모집 모바일 모국 모범
    제공 제품 제도 제한 제일 제시 제출 제안 제주 제외 제작 제기 제대로 제조 제목 제주도 제정 제약 제보 제휴
    경우 경제 경찰 경기 경험 경영 경쟁 경로 경향 경고 경상 경력 경주 경기도 경영자 경제성 경상도 경매 경선 경희
    용도 용어 용기 용량 용인
    예정 예산 예상 예약 예전 예술 예방 예시 예수 예술가 예비
    태도 태양 태풍 태어 태국
    편리 편의 편지 편집
    인간 인기 인구 인정 인터넷 인사 인상 인식 인원 인하 인재 인류 인도 인생 인천 인증 인근 인수 인권 인공
    표현 표준 표시 표준화 표정
    라면 라인 길이 피해 피부 피고 추진 추가 추천 추석 추정 추억 추세
    양국 양식 양성 양측 양해 양도 양자 양호 엄마 엄청 육아 육성 옥상 은행 은퇴 은혜 탁월
    봉사 봉지 맹인 국회의원 함께 함수 함정 황제 황후 곽지
    원장 소장 차장 국장 반장 동장 조장 방장 선배 조상 임금 경위 경장 제수 도령 여신 신령 서명 서명란 성명란 주소란 기재란 주소
    """)

    /// Titles and honorifics that follow a name, in the same word or the
    /// next one (홍길동씨, 홍길동 과장님). Longest first.
    static let koreanTitles = piiSortedLongestFirst("""
    씨 님 군 양 선생님 선생 교수님 교수 박사님 박사 과장님 과장 대리님 대리 부장님 부장 차장님 차장 팀장님 팀장 실장님 실장
    사장님 사장 회장님 회장 이사님 이사 상무님 상무 전무님 전무 대표님 대표 원장님 원장 기자 고객님 고객 주임님 주임 사원
    선배님 선배 후배 변호사님 변호사 세무사 회계사 의원님 의원 장관 총장 감독님 감독 선수 작가님 작가 위원장 위원 센터장
    매니저님 매니저 간호사 환자분 환자 학생 할머니 할아버지 여사님 여사 교감 교장 목사님 목사 신부님 신부 수녀님 스님 집사님
    장로님 소장님 소장 본부장님 본부장 국장님 국장 반장 조교 강사님 강사 연구원 대위 중위 소위 병장 상병 일병 이병 하사 중사
    배우 가수 아나운서 캐스터 셰프 코치 주무관 사무관 서기관 검사 판사 경감 경위 경사 경장 순경
    """)

    /// Titles that may also be attached to a two-syllable name (김민씨, 이준님).
    static let attachedHonorifics = piiSortedLongestFirst("씨 님 군")

    /// Particles / copulas that may follow a name or a title.
    static let koreanParticles = piiSortedLongestFirst("""
    이 가 은 는 을 를 의 에 에게 에게서 께 께서 한테 와 과 도 만 로 으로 이랑 랑 하고 처럼 보다 부터 까지 이다 입니다 이에요 예요
    이었 였 이고 이며 이나 나 요 들 이라고 라고 이라는 라는 이지 이죠 이가
    """)

    /// Particles after a bare name that count only as weak evidence.
    static let weakParticles = piiSortedLongestFirst("""
    이 가 은 는 을 를 에게 에게서 께서 한테 와 과 도 이랑 랑 하고 처럼 보다 이다 입니다 이에요 예요 이라고 라고 이라는 라는
    """)

    /// Self-introduction cues (`저는 홍길동입니다`): they count only when the
    /// name is followed by a copula from `selfIntroEndings`.
    static let selfIntroCues = PIIWordList(piiUTF8Words(piiWordList("저는 나는 전 난 제가 내가"), foldASCII: false))
    static let selfIntroEndings = piiSortedLongestFirst("입니다 이에요 예요 이고요 이고 이라고 라고 이라는 라는 이야 야 이다 입니당 임")

    /// Words that introduce a name (이름: 홍길동, 담당자 홍길동, 이름은 홍길동입니다).
    static let koreanNameCues: [String] = piiWordList("""
    이름 성명 성함 담당자 담당 고객명 고객 작성자 신청인 신청자 예금주 수취인 수령인 수신인 발신인 보호자 환자명 환자
    대표자 대표이사 피보험자 계약자 명의자 가입자 회원명 학생명 저자 지은이 글쓴이 보낸사람 받는사람 보내는사람 받는분 보내는분
    상담원 직원 제보자 연락처 본명 실명 기자
    """)

    // English names --------------------------------------------------------

    static let englishHonorifics = PIIByteSet(piiWordList("mr mrs ms miss mx dr prof sir madam"), foldASCII: true)

    /// Cues that need no colon (`my name is`, `named`, `Dear`).
    static let englishPlainCues: [[UInt8]] = piiUTF8Words(["my name is", "name is", "named", "name's", "dear", "i am called", "call me", "signed"])
    /// Cues followed by a colon (`Name: Jane Doe`, `From: John Smith`).
    static let englishColonCues: [[UInt8]] = piiUTF8Words(piiWordList("""
    name fullname surname firstname lastname contact customer author patient applicant recipient sender from to cc attn
    """) + ["full name", "first name", "last name", "given name", "contact person"])

    /// Common English first names. Names that are mostly ordinary words
    /// (Will, May, June, April, Bill, Hope, Joy, Grace, Rose, Faith …) are left
    /// out to protect prose.
    static let englishFirstNames = PIIByteSet(piiWordList("""
    james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony donald steven paul andrew
    joshua kenneth kevin brian george edward ronald timothy jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
    scott brandon benjamin samuel gregory frank alexander raymond patrick dennis jerry tyler aaron jose adam henry nathan douglas
    zachary peter kyle walter ethan jeremy harold keith christian roger noah gerald carl terry sean austin arthur lawrence jesse dylan
    bryan joe jordan billy bruce albert willie gabriel logan alan juan wayne roy ralph randy eugene vincent russell elijah louis bobby
    philip johnny tom mike chris dave steve tony jim bob sam ben alex max lucas liam oliver mason leo owen luke isaac hunter connor
    evan ian jake mark jack harry charlie oscar james daniel sophia
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley kimberly emily
    donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda
    pamela emma nicole helen samantha katherine christine debra rachel carolyn janet catherine maria heather diane ruth julie olivia
    joyce virginia victoria kelly lauren christina joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa ann
    sara madison frances kathryn janice abigail alice julia judy isabella denise danielle beverly theresa diana natalie brittany
    charlotte marie kayla alexis lori mia ava chloe lily ella zoe sophie kate jane jenny anne lucy alicia tina emilia amelia harper
    evelyn abby jessie megan nora claire audrey leah stella hazel aurora violet sofia ellie madeline
    """), foldASCII: true)

    /// Capitalised words that end a name or can't be a surname.
    static let englishStopWords = PIIByteSet(piiWordList("""
    the a an and or but nor so yet i in on at to for of with from by is are was were be been it its this that these those he she we
    they you my your his her our their me him them us if then than when where while who whom which what why how not no yes as into
    about after before over under again all any each few more most other some such only own same too very can will just should now
    mr mrs ms dr prof monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december street st road rd avenue ave boulevard blvd lane drive university college school institute
    academy inc corp corporation company co ltd llc group bank hospital clinic center centre city county state river lake mountain
    mount airport station hotel church foundation award prize day festival cup series lab labs team club museum library
    square hall building tower bridge north south east west new said says told asked thanks thank please hello hi dear
    here there today tomorrow yesterday also however therefore according during because although since until
    """), foldASCII: true)

    // Context words per kind ----------------------------------------------

    static let contextWords: [PIIKind: [String]] = [
        .residentRegistrationNumber: ["주민", "주민등록", "주민번호", "주민등록번호", "rrn", "resident", "resident registration", "ssn", "social security"],
        .foreignerRegistrationNumber: ["외국인", "외국인등록", "외국인번호", "외국인등록번호", "foreigner", "alien registration", "arc"],
        .phoneNumber: ["전화", "연락처", "핸드폰", "휴대폰", "휴대전화", "tel", "phone", "mobile", "fax", "팩스"],
        .cardNumber: ["카드", "신용카드", "체크카드", "card", "credit", "visa", "master", "amex"],
        .businessRegistrationNumber: ["사업자", "사업자등록", "사업자번호", "등록번호", "business registration", "brn", "tax id"],
        .passportNumber: ["여권", "여권번호", "passport"],
        .driverLicenseNumber: ["면허", "운전면허", "면허번호", "driver", "licence", "license"],
        .bankAccount: [
            "계좌", "통장", "입금", "송금", "이체", "예금주", "은행", "뱅크", "국민", "신한", "우리", "하나", "농협", "기업", "카카오뱅크",
            "토스뱅크", "케이뱅크", "새마을", "우체국", "수협", "신협", "씨티", "sc제일", "산업", "부산", "대구", "경남", "광주", "전북",
            "제주", "ibk", "kb", "nh", "account", "bank", "acct", "iban", "routing",
        ],
        .ipAddress: [],
        .email: [],
        .koreanName: [],
        .englishName: [],
    ]

    /// Region names that may precede a driver licence number (서울 12-345678-90).
    static let licenceRegions = PIIWordList(piiUTF8Words(piiWordList("""
    서울 부산 경기 강원 충북 충남 전북 전남 경북 경남 제주 대구 인천 광주 대전 울산 세종 경기남부 경기북부
    """), foldASCII: false))
}

func piiSortedLongestFirst(_ s: String) -> PIIWordList {
    PIIWordList(piiWordList(s).map { Array($0.utf8) })
}
