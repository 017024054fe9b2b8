/// Input formats the ingest parsers read natively. Parquet is converted to
/// JSONL by a separate step before it reaches these parsers.
public enum InputFormat: String, Sendable, CaseIterable, Codable {
    case jsonl, json, csv

    /// Parses a format name as a request gives it (case-insensitive; `ndjson`
    /// and `jsonlines` are accepted as JSONL).
    public init(name: String) throws(IngestError) {
        switch asciiLowercasedTrimmed(name) {
        case "jsonl", "ndjson", "jsonlines": self = .jsonl
        case "json": self = .json
        case "csv": self = .csv
        default: throw .unknownFormat(name)
        }
    }

    /// Picks the format from a file name's extension (`data.jsonl` → `.jsonl`).
    public init(fileName: String) throws(IngestError) {
        guard let dot = fileName.utf8.lastIndex(of: UInt8(ascii: ".")) else {
            throw .unknownFormat(fileName)
        }
        let ext = String(fileName[fileName.utf8.index(after: dot)...])
        do { try self.init(name: ext) } catch { throw .unknownFormat(fileName) }
    }
}

/// File-level errors that stop ingest before any record is read.
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The format name or file extension is not one of `InputFormat`.
    case unknownFormat(String)

    public var description: String {
        switch self {
        case .unknownFormat(let name):
            return "unknown input format \"\(name)\" (expected one of jsonl, json, csv; convert Parquet to JSONL first)"
        }
    }
}

/// Why one record (a JSONL line, a JSON array element, a CSV row) was rejected.
///
/// `line` is the 1-based line the record starts on. File-level problems
/// (an empty file) use line `RecordError.fileLevelLine` (0).
public struct RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// Bytes that are not valid UTF-8 (or a lone UTF-16 surrogate in a `\u` escape).
        case invalidUTF8 = "invalid_utf8"
        /// The record is longer than `IngestOptions.maxRecordBytes`; it was skipped unread.
        case recordTooLarge = "record_too_large"
        /// JSON syntax error.
        case invalidJSON = "invalid_json"
        /// The record (or array element) is valid JSON but not an object.
        case notAnObject = "not_an_object"
        /// A required field is absent (`messages`, a message's `role`/`content`).
        case missingField = "missing_field"
        /// A field has the wrong JSON type (`id` an array, `metadata.quality_score` a string, …).
        case invalidFieldType = "invalid_field_type"
        /// `messages` is an empty array.
        case emptyMessages = "empty_messages"
        /// A role other than system/user/assistant.
        case invalidRole = "invalid_role"
        /// A message's `content` is not a string (null, number, array of parts, …).
        case nonStringContent = "non_string_content"
        /// The conversation has no user turn or no assistant turn.
        case missingTurn = "missing_turn"
        /// The file holds no records at all.
        case emptyFile = "empty_file"
        /// CSV syntax error (text after a closing quote, unterminated quoted field).
        case csvMalformed = "csv_malformed"
        /// The CSV header lacks a mapped required column.
        case csvMissingColumn = "csv_missing_column"
        /// A CSV row's field count differs from the header's.
        case csvFieldCount = "csv_field_count"
    }

    /// Line number used for errors about the file as a whole.
    public static let fileLevelLine = 0

    public var line: Int
    public var code: Code
    /// The offending field as a path (`messages[2].content`, `metadata.quality_score`, CSV column name), when one applies.
    public var field: String?
    public var reason: String

    public init(line: Int, code: Code, field: String? = nil, reason: String) {
        self.line = line
        self.code = code
        self.field = field
        self.reason = reason
    }

    public var description: String {
        if let field { return "line \(line): \(code.rawValue) (\(field)): \(reason)" }
        return "line \(line): \(code.rawValue): \(reason)"
    }
}

/// CSV column names mapped onto the chat format. `question` becomes the user
/// turn, `answer` the assistant turn, `system` (when present and non-empty) a
/// leading system turn. Optional columns missing from the header are ignored;
/// `question` and `answer` must exist. Header matching ignores ASCII case and
/// surrounding spaces. Unmapped columns are kept in `metadata.extra` as JSON strings.
public struct CSVColumnMapping: Sendable, Equatable {
    public var question: String
    public var answer: String
    public var system: String?
    public var category: String?
    public var source: String?
    public var id: String?
    public var qualityScore: String?

