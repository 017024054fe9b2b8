#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a JSONL byte stream, fed in chunks of any size, into lines.
///
/// A line wholly inside one chunk is handed out without copying; only a line
/// that straddles chunks is assembled in a carry buffer, which never grows past
/// `maxRecordBytes`. A longer line is reported once as `recordTooLarge` and its
/// remaining bytes are skipped up to the next newline. Blank (whitespace-only)
/// lines are skipped, a trailing `\r` is dropped, and a UTF-8 BOM on line 1 is
/// ignored. Use it directly to parse lines on several threads
/// (`ChatSampleJSON.parse(line:lineNumber:)` is thread-safe).
public struct JSONLLineSplitter: Sendable {
    public enum Event {
        /// A non-blank line (without its newline) and its 1-based number. The
        /// buffer is only valid during the callback.
        case line(UnsafeRawBufferPointer, lineNumber: Int)
        case tooLarge(RecordError)
    }

    public let maxRecordBytes: Int
    /// Number of the line currently being read (1-based).
    public private(set) var lineNumber = 1
    private var carry: [UInt8] = []
    private var skipping = false

    public init(maxRecordBytes: Int = IngestOptions.defaultMaxRecordBytes) {
        precondition(maxRecordBytes > 0)
        self.maxRecordBytes = maxRecordBytes
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Event) throws -> Void) rethrows {
        guard let raw = chunk.baseAddress, chunk.count > 0 else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let n = chunk.count
        var p = 0
        while p < n {
            let nlPtr = memchr(base + p, 0x0A, n - p)
            if skipping {
                guard let nlPtr else { return }
                p = UnsafeRawPointer(nlPtr) - raw + 1
                skipping = false
                lineNumber += 1
                continue
            }
            guard let nlPtr else {
                // Partial line: keep it for the next chunk, within the limit.
                let part = n - p
                if carry.count + part > maxRecordBytes {
                    try emit(.tooLarge(tooLargeError()))
                    carry.removeAll(keepingCapacity: false)
                    skipping = true
                } else {
                    carry.append(contentsOf: UnsafeBufferPointer(start: base + p, count: part))
                }
                return
            }
            let nl = UnsafeRawPointer(nlPtr) - raw
            let len = nl - p
            if carry.isEmpty {
                if len > maxRecordBytes {
                    try emit(.tooLarge(tooLargeError()))
                } else {
                    try emitLine(base + p, len, emit)
                }
            } else {
                if carry.count + len > maxRecordBytes {
                    try emit(.tooLarge(tooLargeError()))
                } else {
                    carry.append(contentsOf: UnsafeBufferPointer(start: base + p, count: len))
                    try carry.withUnsafeBufferPointer { try emitLine($0.baseAddress!, $0.count, emit) }
                }
                carry.removeAll(keepingCapacity: true)
            }
            lineNumber += 1
            p = nl + 1
        }
    }

    /// Flushes a last line that has no trailing newline.
    public mutating func finish(_ emit: (Event) throws -> Void) rethrows {
        defer { carry.removeAll(); skipping = false }
        guard !skipping, !carry.isEmpty else { return }
        try carry.withUnsafeBufferPointer { try emitLine($0.baseAddress!, $0.count, emit) }
    }

    private func tooLargeError() -> RecordError {
        RecordError(line: lineNumber, code: .recordTooLarge,
                    reason: "line is longer than the \(maxRecordBytes)-byte record limit; skipped")
    }

    @inline(__always)
    private func emitLine(_ start: UnsafePointer<UInt8>, _ length: Int, _ emit: (Event) throws -> Void) rethrows {
        var s = start
        var len = length
        if len > 0, s[len - 1] == Byte.cr { len -= 1 }
        if lineNumber == 1, len >= 3, s[0] == 0xEF, s[1] == 0xBB, s[2] == 0xBF { s += 3; len -= 3 }
        guard len > 0 else { return }
        let first = s[0]
        if first == Byte.space || first == Byte.tab || first == Byte.cr {
            var k = 1
            while k < len, s[k] == Byte.space || s[k] == Byte.tab || s[k] == Byte.cr { k += 1 }
            if k == len { return }
        }
        try emit(.line(UnsafeRawBufferPointer(start: s, count: len), lineNumber: lineNumber))
    }
}
