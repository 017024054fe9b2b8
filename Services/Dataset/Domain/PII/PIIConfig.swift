/// `PIIOptions` compiled once per scanner into byte-level tables.
final class PIICompiledConfig: Sendable {
    let enabledMask: UInt32
    /// Context words per kind (by `PIIKind.ordinal`), ASCII lower-cased.
    let context: [PIIWordList]
    /// Words that introduce a name (Korean cues + user extras), used before Korean and English names.
    let koreanNameCues: PIIWordList
    let englishColonCues: PIIWordList
    let englishPlainCues: PIIWordList
    /// Words whose presence near a name followed by a weak particle (은/는/이/가…) makes it a name.
    let nameEvidence: PIIWordList
    let nameStopWords: PIIByteSet
    let window: Int
    let maskTokens: [[UInt8]]

    // Lexicon, copied here so the hot loop reads one object.
    let surnames = PIILexicon.surnames
    let compoundSurnameFirst = PIILexicon.compoundSurnameFirst
    let compoundSurnames = PIILexicon.compoundSurnames
    let givenNameSyllables = PIILexicon.givenNameSyllables
    let nounLikeFinal = PIILexicon.nounLikeFinal
    let koreanTitles = PIILexicon.koreanTitles
    let attachedHonorifics = PIILexicon.attachedHonorifics
    let koreanParticles = PIILexicon.koreanParticles
    let weakParticles = PIILexicon.weakParticles
    let englishHonorifics = PIILexicon.englishHonorifics
    let englishFirstNames = PIILexicon.englishFirstNames
    let englishStopWords = PIILexicon.englishStopWords
    let licenceRegions = PIILexicon.licenceRegions
    let selfIntroCues = PIILexicon.selfIntroCues
    let selfIntroEndings = PIILexicon.selfIntroEndings

    init(_ options: PIIOptions) {
        var mask: UInt32 = 0
        for k in options.enabledKinds { mask |= 1 << UInt32(k.ordinal) }
        enabledMask = mask

        var ctx: [PIIWordList] = []
        for k in PIIKind.allCases.sorted(by: { $0.ordinal < $1.ordinal }) {
            let words = (PIILexicon.contextWords[k] ?? []) + (options.extraContextWords[k] ?? [])
            ctx.append(PIIWordList(piiUTF8Words(words)))
        }
        context = ctx

        let extraKo = (options.extraContextWords[.koreanName] ?? []) + (options.extraContextWords[.englishName] ?? [])
        let cues = piiUTF8Words(PIILexicon.koreanNameCues + extraKo)
        koreanNameCues = PIIWordList(cues)
        englishColonCues = PIIWordList(PIILexicon.englishColonCues)
        englishPlainCues = PIIWordList(PIILexicon.englishPlainCues)
        nameEvidence = PIIWordList(cues + PIILexicon.koreanTitles.words.filter { $0.count >= 6 })
        nameStopWords = PIIByteSet(PIILexicon.nameStopWords + options.extraNameStopWords, foldASCII: true)
        window = max(1, options.contextWindow)
        maskTokens = PIIKind.allMaskTokens.map { Array($0.utf8) }
    }

    @inline(__always)
    func on(_ k: PIIKind) -> Bool { enabledMask & (1 << UInt32(k.ordinal)) != 0 }
}

extension PIIKind {
    /// Dense index used by the scanner's tables.
    var ordinal: Int {
        switch self {
        case .residentRegistrationNumber: return 0
        case .foreignerRegistrationNumber: return 1
        case .phoneNumber: return 2
        case .email: return 3
        case .cardNumber: return 4
        case .businessRegistrationNumber: return 5
        case .passportNumber: return 6
        case .driverLicenseNumber: return 7
        case .bankAccount: return 8
        case .ipAddress: return 9
        case .koreanName: return 10
        case .englishName: return 11
        }
    }

    /// Tie-break between equally long, equally validated overlapping spans:
    /// lower wins. Specific, checksum-bearing shapes beat context-only ones.
    var overlapPriority: Int {
        switch self {
        case .residentRegistrationNumber: return 0
        case .foreignerRegistrationNumber: return 1
        case .cardNumber: return 2
        case .businessRegistrationNumber: return 3
        case .email: return 4
        case .phoneNumber: return 5
        case .driverLicenseNumber: return 6
        case .passportNumber: return 7
        case .ipAddress: return 8
        case .bankAccount: return 9
        case .koreanName: return 10
        case .englishName: return 11
        }
    }
}
