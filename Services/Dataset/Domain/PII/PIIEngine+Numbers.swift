/// Numeric patterns.
///
/// A *token* is a maximal run of digit groups joined by single `-`, `.` or
/// space separators (`010-1234-5678`, `4111 1111 1111 1111`,
/// `192.168.0.1`). Patterns match whole groups only, so a digit run embedded
/// in a longer run never matches. A match may start/end inside a token only at
/// a space separator, and all separators inside one match must be the same.
/// A token glued to ASCII letters, `_` or `@` (`A12345`, `id_0101234`,
/// `…5678@mail`) or to a dotted/hyphenated number (`v1.2.3.4`) is rejected.
///
/// Rules (all spans are whole groups):
/// - RRN / foreigner number `YYMMDD-GNNNNNN` (hyphen or space) or 13 plain
///   digits. Gender digit 1–4, 9, 0 → RRN; 5–8 → foreigner registration
///   number. Separated form: valid date → PII (validated = checksum passes; numbers
///   issued since Oct 2020 have no checksum); invalid date → PII only with an
///   RRN/foreigner context word nearby. Plain 13 digits: valid date AND
///   checksum required. RRN check: `(11 - Σ dᵢ·wᵢ mod 11) mod 10`, foreigner
///   check: `(13 - Σ mod 11) mod 10`, weights 2…9,2…5.
/// - Phone: mobile 010 (4+4), 011/016–019 (3|4+4); area 02, 031–033,
///   041–044, 051–055, 061–064; 070, 080, 050x; `15xx/16xx/18xx-XXXX`;
///   separators `-`, `.`, space or none; `+82` forms (`+82 10-…`, `+821012345678`).
/// - Card: 13–19 digits as `4-4-4-4(-3)`, `4-6-5`, `4-6-4` (hyphen/space) or
///   14–16/19 plain digits (leading 2–6 or 9); Luhn must pass, except a grouped shape next
///   to a card context word (then unvalidated).
/// - Business registration `XXX-XX-XXXXX`: checksum (weights 1,3,7,1,3,7,1,3,5
///   + ⌊9th·5/10⌋) → validated; failing checksum → only with a BRN context
///   word. Plain 10 digits: checksum AND context.
/// - Driver licence `NN-NN-NNNNNN-NN` with region 11–28, `서울 NN-NNNNNN-NN`,
///   or 12 plain digits (region 11–28) with a licence context word.
/// - Bank account: 10–14 digits, plain or `-`-grouped (groups ≥ 2 digits),
///   only with an account context word (계좌, 통장, 입금, bank names, account…).
/// - Passport digits only: 8–9 plain digits with a passport context word.
/// - IPv4: four dot-separated octets ≤ 255, no leading zeros, not part of a
///   longer dotted number.
extension PIIEngine {
    /// Parses the token starting at digit `s`, evaluates every admissible
    /// group range, and returns the token end.
    mutating func numberToken(at s: Int) -> Int {
        // Fast path: a short digit run not followed by a separator + digit
        // (years, counts, prices) cannot match anything.
        var j = s + 1
        while j < n && piiIsDigit(p[j]) { j += 1 }
        if j - s < 8 {
            guard j + 1 < n else { return j }
            let c = p[j]
            if !((c == 0x2D || c == 0x2E || c == 0x20) && piiIsDigit(p[j + 1])) { return j }
        }
        let end = parseGroups(from: s)
        let cnt = gS.count
        if cnt == 1 && end - s < 8 { return end }
        let lOK = leftOK(s)
        let rOK = rightOK(end)
        for a in 0..<cnt {
            if a == 0 ? !lOK : seps[a - 1] != 0x20 { continue }
            let sep: UInt8 = a + 1 < cnt ? seps[a] : 0
            var total = 0
            var b = a
            while b < cnt && b < a + 5 {
                if b > a && seps[b - 1] != sep { break }
                total += gE[b] - gS[b]
                if total > 19 { break }
                let rightFine = b == cnt - 1 ? rOK : seps[b] == 0x20
                if rightFine {
                    let groups = b - a + 1
                    if total >= 8 || groups == 4 {
                        evaluate(a, b, sep: groups > 1 ? sep : 0, virtualZero: false, spanStart: gS[a])
                    }
                }
                b += 1
            }
        }
        return end
    }

