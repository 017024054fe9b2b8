import DatasetDomain
import Foundation
import ServiceKit

/// A version's content: canonical JSONL (one ChatSample per line), encrypted
/// into the blob store. The version's address is the plaintext's sha256.
struct StoredFile: Sendable {
    var plainSHA256: String
    var blobSHA256: String
    var plainSize: Int
    var samples: Int
}

/// Streams canonical lines into a staged encrypted file, then installs it as a blob.
final class VersionWriter: @unchecked Sendable {
    private let blobs: BlobStore
    private let staged: URL
    private let writer: EncryptedFileWriter
    private var line: [UInt8] = []
    private(set) var samples = 0
    private var closed = false

    init(blobs: BlobStore, key: DataKey) throws {
        self.blobs = blobs
        staged = blobs.stagingURL()
        writer = try EncryptedFileWriter(url: staged, key: key)
        line.reserveCapacity(1 << 16)
    }

    deinit { if !closed { try? FileManager.default.removeItem(at: staged) } }

    /// A canonical line already encoded (with its newline) by the caller.
    func appendEncoded(_ line: [UInt8]) throws {
        try writer.write(line)
        samples += 1
    }

    func append(_ sample: ChatSample) throws {
        line.removeAll(keepingCapacity: true)
        ChatSampleJSON.encode(sample, into: &line)
        line.append(0x0A)
        try writer.write(line)
        samples += 1
    }

    /// Seals and installs the file. When `reuse` finds an existing blob with the
    /// same plaintext, that one is kept and the new file discarded.
    func commit(reuse: (String) async throws -> String?) async throws -> StoredFile {
        let digests = try writer.finish()
        closed = true
        if let existing = try await reuse(digests.plainSHA256), let address = BlobAddress(sha256: existing), blobs.contains(address) {
            try? FileManager.default.removeItem(at: staged)
            return StoredFile(plainSHA256: digests.plainSHA256, blobSHA256: existing, plainSize: writer.plainSize, samples: samples)
        }
        let address = try blobs.adopt(staged: staged, sha256: digests.cipherSHA256)
        return StoredFile(plainSHA256: digests.plainSHA256, blobSHA256: address.sha256, plainSize: writer.plainSize, samples: samples)
    }

    /// Drops the staged file (a rejected ingest writes nothing).
    func discard() {
        closed = true
        try? FileManager.default.removeItem(at: staged)
    }
}

/// Reads a stored version back as raw canonical lines (batches of byte
/// ranges), for the pipeline to parse on several threads.
final class VersionReader {
    private let reader: EncryptedFileReader
    private var carry: [UInt8] = []
    private var lineNumber = 0
    private var exhausted = false

    init(blobs: BlobStore, blobSHA256: String, key: DataKey) throws {
        guard let address = BlobAddress(sha256: blobSHA256), blobs.contains(address) else {
            throw EncryptedFileError("the version's file \(blobSHA256) is missing from the blob store")
        }
        reader = try EncryptedFileReader(url: blobs.url(for: address), key: key)
    }

    /// Up to about `targetBytes` of whole lines: one buffer plus each line's
    /// range and number. nil at the end.
    func nextBatch(targetBytes: Int = 1 << 20) throws -> LineBatch? {
        var buffer = carry
        carry = []
        while buffer.count < targetBytes, !exhausted {
            if let segment = try reader.next() { buffer.append(contentsOf: segment) } else { exhausted = true }
        }
        if buffer.isEmpty { return nil }
        var ranges: [Range<Int>] = []
        var start = 0
        var lastEnd = 0
        buffer.withUnsafeBufferPointer { bytes in
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0x0A {
                    if i > start { ranges.append(start..<i) }
                    start = i + 1
                    lastEnd = start
                }
                i += 1
            }
        }
        if lastEnd < buffer.count {
            if exhausted {
                ranges.append(lastEnd..<buffer.count)
                lastEnd = buffer.count
            } else {
                carry = Array(buffer[lastEnd...])
            }
        }
        if lastEnd < buffer.count { buffer.removeSubrange(lastEnd...) }
        let first = lineNumber + 1
        lineNumber += ranges.count
        if ranges.isEmpty && exhausted && carry.isEmpty { return buffer.isEmpty ? nil : LineBatch(bytes: buffer, lines: [], firstLine: first) }
        return LineBatch(bytes: buffer, lines: ranges, firstLine: first)
    }

    /// Every sample in order (for the smaller jobs: split, diff, export).
    func forEachSample(_ body: (ChatSample) throws -> Void) throws {
        while let batch = try nextBatch() {
            for (offset, range) in batch.lines.enumerated() {
                try body(try batch.parse(offset, range))
            }
        }
    }
}

struct LineBatch: Sendable {
    let bytes: [UInt8]
    let lines: [Range<Int>]
    let firstLine: Int

    func parse(_ offset: Int, _ range: Range<Int>) throws -> ChatSample {
        try bytes.withUnsafeBytes { raw in
            switch ChatSampleJSON.parse(line: UnsafeRawBufferPointer(rebasing: raw[range]), lineNumber: firstLine + offset) {
            case .success(let sample): return sample
            case .failure(let error): throw EncryptedFileError("stored version is corrupt at line \(error.line): \(error.reason)")
            }
        }
    }
}
