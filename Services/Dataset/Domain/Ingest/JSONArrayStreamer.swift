/// Streams the elements of a top-level JSON array (or a single top-level
/// object) out of chunks of any size, tracking the line each element starts on.
///
/// Only the current element is buffered (at most `maxRecordBytes`; longer
/// elements are reported as `recordTooLarge` and skipped while their structure
/// is still followed). An element that lies wholly in one chunk is handed out
/// without copying. A structural error between elements (a missing comma,
/// text after the closing bracket) cannot be resynchronised: it is reported
/// once and the rest of the stream is ignored.
struct JSONArrayStreamer: Sendable {
    enum Event {
        case element(UnsafeRawBufferPointer, lineNumber: Int)
        case error(RecordError)
    }

    private enum State: Sendable {
        case begin, firstElement, nextElement, inElement, afterElement, trailing, failed
    }

    let maxRecordBytes: Int
    private var state = State.begin
    private var line = 1
    private var isArray = false
    private var bomSeen = 0
    private var consumedAny = false
    // Current element.
    private var elem: [UInt8] = []
    private var elemLine = 0
    private var elemTooLarge = false
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var scalar = false
    private(set) var elementCount = 0

    init(maxRecordBytes: Int) {
        self.maxRecordBytes = maxRecordBytes
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Event) throws -> Void) rethrows {
        guard let raw = chunk.baseAddress, chunk.count > 0 else { return }
        let b = raw.assumingMemoryBound(to: UInt8.self)
        let n = chunk.count
        var k = 0
        while k < n {
            switch state {
            case .failed:
                return
            case .begin:
                let c = b[k]
                if !consumedAny && bomSeen < 3 && c == [0xEF, 0xBB, 0xBF][bomSeen] {
                    bomSeen += 1
                    k += 1
                    if bomSeen == 3 { consumedAny = true }
                    continue
                }
                if bomSeen > 0 && bomSeen < 3 {
                    try fail("invalid UTF-8 at the start of the file", code: .invalidUTF8, emit)
                    return
                }
                consumedAny = true
                if isWS(c) { if c == Byte.lf { line += 1 }; k += 1; continue }
                if c == Byte.lbracket { isArray = true; state = .firstElement; k += 1; continue }
                if c == Byte.lbrace { isArray = false; startElement(c); continue }
                try fail("a JSON file must hold an array of sample objects or one object", code: .invalidJSON, emit)
                return
            case .firstElement, .nextElement:
                let c = b[k]
                if isWS(c) { if c == Byte.lf { line += 1 }; k += 1; continue }
                if c == Byte.rbracket {
                    if state == .nextElement {
                        try fail("trailing comma before ']'", code: .invalidJSON, emit)
                        return
                    }
                    state = .trailing
                    k += 1
                    continue
                }
                if c == Byte.comma || c == Byte.colon || c == Byte.rbrace {
                    try fail("unexpected '\(Character(Unicode.Scalar(c)))' where an array element was expected", code: .invalidJSON, emit)
                    return
                }
                startElement(c)
            case .inElement:
                let start = k
                var done = false
                if scalar {
                    while k < n {
                        let c = b[k]
                        if isWS(c) || c == Byte.comma || c == Byte.rbracket || c == Byte.rbrace || c == Byte.lbracket || c == Byte.lbrace {
                            done = true
                            break
                        }
                        k += 1
                    }
                } else {
                    scan: while k < n {
                        let c = b[k]
                        k += 1
                        if inString {
                            if escaped { escaped = false; continue }
                            switch c {
                            case Byte.backslash: escaped = true
                            case Byte.quote:
                                inString = false
                                if depth == 0 { done = true; break scan }
                            case Byte.lf: line += 1
                            default: break
                            }
                        } else {
                            switch c {
                            case Byte.quote: inString = true
                            case Byte.lbrace, Byte.lbracket: depth += 1
                            case Byte.rbrace, Byte.rbracket:
                                depth -= 1
                                if depth <= 0 { done = true; break scan }
                            case Byte.lf: line += 1
                            default: break
                            }
                        }
                    }
                }
                if done && elem.isEmpty && !elemTooLarge {
                    // Whole element inside this chunk: no copy.
                    let len = k - start
                    if len > maxRecordBytes {
                        try emit(.error(tooLarge()))
                    } else {
                        try emit(.element(UnsafeRawBufferPointer(start: b + start, count: len), lineNumber: elemLine))
                    }
                    endElement()
                    continue
                }
                if !elemTooLarge {
                    let len = k - start
                    if elem.count + len > maxRecordBytes {
                        elemTooLarge = true
                        elem.removeAll(keepingCapacity: false)
                        try emit(.error(tooLarge()))
                    } else {
                        elem.append(contentsOf: UnsafeBufferPointer(start: b + start, count: len))
                    }
                }
                if done {
                    if !elemTooLarge {
                        try elem.withUnsafeBytes { try emit(.element($0, lineNumber: elemLine)) }
                    }
                    elem.removeAll(keepingCapacity: true)
                    endElement()
                }
            case .afterElement:
                let c = b[k]
                if isWS(c) { if c == Byte.lf { line += 1 }; k += 1; continue }
                if c == Byte.comma { state = .nextElement; k += 1; continue }
                if c == Byte.rbracket { state = .trailing; k += 1; continue }
                try fail("expected ',' or ']' after an array element", code: .invalidJSON, emit)
                return
            case .trailing:
                let c = b[k]
                if isWS(c) { if c == Byte.lf { line += 1 }; k += 1; continue }
                try fail("unexpected data after the top-level JSON value", code: .invalidJSON, emit)
                return
            }
        }
    }

    /// Reports an unterminated stream.
    mutating func finish(_ emit: (Event) throws -> Void) rethrows {
        switch state {
        case .begin:
            if bomSeen > 0 && bomSeen < 3 {
                try fail("invalid UTF-8 at the start of the file", code: .invalidUTF8, emit)
            }
        case .trailing, .failed:
            break
        case .inElement:
            if scalar && isArray && !elemTooLarge {
                // A number/literal element ends at end of file; the array is still open.
                try elem.withUnsafeBytes { try emit(.element($0, lineNumber: elemLine)) }
                endElement()
                try fail("unexpected end of file: the array is not closed", code: .invalidJSON, emit)
            } else {
                let what = isArray ? "array element" : "object"
                let e = RecordError(line: elemLine, code: .invalidJSON,
                                    reason: "unexpected end of file inside the \(what) starting on line \(elemLine)")
                state = .failed
                try emit(.error(e))
            }
        case .firstElement, .nextElement, .afterElement:
            try fail("unexpected end of file: the array is not closed", code: .invalidJSON, emit)
        }
        state = .failed
        elem = []
    }

    private mutating func startElement(_ c: UInt8) {
        state = .inElement
        elemLine = line
        elemTooLarge = false
        depth = 0
        inString = false
        escaped = false
        scalar = !(c == Byte.lbrace || c == Byte.lbracket || c == Byte.quote)
    }

    private mutating func endElement() {
        elementCount += 1
        state = isArray ? .afterElement : .trailing
    }

    private func tooLarge() -> RecordError {
        RecordError(line: elemLine, code: .recordTooLarge,
                    reason: "element is longer than the \(maxRecordBytes)-byte record limit; skipped")
    }

    private mutating func fail(_ reason: String, code: RecordError.Code, _ emit: (Event) throws -> Void) rethrows {
        state = .failed
        elem = []
        try emit(.error(RecordError(line: line, code: code, reason: reason)))
    }

    @inline(__always)
    private func isWS(_ c: UInt8) -> Bool {
        c == Byte.space || c == Byte.lf || c == Byte.cr || c == Byte.tab
    }
}
