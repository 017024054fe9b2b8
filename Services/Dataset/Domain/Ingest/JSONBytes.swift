#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// A small, allocation-light JSON reader over UTF-8 bytes, specialised for the
// chat sample shape. It never goes through Foundation: strings are scanned
// 8 bytes at a time for `"`, `\` and control bytes, and UTF-8 is validated by
// the standard library when the String is made (see `validatedString`).

@usableFromInline
enum Byte {
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let slash: UInt8 = 0x2F
    static let comma: UInt8 = 0x2C
    static let colon: UInt8 = 0x3A
    static let lbrace: UInt8 = 0x7B
    static let rbrace: UInt8 = 0x7D
    static let lbracket: UInt8 = 0x5B
    static let rbracket: UInt8 = 0x5D
    static let minus: UInt8 = 0x2D
    static let plus: UInt8 = 0x2B
    static let dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let tab: UInt8 = 0x09
    static let space: UInt8 = 0x20
}

/// Keys the chat parser knows; anything else is `.other`.
enum JSONKey {
    case id, messages, metadata, role, content, source, category, qualityScore, other
}

/// Outcome of scanning one JSON string: either the raw bytes between the quotes
/// (no escapes) or the decoded bytes left in the parser's scratch buffer.
struct ScannedString {
    var start: Int
    var end: Int
    var escaped: Bool
}

struct JSONByteParser {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i: Int = 0
    let line: Int
    /// Decoded bytes of the last escaped string.
    var scratch: [UInt8] = []

    init(_ p: UnsafePointer<UInt8>, count: Int, line: Int) {
        self.p = p
        self.n = count
        self.line = line
    }

    // MARK: errors

    func error(_ code: RecordError.Code, _ reason: String, field: String? = nil) -> RecordError {
        RecordError(line: line, code: code, field: field, reason: reason)
    }

    func syntax(_ what: String) -> RecordError {
        if i >= n { return error(.invalidJSON, "unexpected end of record, expected \(what)") }
        let b = p[i]
        if b >= 0x80 {
            return error(.invalidJSON, "unexpected non-ASCII byte at offset \(i), expected \(what)")
        }
        let c = b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
        return error(.invalidJSON, "unexpected \(c) at offset \(i), expected \(what)")
    }

    // MARK: whitespace & punctuation

    @inline(__always)
    mutating func skipWS() {
        while i < n {
            let b = p[i]
            if b == Byte.space || b == Byte.lf || b == Byte.cr || b == Byte.tab { i += 1 } else { return }
        }
    }

    @inline(__always)
    func peek() -> UInt8 { i < n ? p[i] : 0 }

    @inline(__always)
    mutating func expect(_ b: UInt8, _ what: String) throws(RecordError) {
        guard i < n, p[i] == b else { throw syntax(what) }
        i += 1
    }

    // MARK: strings

    /// Scans the string at `i` (which must be a quote). Validates escapes and
    /// control bytes; UTF-8 validity is checked when the String is made (or by
    /// `validateUTF8` for raw copies).
    @inline(__always)
    mutating func scanString() throws(RecordError) -> ScannedString {
        i += 1
        let start = i
        // 8 bytes at a time while none of them is `"`, `\` or < 0x20.
        while i &+ 8 <= n {
            let x = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            if hasStopByte(x) { break }
            i &+= 8
        }
        while i < n {
            let b = p[i]
            if b == Byte.quote {
                let end = i
                i += 1
                return ScannedString(start: start, end: end, escaped: false)
            }
            if b == Byte.backslash { return try scanEscapedTail(start: start) }
            if b < 0x20 { throw error(.invalidJSON, "unescaped control byte 0x\(String(b, radix: 16)) in string") }
            i += 1
            // Re-enter the word loop after a stop-free byte.
            while i &+ 8 <= n {
                let x = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if hasStopByte(x) { break }
                i &+= 8
            }
        }
        throw error(.invalidJSON, "unterminated string")
    }