    /// Fills `gS`/`gE`/`seps` with the groups of the token at `s`; returns its end.
    mutating func parseGroups(from s: Int) -> Int {
        gS.removeAll()
        gE.removeAll()
        seps.removeAll()
        var j = s
        while true {
            let gs = j
            while j < n && piiIsDigit(p[j]) { j += 1 }
            gS.append(gs)
            gE.append(j)
            if j + 1 < n, gS.count < 64 {
                let c = p[j]
                if (c == 0x2D || c == 0x2E || c == 0x20) && piiIsDigit(p[j + 1]) {
                    seps.append(c)
                    j += 1
                    continue
                }
            }
            break
        }
        return j
    }

    func leftOK(_ s: Int) -> Bool {
        if s == 0 { return true }
        let c = p[s - 1]
        if piiIsAlpha(c) || c == 0x5F || c == 0x40 || c == 0x2B { return false }
        if (c == 0x2E || c == 0x2D) && s >= 2 && piiIsDigit(p[s - 2]) { return false }
        return true
    }

    func rightOK(_ e: Int) -> Bool {
        if e >= n { return true }
        let c = p[e]
        if piiIsAlpha(c) || c == 0x5F || c == 0x40 { return false }
        if (c == 0x2D || c == 0x2E) && e + 1 < n && piiIsAlpha(p[e + 1]) { return false }
        return true
    }

    /// Evaluates groups `a...b` of the current token (or the `+82` national
    /// part when `virtualZero`), appending every pattern that fits.
    mutating func evaluate(_ a: Int, _ b: Int, sep: UInt8, virtualZero: Bool, spanStart: Int) {
        dg.removeAll()
        lens.removeAll()
        if virtualZero { dg.append(0) }
        for g in a...b {
            for k in gS[g]..<gE[g] { dg.append(p[k] &- 0x30) }
            lens.append(gE[g] - gS[g])
        }
        if virtualZero { lens[0] += 1 }
        let s = spanStart
        let e = gE[b]
        let count = lens.count
        let total = dg.count

        if virtualZero {
            if let keep = phoneKeep(count: count, sep: sep) {
                add(.phoneNumber, s, e, validated: false, keep: 2 + keep - 1)
            }
            return
        }

        // RRN / foreigner registration number
        if total == 13 && (count == 1 || (count == 2 && lens[0] == 6 && (sep == 0x2D || sep == 0x20))) {
            rrn(s, e, plain: count == 1)
        }
        // Phone
        if cfg.on(.phoneNumber), let keep = phoneKeep(count: count, sep: sep) {
            add(.phoneNumber, s, e, validated: false, keep: keep)
        }
        // Card
        if cfg.on(.cardNumber) && total >= 13 && total <= 19 {
            var grouped = false
            if count >= 2 && (sep == 0x2D || sep == 0x20) {
                if count >= 3 {
                    grouped = lens[count - 1] >= 1 && lens[count - 1] <= 4
                    for g in 0..<(count - 1) where lens[g] != 4 { grouped = false }
                }
                if count == 3 && lens[0] == 4 && lens[1] == 6 && (lens[2] == 5 || lens[2] == 4) { grouped = true }
            }
            // Plain digits: 14–16 or 19 digits (13-digit plain runs pass Luhn too often by chance).
            let plain = count == 1 && (total == 14 || total == 15 || total == 16 || total == 19)
            let plainOK = plain && [2, 3, 4, 5, 6, 9].contains(dg[0])
            if grouped || plainOK {
                if luhn() {
                    add(.cardNumber, s, e, validated: true, keep: 4)
                } else if grouped && hasContext(.cardNumber, s, e) {
                    add(.cardNumber, s, e, validated: false, keep: 4)
                }
            }
        }
        // Business registration number
        if cfg.on(.businessRegistrationNumber) && total == 10 {
            if count == 3 && lens[0] == 3 && lens[1] == 2 && lens[2] == 5 && sep == 0x2D {
                if brnChecksum() {
                    add(.businessRegistrationNumber, s, e, validated: true, keep: 3)
                } else if hasContext(.businessRegistrationNumber, s, e) {
                    add(.businessRegistrationNumber, s, e, validated: false, keep: 3)
                }
            } else if count == 1 && brnChecksum() && hasContext(.businessRegistrationNumber, s, e) {
                add(.businessRegistrationNumber, s, e, validated: true, keep: 3)
            }
        }
        // Driver licence
        if cfg.on(.driverLicenseNumber) {
            let region = Int(dg[0]) * 10 + Int(dg[1])
            let regionOK = region >= 11 && region <= 28
            if count == 4 && lens.equals([2, 2, 6, 2]) && (sep == 0x2D || sep == 0x20) && regionOK {
                add(.driverLicenseNumber, s, e, validated: false, keep: 2)
            } else if count == 3 && lens.equals([2, 6, 2]) && (sep == 0x2D || sep == 0x20), let rs = licenceRegionStart(before: s) {
                add(.driverLicenseNumber, rs, e, validated: false, keep: 0)
            } else if count == 1 && total == 12 && regionOK && hasContext(.driverLicenseNumber, s, e) {
                add(.driverLicenseNumber, s, e, validated: false, keep: 2)
            }
        }
        // Bank account
        if cfg.on(.bankAccount) && total >= 10 && total <= 14 {
            var shape = count == 1
            if count >= 2 && sep == 0x2D {
                shape = true
                for g in 0..<count where lens[g] < 2 { shape = false }
            }
            if shape && hasContext(.bankAccount, s, e) {
                add(.bankAccount, s, e, validated: false, keep: 0)
            }
        }
        // Passport, digits only
        if cfg.on(.passportNumber) && count == 1 && (total == 8 || total == 9) && hasContext(.passportNumber, s, e) {
            add(.passportNumber, s, e, validated: false, keep: 0)
        }
        // IPv4
        if cfg.on(.ipAddress) && count == 4 && sep == 0x2E {
            var ok = true
            var off = 0
            for g in 0..<4 {
                let l = lens[g]
                if l > 3 || (l > 1 && dg[off] == 0) { ok = false; break }
                var v = 0
                for k in off..<(off + l) { v = v * 10 + Int(dg[k]) }
                if v > 255 { ok = false; break }
                off += l
            }
            if ok { add(.ipAddress, s, e, validated: false, keep: lens[0]) }
        }
    }

