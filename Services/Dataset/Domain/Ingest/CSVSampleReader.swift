/// RFC 4180 CSV, streamed byte by byte and mapped onto chat samples.
///
/// - Quoted fields may hold delimiters, `""` (an escaped quote) and newlines;
///   line numbers count every newline, so a record's line is the line it starts on.
/// - A quote inside an unquoted field is kept literally; text after a closing
///   quote is `csvMalformed` (the rest of that line is skipped).
/// - CRLF and LF both end records; blank lines are skipped; a UTF-8 BOM is ignored.
/// - The first record is the header. A row whose field count differs from the
///   header's is `csvFieldCount`. Rows longer than `maxRecordBytes` are
///   `recordTooLarge` and are skipped without being buffered.
struct CSVSampleReader: Sendable {
    private enum State: Sendable { case fieldStart, unquoted, quoted, quoteInQuoted, skipLine }

    private struct Columns: Sendable {
        var names: [String]
        var question: Int
        var answer: Int
        var system: Int?
        var category: Int?
        var source: Int?
        var id: Int?
        var quality: Int?
        var mapped: [Bool]
    }

    let options: IngestOptions
    private var state = State.fieldStart
    private var line = 1
    private var recordLine = 1
    private var recordStarted = false
    private var recordBytes = 0
    private var discard = false
    private var fieldQuoted = false
    /// Set when a quoted (possibly empty) field was seen, so `""` is not a blank line.
    private var sawQuoteInRecord = false
    private var bytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    private var columns: Columns?
    private var failed = false

    init(options: IngestOptions) {
        self.options = options
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (ParsedRecord) throws -> Void) rethrows {
        guard !failed, let raw = chunk.baseAddress, chunk.count > 0 else { return }
        let b = raw.assumingMemoryBound(to: UInt8.self)
        let delim = options.csvDelimiter
        let limit = options.maxRecordBytes
        for k in 0..<chunk.count {
            if failed { return }
            let c = b[k]
            if !recordStarted {
                recordStarted = true
                recordLine = line
                recordBytes = 0
            }
            recordBytes += 1
            if recordBytes > limit && !discard && state != .skipLine {
                discard = true
                bytes.removeAll(keepingCapacity: false)
                fieldEnds.removeAll()
                try emit(ParsedRecord(line: recordLine, result: .failure(RecordError(
                    line: recordLine, code: .recordTooLarge,
                    reason: "row is longer than the \(limit)-byte record limit; skipped"))))
            }
            switch state {
            case .fieldStart:
                if c == Byte.quote {
                    state = .quoted
                    fieldQuoted = true
                    sawQuoteInRecord = true
                } else if c == delim {
                    endField()
                } else if c == Byte.lf {
                    endField(atLineEnd: true)
                    try endRecord(emit)
                    line += 1
                } else {
                    if !discard { bytes.append(c) }
                    state = .unquoted
                }
            case .unquoted:
                if c == delim {
                    endField()
                    state = .fieldStart
                } else if c == Byte.lf {
                    endField(atLineEnd: true)
                    try endRecord(emit)
                    line += 1
                    state = .fieldStart
                } else if !discard {
                    bytes.append(c)
                }
            case .quoted:
                if c == Byte.quote {
                    state = .quoteInQuoted
                } else {
                    if !discard { bytes.append(c) }
                    if c == Byte.lf { line += 1 }
                }
            case .quoteInQuoted:
                if c == Byte.quote {
                    if !discard { bytes.append(Byte.quote) }
                    state = .quoted
                } else if c == delim {
                    endField()
                    state = .fieldStart
                } else if c == Byte.lf {
                    endField()
                    try endRecord(emit)
                    line += 1
                    state = .fieldStart
                } else if c == Byte.cr {
                    break  // CRLF after a closing quote
                } else {
                    if !discard {
                        try emit(ParsedRecord(line: recordLine, result: .failure(RecordError(
                            line: recordLine, code: .csvMalformed,
                            reason: "unexpected character after a closing quote on line \(line)"))))
                    }
                    discard = true
                    state = .skipLine
                }
            case .skipLine:
                if c == Byte.lf {
                    line += 1
                    resetRecord()
                }
            }
        }
    }

    mutating func finish(_ emit: (ParsedRecord) throws -> Void) rethrows {
        defer { failed = true }
        guard !failed, recordStarted else { return }
        switch state {
        case .quoted:
            if !discard {
                try emit(ParsedRecord(line: recordLine, result: .failure(RecordError(
                    line: recordLine, code: .csvMalformed,
                    reason: "unterminated quoted field starting on line \(recordLine)"))))
            }
            resetRecord()
        case .skipLine:
            resetRecord()
        case .fieldStart, .unquoted, .quoteInQuoted:
            endField(atLineEnd: true)
            try endRecord(emit)
        }
    }

    private mutating func endField(atLineEnd: Bool = false) {
        guard !discard else { return }
        if atLineEnd, !fieldQuoted, let last = bytes.last, last == Byte.cr,
           bytes.count > (fieldEnds.last ?? 0) {
            bytes.removeLast()
        }
        fieldEnds.append(bytes.count)
        fieldQuoted = false
    }