    @inline(__always)
    func hasStopByte(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = x ^ (ones &* UInt64(Byte.quote))
        let s = x ^ (ones &* UInt64(Byte.backslash))
        let c = x & (ones &* 0xE0)  // zero byte ⇔ original < 0x20
        let zq = (q &- ones) & ~q
        let zs = (s &- ones) & ~s
        let zc = (c &- ones) & ~c
        return (zq | zs | zc) & highs != 0
    }

    /// Continues a string after its first backslash, decoding into `scratch`.
    mutating func scanEscapedTail(start: Int) throws(RecordError) -> ScannedString {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start))
        var run = i
        while i < n {
            let b = p[i]
            if b == Byte.quote {
                if run < i { scratch.append(contentsOf: UnsafeBufferPointer(start: p + run, count: i - run)) }
                let end = i
                i += 1
                return ScannedString(start: start, end: end, escaped: true)
            }
            if b == Byte.backslash {
                if run < i { scratch.append(contentsOf: UnsafeBufferPointer(start: p + run, count: i - run)) }
                try decodeEscape()
                run = i
                continue
            }
            if b < 0x20 { throw error(.invalidJSON, "unescaped control byte 0x\(String(b, radix: 16)) in string") }
            i += 1
            while i &+ 8 <= n {
                let x = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if hasStopByte(x) { break }
                i &+= 8
            }
        }
        throw error(.invalidJSON, "unterminated string")
    }

    /// At a backslash: appends the escaped character to scratch.
    mutating func decodeEscape() throws(RecordError) {
        guard i + 1 < n else { throw error(.invalidJSON, "unterminated escape") }
        let e = p[i + 1]
        i += 2
        switch e {
        case Byte.quote: scratch.append(Byte.quote)
        case Byte.backslash: scratch.append(Byte.backslash)
        case Byte.slash: scratch.append(Byte.slash)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(Byte.lf)
        case UInt8(ascii: "r"): scratch.append(Byte.cr)
        case UInt8(ascii: "t"): scratch.append(Byte.tab)
        case UInt8(ascii: "u"):
            let scalar = try readUnicodeEscapeScalar()
            appendUTF8(scalar, to: &scratch)
        default:
            throw error(.invalidJSON, "invalid escape '\\\(Character(Unicode.Scalar(e)))'")
        }
    }

    /// After `\u`: reads 4 hex digits (and a low surrogate escape when the first
    /// is a high surrogate). Lone surrogates are invalid UTF-8 in the output.
    mutating func readUnicodeEscapeScalar() throws(RecordError) -> UInt32 {
        let u = try readHex4()
        if u >= 0xD800 && u <= 0xDBFF {
            guard i + 1 < n, p[i] == Byte.backslash, p[i + 1] == UInt8(ascii: "u") else {
                throw error(.invalidUTF8, "lone high surrogate \\u\(String(u, radix: 16, uppercase: true)) in string")
            }
            i += 2
            let lo = try readHex4()
            guard lo >= 0xDC00 && lo <= 0xDFFF else {
                throw error(.invalidUTF8, "high surrogate \\u\(String(u, radix: 16, uppercase: true)) not followed by a low surrogate")
            }
            return 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
        }
        if u >= 0xDC00 && u <= 0xDFFF {
            throw error(.invalidUTF8, "lone low surrogate \\u\(String(u, radix: 16, uppercase: true)) in string")
        }
        return u
    }

    mutating func readHex4() throws(RecordError) -> UInt32 {
        guard i + 4 <= n else { throw error(.invalidJSON, "truncated \\u escape") }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error(.invalidJSON, "invalid hex digit in \\u escape")
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }

    /// Makes the String for a scanned string, validating UTF-8.
    @inline(__always)
    func makeString(_ s: ScannedString, field: @autoclosure () -> String?) throws(RecordError) -> String {
        let str: String?
        if s.escaped {
            str = scratch.withUnsafeBufferPointer { validatedString($0) }
        } else {
            str = validatedString(UnsafeBufferPointer(start: p + s.start, count: s.end - s.start))
        }
        guard let str else { throw error(.invalidUTF8, "string is not valid UTF-8", field: field()) }
        return str
    }

    @inline(__always)
    mutating func readString(field: @autoclosure () -> String?) throws(RecordError) -> String {
        let s = try scanString()
        return try makeString(s, field: field())
    }

    /// Reads an object key at `i` and classifies it.
    @inline(__always)
    mutating func readKey(name: inout String?) throws(RecordError) -> JSONKey {
        guard i < n, p[i] == Byte.quote else { throw syntax("'\"' (object key)") }
        let s = try scanString()
        let key: JSONKey
        if s.escaped {
            key = scratch.withUnsafeBufferPointer { classifyKey($0.baseAddress!, $0.count) }
        } else {
            key = classifyKey(p + s.start, s.end - s.start)
        }
        if key == .other {
            name = try makeString(s, field: nil)
        }
        return key
    }

    @inline(__always)
    func classifyKey(_ k: UnsafePointer<UInt8>, _ len: Int) -> JSONKey {
        switch len {
        case 2: return bytesEqual(k, len, "id") ? .id : .other
        case 4: return bytesEqual(k, len, "role") ? .role : .other
        case 6: return bytesEqual(k, len, "source") ? .source : .other
        case 7: return bytesEqual(k, len, "content") ? .content : .other
        case 8:
            if bytesEqual(k, len, "messages") { return .messages }
            if bytesEqual(k, len, "metadata") { return .metadata }
            if bytesEqual(k, len, "category") { return .category }
            return .other
        case 13: return bytesEqual(k, len, "quality_score") ? .qualityScore : .other
        default: return .other
        }
    }

    // MARK: numbers & literals

    /// Scans a JSON number at `i`, returning its byte range.
    mutating func scanNumber() throws(RecordError) -> Range<Int> {
        let start = i
        if i < n, p[i] == Byte.minus { i += 1 }
        guard i < n, isDigit(p[i]) else { throw syntax("a digit") }
        if p[i] == Byte.zero {
            i += 1
        } else {
            while i < n, isDigit(p[i]) { i += 1 }
        }
        if i < n, p[i] == Byte.dot {
            i += 1
            guard i < n, isDigit(p[i]) else { throw syntax("a digit after '.'") }
            while i < n, isDigit(p[i]) { i += 1 }
        }
        if i < n, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, p[i] == Byte.plus || p[i] == Byte.minus { i += 1 }
            guard i < n, isDigit(p[i]) else { throw syntax("a digit in exponent") }
            while i < n, isDigit(p[i]) { i += 1 }
        }
        return start..<i
    }

    mutating func readDouble(field: String) throws(RecordError) -> Double {
        let r = try scanNumber()
        let text = String(decoding: UnsafeBufferPointer(start: p + r.lowerBound, count: r.count), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw error(.invalidFieldType, "number \(text) is out of range", field: field)
        }
        return d
    }

    mutating func scanLiteral() throws(RecordError) {
        let b = peek()
        let word: StaticString
        switch b {
        case UInt8(ascii: "t"): word = "true"
        case UInt8(ascii: "f"): word = "false"
        case UInt8(ascii: "n"): word = "null"
        default: throw syntax("a JSON value")
        }
        let len = word.utf8CodeUnitCount
        guard i + len <= n, bytesEqual(p + i, len, word) else { throw syntax("a JSON value") }
        i += len
    }

    /// True (and consumes it) when `null` is at `i`.
    @inline(__always)
    mutating func takeNull() -> Bool {
        if i + 4 <= n, p[i] == UInt8(ascii: "n"), bytesEqual(p + i, 4, "null") {
            i += 4
            return true
        }
        return false
    }

    // MARK: generic values

    /// Validates the value at `i` and appends it, without insignificant
    /// whitespace, to `out` (strings are copied as written, escapes included).
    mutating func copyCompactValue(into out: inout [UInt8], depth: Int = 0) throws(RecordError) {
        guard depth < 256 else { throw error(.invalidJSON, "nesting deeper than 256 levels") }
        skipWS()
        guard i < n else { throw syntax("a JSON value") }
        switch p[i] {
        case Byte.lbrace:
            i += 1
            out.append(Byte.lbrace)
            skipWS()
            if peek() == Byte.rbrace { i += 1; out.append(Byte.rbrace); return }
            while true {
                skipWS()
                guard i < n, p[i] == Byte.quote else { throw syntax("'\"' (object key)") }
                try copyRawString(into: &out)
                skipWS()
                try expect(Byte.colon, "':'")
                out.append(Byte.colon)
                try copyCompactValue(into: &out, depth: depth + 1)
                skipWS()
                guard i < n else { throw syntax("',' or '}'") }
                if p[i] == Byte.comma { i += 1; out.append(Byte.comma); continue }
                if p[i] == Byte.rbrace { i += 1; out.append(Byte.rbrace); return }
                throw syntax("',' or '}'")
            }
        case Byte.lbracket:
            i += 1
            out.append(Byte.lbracket)
            skipWS()
            if peek() == Byte.rbracket { i += 1; out.append(Byte.rbracket); return }
            while true {
                try copyCompactValue(into: &out, depth: depth + 1)
                skipWS()
                guard i < n else { throw syntax("',' or ']'") }
                if p[i] == Byte.comma { i += 1; out.append(Byte.comma); continue }
                if p[i] == Byte.rbracket { i += 1; out.append(Byte.rbracket); return }
                throw syntax("',' or ']'")
            }
        case Byte.quote:
            try copyRawString(into: &out)
        case Byte.minus, Byte.zero...Byte.nine:
            let r = try scanNumber()
            out.append(contentsOf: UnsafeBufferPointer(start: p + r.lowerBound, count: r.count))
        default:
            let s = i
            try scanLiteral()
            out.append(contentsOf: UnsafeBufferPointer(start: p + s, count: i - s))
        }
    }

    /// Validates the string at `i` (escapes, surrogates, UTF-8) and appends it
    /// verbatim, quotes included.
    mutating func copyRawString(into out: inout [UInt8]) throws(RecordError) {
        let q = i
        let s = try scanString()
        // Escapes were checked by the scan; raw bytes still need UTF-8 validation.
        guard validateUTF8(p + s.start, s.end - s.start) else {
            throw error(.invalidUTF8, "string is not valid UTF-8")
        }
        out.append(contentsOf: UnsafeBufferPointer(start: p + q, count: i - q))
    }

    /// Skips the value at `i`, validating it.
    mutating func skipValue() throws(RecordError) {
        var sink: [UInt8] = []
        try copyCompactValue(into: &sink)
    }

    mutating func readCompactValueText() throws(RecordError) -> String {
        var out: [UInt8] = []
        try copyCompactValue(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Name of the JSON type at `i`, for error messages.
    func typeName() -> String {
        switch peek() {
        case Byte.lbrace: return "an object"
        case Byte.lbracket: return "an array"
        case Byte.quote: return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case Byte.minus, Byte.zero...Byte.nine: return "a number"
        default: return "invalid JSON"
        }
    }
}

// MARK: - helpers

/// A String from UTF-8 bytes, or nil when they are not valid UTF-8.
///
/// `String(decoding:as:)` is the standard library's fastest path (one
/// validating copy, specialised); it repairs invalid input with U+FFFD, so the
/// result is valid exactly when its bytes equal the input. (`String(validating:)`
/// goes through an unspecialised generic path that costs ~2× here.)
@inline(__always)
func validatedString(_ buf: UnsafeBufferPointer<UInt8>) -> String? {
    var str = String(decoding: buf, as: UTF8.self)
    let n = buf.count
    if n == 0 { return str }
    let same = str.withUTF8 { out -> Bool in
        out.count == n && memcmp(out.baseAddress!, buf.baseAddress!, n) == 0
    }
    return same ? str : nil
}

@inline(__always)
func isDigit(_ b: UInt8) -> Bool { b &- Byte.zero < 10 }

@inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ len: Int, _ s: StaticString) -> Bool {
    guard s.utf8CodeUnitCount == len else { return false }
    let b = s.utf8Start
    for k in 0..<len where a[k] != b[k] { return false }
    return true
}