    public init(
        question: String = "question",
        answer: String = "answer",
        system: String? = "system",
        category: String? = "category",
        source: String? = "source",
        id: String? = "id",
        qualityScore: String? = "quality_score"
    ) {
        self.question = question
        self.answer = answer
        self.system = system
        self.category = category
        self.source = source
        self.id = id
        self.qualityScore = qualityScore
    }
}

/// What the service does with a file that has bad records. The parsers always
/// report every record; the caller applies this policy.
public enum BadRecordPolicy: String, Sendable, Codable, CaseIterable {
    /// Any bad record rejects the whole file.
    case rejectFile = "reject"
    /// Bad records are dropped (and reported); good ones are kept.
    case dropBadRecords = "drop"
}

public struct IngestOptions: Sendable, Equatable {
    public static let defaultMaxRecordBytes = 4 << 20

    public var format: InputFormat
    /// Longest record (line, array element, CSV row) in bytes; longer ones are
    /// reported as `recordTooLarge` and skipped without being buffered.
    public var maxRecordBytes: Int
    public var csvMapping: CSVColumnMapping
    /// One ASCII byte; `,` by default (use `\t` for TSV).
    public var csvDelimiter: UInt8
    public var badRecordPolicy: BadRecordPolicy

    /// The delimiter byte for a request's delimiter text (`,` `;` `|`, `\t` or
    /// `tab`), or nil when it is not usable. Check user input with this: the
    /// initializer traps on an invalid delimiter or a non-positive record limit.
    public static func csvDelimiter(from text: String) -> UInt8? {
        let lower = asciiLowercasedTrimmed(text)
        if lower == "tab" || lower == "\\t" || text == "\t" { return 0x09 }
        let bytes = Array(text.utf8)
        guard bytes.count == 1, let b = bytes.first, b >= 0x20, b < 0x7F, b != UInt8(ascii: "\""),
              !(b >= 0x30 && b <= 0x39), !(b >= 0x41 && b <= 0x5A), !(b >= 0x61 && b <= 0x7A) else { return nil }
        return b
    }

    public init(
        format: InputFormat,
        maxRecordBytes: Int = IngestOptions.defaultMaxRecordBytes,
        csvMapping: CSVColumnMapping = CSVColumnMapping(),
        csvDelimiter: UInt8 = UInt8(ascii: ","),
        badRecordPolicy: BadRecordPolicy = .rejectFile
    ) {
        precondition(maxRecordBytes > 0, "maxRecordBytes must be positive")
        precondition(csvDelimiter < 0x80 && csvDelimiter != UInt8(ascii: "\"") && csvDelimiter != 0x0A && csvDelimiter != 0x0D,
                     "csvDelimiter must be an ASCII byte other than quote, CR and LF")
        self.format = format
        self.maxRecordBytes = maxRecordBytes
        self.csvMapping = csvMapping
        self.csvDelimiter = csvDelimiter
        self.badRecordPolicy = badRecordPolicy
    }
}

/// One record's outcome, in file order.
public struct ParsedRecord: Sendable, Equatable {
    /// 1-based line the record starts on (0 for file-level errors).
    public var line: Int
    public var result: Result<ChatSample, RecordError>

    public init(line: Int, result: Result<ChatSample, RecordError>) {
        self.line = line
        self.result = result
    }

    public var sample: ChatSample? {
        if case .success(let s) = result { return s }
        return nil
    }

    public var error: RecordError? {
        if case .failure(let e) = result { return e }
        return nil
    }
}

/// Totals over one file, returned by `SampleReader.finish`.
public struct IngestSummary: Sendable, Equatable {
    public var bytes: Int = 0
    public var accepted: Int = 0
    public var rejected: Int = 0
    public var records: Int { accepted + rejected }

    public init() {}

    mutating func count(_ r: Result<ChatSample, RecordError>) {
        switch r {
        case .success: accepted += 1
        case .failure: rejected += 1
        }
    }
}

func asciiLowercasedTrimmed(_ s: String) -> String {
    var bytes = Array(s.utf8)
    while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
    var start = 0
    while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
    for i in start..<bytes.count where bytes[i] >= 0x41 && bytes[i] <= 0x5A { bytes[i] += 0x20 }
    return String(decoding: bytes[start...], as: UTF8.self)
}