    private mutating func resetRecord() {
        bytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        recordStarted = false
        discard = false
        fieldQuoted = false
        sawQuoteInRecord = false
        state = .fieldStart
    }

    private mutating func endRecord(_ emit: (ParsedRecord) throws -> Void) rethrows {
        defer { resetRecord() }
        guard !discard, !failed else { return }
        // Blank line: one empty unquoted field.
        if fieldEnds.count == 1 && fieldEnds[0] == 0 && !sawQuoteInRecord { return }
        if columns == nil {
            if let e = makeColumns() {
                failed = true
                try emit(ParsedRecord(line: recordLine, result: .failure(e)))
            }
            return
        }
        let r = mapRow()
        try emit(ParsedRecord(line: recordLine, result: r))
    }

    private func fieldString(_ k: Int) -> String? {
        let start = k == 0 ? 0 : fieldEnds[k - 1]
        let end = fieldEnds[k]
        return bytes.withUnsafeBufferPointer { buf in
            validatedString(UnsafeBufferPointer(rebasing: buf[start..<end]))
        }
    }

    private mutating func makeColumns() -> RecordError? {
        var names: [String] = []
        for k in 0..<fieldEnds.count {
            guard var s = fieldString(k) else {
                return RecordError(line: recordLine, code: .invalidUTF8, field: "header",
                                   reason: "CSV header column \(k + 1) is not valid UTF-8")
            }
            if k == 0, s.unicodeScalars.first == "\u{FEFF}" { s.unicodeScalars.removeFirst() }
            names.append(s)
        }
        let keys = names.map { asciiLowercasedTrimmed($0) }
        func find(_ name: String?) -> Int? {
            guard let name else { return nil }
            return keys.firstIndex(of: asciiLowercasedTrimmed(name))
        }
        let m = options.csvMapping
        guard let q = find(m.question) else {
            return RecordError(line: recordLine, code: .csvMissingColumn, field: "columns.question",
                               reason: "CSV header has no \"\(m.question)\" column (columns: \(names.joined(separator: ", ")))")
        }
        guard let a = find(m.answer) else {
            return RecordError(line: recordLine, code: .csvMissingColumn, field: "columns.answer",
                               reason: "CSV header has no \"\(m.answer)\" column (columns: \(names.joined(separator: ", ")))")
        }
        var cols = Columns(names: names, question: q, answer: a,
                           system: find(m.system), category: find(m.category), source: find(m.source),
                           id: find(m.id), quality: find(m.qualityScore),
                           mapped: Array(repeating: false, count: names.count))
        for idx in [cols.question, cols.answer, cols.system, cols.category, cols.source, cols.id, cols.quality] {
            if let idx { cols.mapped[idx] = true }
        }
        columns = cols
        return nil
    }

    private func mapRow() -> Result<ChatSample, RecordError> {
        let cols = columns!
        let line = recordLine
        guard fieldEnds.count == cols.names.count else {
            return .failure(RecordError(line: line, code: .csvFieldCount,
                                        reason: "expected \(cols.names.count) fields, got \(fieldEnds.count)"))
        }
        var values: [String] = []
        values.reserveCapacity(fieldEnds.count)
        for k in 0..<fieldEnds.count {
            guard let s = fieldString(k) else {
                return .failure(RecordError(line: line, code: .invalidUTF8, field: cols.names[k],
                                            reason: "field is not valid UTF-8"))
            }
            values.append(s)
        }
        func nonEmpty(_ idx: Int?) -> String? {
            guard let idx else { return nil }
            let v = values[idx]
            return isBlank(v) ? nil : v
        }
        guard let question = nonEmpty(cols.question) else {
            return .failure(RecordError(line: line, code: .missingTurn, field: cols.names[cols.question],
                                        reason: "question is empty: conversation has no user turn"))
        }
        guard let answer = nonEmpty(cols.answer) else {
            return .failure(RecordError(line: line, code: .missingTurn, field: cols.names[cols.answer],
                                        reason: "answer is empty: conversation has no assistant turn"))
        }
        var messages: [ChatMessage] = []
        if let system = nonEmpty(cols.system) { messages.append(ChatMessage(role: .system, content: system)) }
        messages.append(ChatMessage(role: .user, content: question))
        messages.append(ChatMessage(role: .assistant, content: answer))
        var md = SampleMetadata(source: nonEmpty(cols.source), category: nonEmpty(cols.category))
        if let q = cols.quality, let text = nonEmpty(q) {
            let t = asciiLowercasedTrimmed(text)
            guard let d = Double(t), d.isFinite else {
                return .failure(RecordError(line: line, code: .invalidFieldType, field: cols.names[q],
                                            reason: "quality_score \"\(text)\" is not a number"))
            }
            md.qualityScore = d
        }
        for k in 0..<values.count where !cols.mapped[k] && !values[k].isEmpty {
            let name = cols.names[k]
            if md.extra[name] == nil {
                var out: [UInt8] = []
                appendJSONString(values[k], to: &out)
                md.extra[name] = String(decoding: out, as: UTF8.self)
            }
        }
        return .success(ChatSample(id: nonEmpty(cols.id) ?? String(line), messages: messages, metadata: md))
    }

    private func isBlank(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 == Byte.space || $0 == Byte.tab || $0 == Byte.cr || $0 == Byte.lf }
    }
}