@inline(__always)
func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
    if v < 0x80 {
        out.append(UInt8(v))
    } else if v < 0x800 {
        out.append(UInt8(0xC0 | (v >> 6)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    } else if v < 0x10000 {
        out.append(UInt8(0xE0 | (v >> 12)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    } else {
        out.append(UInt8(0xF0 | (v >> 18)))
        out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
        out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
        out.append(UInt8(0x80 | (v & 0x3F)))
    }
}

/// Strict UTF-8 validation (no overlongs, surrogates or values above U+10FFFF).
func validateUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i < n {
        let b0 = p[i]
        if b0 < 0x80 { i += 1; continue }
        if b0 < 0xC2 { return false }
        if b0 < 0xE0 {
            guard i + 1 < n, p[i + 1] & 0xC0 == 0x80 else { return false }
            i += 2
        } else if b0 < 0xF0 {
            guard i + 2 < n else { return false }
            let b1 = p[i + 1], b2 = p[i + 2]
            guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80 else { return false }
            if b0 == 0xE0 && b1 < 0xA0 { return false }
            if b0 == 0xED && b1 >= 0xA0 { return false }
            i += 3
        } else if b0 < 0xF5 {
            guard i + 3 < n else { return false }
            let b1 = p[i + 1], b2 = p[i + 2], b3 = p[i + 3]
            guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80, b3 & 0xC0 == 0x80 else { return false }
            if b0 == 0xF0 && b1 < 0x90 { return false }
            if b0 == 0xF4 && b1 >= 0x90 { return false }
            i += 4
        } else {
            return false
        }
    }
    return true
}

/// Appends `s` as a JSON string literal (quotes included). Escapes `"`, `\`
/// and control characters; everything else is written as raw UTF-8.
@inline(__always)
func appendJSONString(_ s: String, to out: inout [UInt8]) {
    var s = s
    s.withUTF8 { buf in
        out.append(Byte.quote)
        guard let base = buf.baseAddress else { out.append(Byte.quote); return }
        let n = buf.count
        var run = 0
        var i = 0
        while i < n {
            // Skip 8 clean bytes at a time.
            while i &+ 8 <= n {
                let x = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                if jsonNeedsEscape8(x) { break }
                i &+= 8
            }
            guard i < n else { break }
            let b = base[i]
            if b == Byte.quote || b == Byte.backslash || b < 0x20 {
                if run < i { out.append(contentsOf: UnsafeBufferPointer(start: base + run, count: i - run)) }
                out.append(Byte.backslash)
                switch b {
                case Byte.quote: out.append(Byte.quote)
                case Byte.backslash: out.append(Byte.backslash)
                case Byte.lf: out.append(UInt8(ascii: "n"))
                case Byte.cr: out.append(UInt8(ascii: "r"))
                case Byte.tab: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [UInt8(ascii: "u"), Byte.zero, Byte.zero, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
                run = i + 1
            }
            i += 1
        }
        if run < n { out.append(contentsOf: UnsafeBufferPointer(start: base + run, count: n - run)) }
        out.append(Byte.quote)
    }
}

@inline(__always)
func jsonNeedsEscape8(_ x: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let q = x ^ (ones &* UInt64(Byte.quote))
    let s = x ^ (ones &* UInt64(Byte.backslash))
    let c = x & (ones &* 0xE0)
    return (((q &- ones) & ~q) | ((s &- ones) & ~s) | ((c &- ones) & ~c)) & highs != 0
}
