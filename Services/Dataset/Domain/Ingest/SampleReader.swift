/// Push parser for one uploaded file: the caller reads the file in chunks of
/// any size (1–4 MiB is a good size) and feeds them in order; every record
/// comes out as a `ParsedRecord` in file order, good or bad. Memory stays
/// bounded by the chunk size plus one record (`maxRecordBytes`).
///
/// ```swift
/// var reader = SampleReader(options: IngestOptions(format: .jsonl))
/// while let chunk = try file.read(upToCount: 4 << 20) {
///     try chunk.withUnsafeBytes { try reader.feed($0) { record in … } }
/// }
/// let summary = try reader.finish { record in … }
/// ```
///
/// A file without any record yields one `emptyFile` error at line 0 from `finish`.
public struct SampleReader: Sendable {
    public let options: IngestOptions
    public private(set) var summary = IngestSummary()
    private var lines: JSONLLineSplitter?
    private var array: JSONArrayStreamer?
    private var csv: CSVSampleReader?
    private var finished = false

    public init(options: IngestOptions) {
        self.options = options
        switch options.format {
        case .jsonl: lines = JSONLLineSplitter(maxRecordBytes: options.maxRecordBytes)
        case .json: array = JSONArrayStreamer(maxRecordBytes: options.maxRecordBytes)
        case .csv: csv = CSVSampleReader(options: options)
        }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (ParsedRecord) throws -> Void) rethrows {
        precondition(!finished, "feed after finish")
        var sum = summary
        sum.bytes += chunk.count
        defer { summary = sum }
        switch options.format {
        case .jsonl:
            var s = lines.unsafelyUnwrapped
            lines = nil
            defer { lines = s }
            try s.feed(chunk) { event in
                let record = Self.record(for: event)
                sum.count(record.result)
                try emit(record)
            }
        case .json:
            var s = array.unsafelyUnwrapped
            array = nil
            defer { array = s }
            try s.feed(chunk) { event in
                let record = Self.record(for: event)
                sum.count(record.result)
                try emit(record)
            }
        case .csv:
            var s = csv.unsafelyUnwrapped
            csv = nil
            defer { csv = s }
            try s.feed(chunk) { record in
                sum.count(record.result)
                try emit(record)
            }
        }
    }

    public mutating func feed(_ bytes: [UInt8], _ emit: (ParsedRecord) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { try feed($0, emit) }
    }

    /// Flushes the last record and reports an unterminated or empty file.
    @discardableResult
    public mutating func finish(_ emit: (ParsedRecord) throws -> Void) rethrows -> IngestSummary {
        guard !finished else { return summary }
        finished = true
        var sum = summary
        defer { summary = sum }
        switch options.format {
        case .jsonl:
            try lines!.finish { event in
                let record = Self.record(for: event)
                sum.count(record.result)
                try emit(record)
            }
        case .json:
            try array!.finish { event in
                let record = Self.record(for: event)
                sum.count(record.result)
                try emit(record)
            }
        case .csv:
            try csv!.finish { record in
                sum.count(record.result)
                try emit(record)
            }
        }
        if sum.records == 0 {
            let reason: String
            switch options.format {
            case .jsonl: reason = sum.bytes == 0 ? "file is empty" : "file holds only blank lines"
            case .json: reason = sum.bytes == 0 ? "file is empty" : "file holds no samples"
            case .csv: reason = sum.bytes == 0 ? "file is empty" : "CSV file has no data rows"
            }
            let e = RecordError(line: RecordError.fileLevelLine, code: .emptyFile, reason: reason)
            sum.rejected += 1
            try emit(ParsedRecord(line: e.line, result: .failure(e)))
        }
        return sum
    }

    /// Reads a whole in-memory buffer (tests, small files).
    public static func readAll(_ bytes: [UInt8], options: IngestOptions) -> [ParsedRecord] {
        var reader = SampleReader(options: options)
        var out: [ParsedRecord] = []
        reader.feed(bytes) { out.append($0) }
        reader.finish { out.append($0) }
        return out
    }

    private static func record(for event: JSONLLineSplitter.Event) -> ParsedRecord {
        switch event {
        case .line(let buf, let n):
            return ParsedRecord(line: n, result: ChatSampleJSON.parse(line: buf, lineNumber: n))
        case .tooLarge(let e):
            return ParsedRecord(line: e.line, result: .failure(e))
        }
    }

    private static func record(for event: JSONArrayStreamer.Event) -> ParsedRecord {
        switch event {
        case .element(let buf, let n):
            return ParsedRecord(line: n, result: ChatSampleJSON.parse(line: buf, lineNumber: n))
        case .error(let e):
            return ParsedRecord(line: e.line, result: .failure(e))
        }
    }
}
