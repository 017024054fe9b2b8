import Contracts
import DatasetDomain
import Foundation
import JSON
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// What to do with lines that fail to parse or validate.
enum BadLinePolicy: String, Sendable {
    /// Any bad line rejects the whole file: nothing is stored but the report.
    case reject
    /// Bad lines are left out and counted; the rest is stored.
    case drop
}

enum IngestOutcome: Sendable {
    case stored(StoredFile, report: Mlops_V1_Dataset_IngestReport, statsJSON: String)
    case rejected(Mlops_V1_Dataset_IngestReport)
}

/// Reads an uploaded file in 4 MiB chunks (never whole), parses every record
/// into the chat format, and writes the canonical, encrypted version — or,
/// under `reject`, nothing but a report of every bad line.
struct Ingest {
    static let maxReportedErrors = 100
    let options: IngestOptions
    let policy: BadLinePolicy

    func run(source: URL, blobs: BlobStore, key: DataKey, reuse: @escaping (String) async throws -> String?) async throws -> IngestOutcome {
        let (file, report, stats) = try await runOnThread {
            try self.parse(source: source, blobs: blobs, key: key)
        }
        guard let file else { return .rejected(report) }
        let stored = try await file.commit(reuse: reuse)
        return .stored(stored, report: report, statsJSON: stats)
    }

    private func parse(source: URL, blobs: BlobStore, key: DataKey) throws -> (VersionWriter?, Mlops_V1_Dataset_IngestReport, String) {
        let fd = open(source.path, O_RDONLY)
        guard fd >= 0 else { throw IngestFailure(field: "file", reason: "cannot open the uploaded file (errno \(errno))") }
        defer { close(fd) }
        let writer = try VersionWriter(blobs: blobs, key: key)
        nonisolated(unsafe) var reader = SampleReader(options: options)
        var report = Mlops_V1_Dataset_IngestReport()
        var stats = DatasetStatsAccumulator()
        var seenIds: [String: Int] = [:]
        var failed = false
        let chunkSize = 4 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }

        func handle(_ item: IngestItem) throws {
            // A mapping that names no header column is the request's error, not the file's (API.md: 400).
            if case .failure(let error) = item.record.result, error.code == .csvMissingColumn {
                writer.discard()
                throw IngestFailure(field: error.field ?? "columns", reason: error.reason)
            }
            let record = item.record
            switch record.result {
            case .success(let sample):
                if let first = seenIds[sample.id] {
                    note(LineError(line: record.line, field: "id", reason: "duplicate id '\(sample.id.prefix(64))' (first on line \(first))"))
                    return
                }
                seenIds[sample.id] = record.line
                report.goodLines += 1
                if !failed {
                    try writer.appendEncoded(item.encoded)
                    stats.add(sample, tokenCount: item.size.tokens, charCount: item.size.chars)
                }
            case .failure(let error):
                note(LineError(line: record.line, field: error.field ?? "", reason: error.reason))
            }
        }
        func note(_ error: LineError) {
            report.badLines += 1
            if report.errors.count < Self.maxReportedErrors {
                var proto = Mlops_V1_Dataset_LineError()
                proto.line = Int64(error.line)
                proto.field = error.field
                proto.reason = error.reason
                report.errors.append(proto)
            }
            if policy == .reject { failed = true }
        }

        // Reading and parsing run one chunk ahead of canonicalising, encrypting
        // and counting (two stages, two cores).
        var readerDone = false
        let parsed = Prefetch<[IngestItem]> {
            if readerDone { return nil }
            var records: [ParsedRecord] = []
            while records.isEmpty {
                let n = read(fd, chunk.baseAddress!, chunkSize)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw IngestFailure(field: "file", reason: "cannot read the uploaded file (errno \(errno))")
                }
                if n == 0 {
                    _ = reader.finish { records.append($0) }
                    readerDone = true
                    break
                }
                reader.feed(UnsafeRawBufferPointer(rebasing: chunk[0..<n])) { records.append($0) }
            }
            // Canonical encoding and sizes here too, off the writing thread.
            return records.map(IngestItem.init)
        }
        defer { parsed.cancel() }
        while let items = try parsed.next() {
            for item in items { try handle(item) }
        }
        if report.goodLines == 0 && report.badLines == 0 {
            writer.discard()
            throw IngestFailure(field: "file", reason: "the file holds no samples")
        }
        if failed || report.goodLines == 0 {
            writer.discard()
            if report.goodLines == 0 && policy == .drop {
                throw IngestFailure(field: "file", reason: "every one of the \(report.badLines) records is bad; first: line \(report.errors.first?.line ?? 0): \(report.errors.first?.reason ?? "")")
            }
            return (nil, report, "")
        }
        let statsJSON = try StatsDocument.json(stats.finish(), extra: ["validated": .bool(false)])
        return (writer, report, statsJSON)
    }
}

/// One parsed record with, for a good one, its canonical line and size.
struct IngestItem {
    let record: ParsedRecord
    var encoded: [UInt8] = []
    var size = SampleSize()

    init(_ record: ParsedRecord) {
        self.record = record
        if case .success(let sample) = record.result {
            ChatSampleJSON.encode(sample, into: &encoded)
            encoded.append(0x0A)
            size = SampleSize(sample)
        }
    }
}

struct LineError: Sendable {
    var line: Int
    var field: String
    var reason: String
}

/// The request cannot be ingested at all (empty file, unreadable, unknown format).
struct IngestFailure: Error, Sendable {
    var field: String
    var reason: String
}

/// Runs blocking, CPU-heavy work on its own thread so Swift's two cooperative
/// threads stay free for the bus, the database driver and health checks.
func runOnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
