/// Public vocabulary of the PII component: what kinds of personal data are
/// detected, what a finding looks like, and the knobs a caller may turn.
///
/// Nothing here carries raw personal data: a `PIIFinding` holds a kind, a byte
/// range into the scanned text, a checksum flag and a redacted preview, so
/// findings can be written to quality logs as they are.

/// A kind of personally identifiable information the scanner recognises.
///
/// The raw values are stable identifiers meant for logs and reports.
public enum PIIKind: String, CaseIterable, Sendable, Codable {
    /// 주민등록번호 `YYMMDD-GNNNNNN`, gender digit 1–4 (0/9 for the 1800s).
    case residentRegistrationNumber = "rrn"
    /// 외국인등록번호: same shape, gender digit 5–8.
    case foreignerRegistrationNumber = "foreigner_rrn"
    /// Korean mobile, area-code, VoIP/050x, toll-free and 15xx/16xx/18xx numbers, and `+82` forms.
    case phoneNumber = "phone"
    case email = "email"
    /// Payment card number, 13–19 digits, Luhn-checked.
    case cardNumber = "card"
    /// 사업자등록번호 `XXX-XX-XXXXX` with its weighted checksum.
    case businessRegistrationNumber = "brn"
    /// Korean passport number (`M12345678`, `M123A4567`); looser forms only with a context word.
    case passportNumber = "passport"
    /// Korean driver licence `NN-NN-NNNNNN-NN` (region code 11–28 or a region name).
    case driverLicenseNumber = "driver_license"
    /// Bank account number: 10–14 digits, only next to a context word.
    case bankAccount = "bank_account"
    /// IPv4 or IPv6 address.
    case ipAddress = "ip"
    /// Korean person name (surname list + context).
    case koreanName = "name_ko"
    /// English person name (honorific, cue or first-name list + surname).
    case englishName = "name_en"

    /// The token that replaces a span of this kind when masking.
    /// Korean and English names share `[이름]`.
    public var maskToken: String {
        switch self {
        case .residentRegistrationNumber: return "[주민등록번호]"
        case .foreignerRegistrationNumber: return "[외국인등록번호]"
        case .phoneNumber: return "[전화번호]"
        case .email: return "[이메일]"
        case .cardNumber: return "[카드번호]"
        case .businessRegistrationNumber: return "[사업자등록번호]"
        case .passportNumber: return "[여권번호]"
        case .driverLicenseNumber: return "[운전면허번호]"
        case .bankAccount: return "[계좌번호]"
        case .ipAddress: return "[IP]"
        case .koreanName, .englishName: return "[이름]"
        }
    }

    /// Every distinct mask token; the scanner never detects PII inside one.
    public static let allMaskTokens: [String] = {
        var seen: [String] = []
        for kind in allCases where !seen.contains(kind.maskToken) { seen.append(kind.maskToken) }
        return seen
    }()
}

/// One detected span. Safe to persist: no raw PII is kept.
public struct PIIFinding: Sendable, Equatable {
    public var kind: PIIKind
    /// Byte offsets into the UTF-8 form of the scanned text. For
    /// `PIIScanner.mask(_: ChatSample)` the range is relative to the content of
    /// message `messageIndex`; for plain text `messageIndex` is nil.
    public var utf8Range: Range<Int>
    /// True when a checksum confirmed the number (RRN/foreigner number
    /// checksum, card Luhn, business registration checksum).
    public var validated: Bool
    /// Redacted shape of the span, e.g. `9001**-*******`, `010-****-****`, `홍**`.
    public var preview: String
    /// Index of the chat turn the finding belongs to (nil for plain text).
    public var messageIndex: Int?

    public init(kind: PIIKind, utf8Range: Range<Int>, validated: Bool, preview: String, messageIndex: Int? = nil) {
        self.kind = kind
        self.utf8Range = utf8Range
        self.validated = validated
        self.preview = preview
        self.messageIndex = messageIndex
    }
}

/// Scanner configuration.
public struct PIIOptions: Sendable {
    /// Kinds to detect and mask. Default: all.
    public var enabledKinds: Set<PIIKind>
    /// Extra context words per kind, added to the built-in ones (matched
    /// case-insensitively for ASCII). Context words gate the looser patterns:
    /// RRN-shaped numbers with an invalid date, bank accounts, passports
    /// without the standard shape, BRN/card shapes failing their checksum,
    /// plain-digit driver licences. For `.koreanName`/`.englishName` they
    /// are extra name cues (`담당 홍길동`, `Name: Jane Doe`).
    public var extraContextWords: [PIIKind: [String]]
    /// Extra ordinary words that must never be taken for a Korean or English
    /// name (exact match on the name span, e.g. `"이상희"` if that is a product).
    public var extraNameStopWords: [String]
    /// How far (in characters, either side) a context word may be from the
    /// candidate span. Default 20.
    public var contextWindow: Int

    public init(
        enabledKinds: Set<PIIKind> = Set(PIIKind.allCases),
        extraContextWords: [PIIKind: [String]] = [:],
        extraNameStopWords: [String] = [],
        contextWindow: Int = 20
    ) {
        self.enabledKinds = enabledKinds
        self.extraContextWords = extraContextWords
        self.extraNameStopWords = extraNameStopWords
        self.contextWindow = contextWindow
    }
}