    // MARK: RRN

    mutating func rrn(_ s: Int, _ e: Int, plain: Bool) {
        let g = Int(dg[6])
        let foreigner = g >= 5 && g <= 8
        let kind: PIIKind = foreigner ? .foreignerRegistrationNumber : .residentRegistrationNumber
        guard cfg.on(kind) else { return }
        let yy = Int(dg[0]) * 10 + Int(dg[1])
        let mm = Int(dg[2]) * 10 + Int(dg[3])
        let dd = Int(dg[4]) * 10 + Int(dg[5])
        let century: Int
        switch g {
        case 1, 2, 5, 6: century = 1900
        case 3, 4, 7, 8: century = 2000
        default: century = 1800
        }
        let dateOK = mm >= 1 && mm <= 12 && dd >= 1 && dd <= daysInMonth(mm, century + yy)
        let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
        var sum = 0
        for k in 0..<12 { sum += Int(dg[k]) * weights[k] }
        let check = foreigner ? (13 - sum % 11) % 10 : (11 - sum % 11) % 10
        let valid = check == Int(dg[12])
        if plain {
            if dateOK && valid { add(kind, s, e, validated: true, keep: 4) }
        } else if dateOK {
            add(kind, s, e, validated: valid, keep: 4)
        } else if hasContext(.residentRegistrationNumber, s, e) || hasContext(.foreignerRegistrationNumber, s, e) {
            add(kind, s, e, validated: false, keep: 4)
        }
    }

    func daysInMonth(_ m: Int, _ y: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: checksums

    func luhn() -> Bool {
        var sum = 0
        var double = false
        var k = dg.count - 1
        while k >= 0 {
            var d = Int(dg[k])
            if double {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
            double.toggle()
            k -= 1
        }
        return sum % 10 == 0
    }

    func brnChecksum() -> Bool {
        let w = [1, 3, 7, 1, 3, 7, 1, 3, 5]
        var sum = 0
        for k in 0..<9 { sum += Int(dg[k]) * w[k] }
        sum += (Int(dg[8]) * 5) / 10
        return (10 - sum % 10) % 10 == Int(dg[9])
    }

    // MARK: phone

    /// Number of leading digits that form the prefix (area/mobile code) when
    /// `dg`/`lens` is a Korean phone number, else nil.
    func phoneKeep(count: Int, sep: UInt8) -> Int? {
        if count > 1 && !(sep == 0x2D || sep == 0x2E || sep == 0x20) { return nil }
        let L = dg.count
        guard L >= 8 else { return nil }
        switch count {
        case 1:
            guard dg[0] == 0 else { return nil }
            switch dg[1] {
            case 1:
                if dg[2] == 0 { return L == 11 ? 3 : nil }
                if [1, 6, 7, 8, 9].contains(dg[2]) { return (L == 10 || L == 11) ? 3 : nil }
                return nil
            case 2:
                return (L == 9 || L == 10) ? 2 : nil
            case 3, 4, 5, 6:
                if dg[1] == 5 && dg[2] == 0 {
                    return (dg[3] >= 2 && dg[3] <= 8 && (L == 11 || L == 12)) ? 4 : nil
                }
                return (areaCode(dg[1], dg[2]) && (L == 10 || L == 11)) ? 3 : nil
            case 7:
                return (dg[2] == 0 && L == 11) ? 3 : nil
            case 8:
                return (dg[2] == 0 && (L == 10 || L == 11)) ? 3 : nil
            default:
                return nil
            }
        case 2:
            if lens[0] == 4 && lens[1] == 4 && dg[0] == 1 && (dg[1] == 5 || dg[1] == 6 || dg[1] == 8) && sep != 0x20 {
                return 4
            }
            return nil
        case 3:
            guard lens[2] == 4, lens[1] == 3 || lens[1] == 4, dg[0] == 0 else { return nil }
            switch lens[0] {
            case 2:
                return dg[1] == 2 ? 2 : nil
            case 3:
                switch dg[1] {
                case 1:
                    if dg[2] == 0 { return lens[1] == 4 ? 3 : nil }
                    return [1, 6, 7, 8, 9].contains(dg[2]) ? 3 : nil
                case 3, 4, 5, 6:
                    return areaCode(dg[1], dg[2]) ? 3 : nil
                case 7, 8:
                    return dg[2] == 0 ? 3 : nil
                default:
                    return nil
                }
            case 4:
                return (dg[1] == 5 && dg[2] == 0 && dg[3] >= 2 && dg[3] <= 8) ? 4 : nil
            default:
                return nil
            }
        default:
            return nil
        }
    }

    func areaCode(_ a: UInt8, _ b: UInt8) -> Bool {
        switch a {
        case 3: return b >= 1 && b <= 3
        case 4: return b >= 1 && b <= 4
        case 5: return b >= 1 && b <= 5
        case 6: return b >= 1 && b <= 4
        default: return false
        }
    }

    /// `+82` then optional separator and `(0)`, then the national number
    /// without (or, tolerated, with) its leading 0.
    mutating func plus82(at i: Int) -> Int {
        guard i + 3 < n, p[i + 1] == 0x38, p[i + 2] == 0x32 else { return i + 1 }
        if i > 0 && piiIsAlnum(p[i - 1]) { return i + 1 }
        var j = i + 3
        if j < n && (p[j] == 0x20 || p[j] == 0x2D || p[j] == 0x2E) { j += 1 }
        if j + 2 < n && p[j] == 0x28 && p[j + 1] == 0x30 && p[j + 2] == 0x29 {
            j += 3
            if j < n && (p[j] == 0x20 || p[j] == 0x2D) { j += 1 }
        }
        guard j < n, piiIsDigit(p[j]) else { return i + 1 }
        let end = parseGroups(from: j)
        let cnt = gS.count
        let rOK = rightOK(end)
        let before = cands.count
        let sep: UInt8 = cnt > 1 ? seps[0] : 0
        let zero = p[j] == 0x30
        var total = 0
        for b in 0..<min(cnt, 4) {
            if b > 0 && seps[b - 1] != sep { break }
            total += gE[b] - gS[b]
            if total > 13 { break }
            if b == cnt - 1 ? rOK : seps[b] == 0x20 {
                let mark = cands.count
                evaluatePlus(b, sep: b > 0 ? sep : 0, zero: zero, spanStart: i)
                if cands.count > mark { break }
            }
        }
        return cands.count > before ? cands[cands.count - 1].end : i + 1
    }

    private mutating func evaluatePlus(_ b: Int, sep: UInt8, zero: Bool, spanStart: Int) {
        guard cfg.on(.phoneNumber) else { return }
        if zero {
            dg.removeAll()
            lens.removeAll()
            for g in 0...b {
                for k in gS[g]..<gE[g] { dg.append(p[k] &- 0x30) }
                lens.append(gE[g] - gS[g])
            }
            if let keep = phoneKeep(count: lens.count, sep: sep) {
                add(.phoneNumber, spanStart, gE[b], validated: false, keep: 2 + keep)
            }
        } else {
            evaluate(0, b, sep: sep, virtualZero: true, spanStart: spanStart)
        }
    }

    /// Start of a region name (서울, 경기 …) right before `s` (one optional space).
    func licenceRegionStart(before s: Int) -> Int? {
        var k = s
        if k > 0 && p[k - 1] == 0x20 { k -= 1 }
        guard k >= 6, let last = hangul(k - 3), cfg.licenceRegions.mayEnd(p[k - 3], last) else { return nil }
        guard let rs = cfg.licenceRegions.suffixStart(p, k) else { return nil }
        return rs == 0 || hangul(rs - 3) == nil ? rs : nil
    }
}
