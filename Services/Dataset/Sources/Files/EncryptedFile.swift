import Crypto
import Foundation
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// The key that encrypts training data at rest (ARCHITECTURE.md: AES-256-GCM,
/// key from the environment): 32 bytes as base64 or 64 hex digits.
public struct DataKey: Sendable {
    let key: SymmetricKey

    public init?(encoded: String) {
        let text = encoded.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8]?
        if text.count == 64, text.allSatisfy(\.isHexDigit) {
            var out: [UInt8] = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                out.append(UInt8(text[index..<next], radix: 16)!)
                index = next
            }
            bytes = out
        } else if let data = Data(base64Encoded: text) {
            bytes = [UInt8](data)
        }
        guard let bytes, bytes.count == 32 else { return nil }
        key = SymmetricKey(data: bytes)
    }
}

public struct EncryptedFileError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Streaming AES-256-GCM in fixed-size segments (the STREAM construction), so
/// a 200 MB version is written and read in 1 MiB pieces, never whole:
///
///     header  "MLDSENC1" | segment size (UInt32 BE) | nonce prefix (8 random bytes)
///     segment ciphertext (segment size bytes, the last one shorter) | tag (16)
///
/// Segment i's nonce is the prefix followed by i (UInt32 BE); its associated
/// data is the header plus one byte that marks the final segment, so segments
/// cannot be reordered, dropped or the file truncated without the reader failing.
enum SegmentedGCM {
    static let magic = Array("MLDSENC1".utf8)
    static let headerSize = 20
    static let tagSize = 16
    static let defaultSegmentSize = 1 << 20

    static func nonce(prefix: [UInt8], index: UInt32) throws -> AES.GCM.Nonce {
        var bytes = prefix
        bytes.append(UInt8(truncatingIfNeeded: index >> 24))
        bytes.append(UInt8(truncatingIfNeeded: index >> 16))
        bytes.append(UInt8(truncatingIfNeeded: index >> 8))
        bytes.append(UInt8(truncatingIfNeeded: index))
        return try AES.GCM.Nonce(data: bytes)
    }

    static func associatedData(header: [UInt8], final: Bool) -> [UInt8] {
        header + [final ? 1 : 0]
    }
}

/// Writes plaintext into an encrypted file, hashing both the plaintext (the
/// version's content address) and the ciphertext (the blob's address).
final class EncryptedFileWriter {
    private let fd: Int32
    private let key: SymmetricKey
    private let header: [UInt8]
    private let prefix: [UInt8]
    private let segmentSize: Int
    private var buffer: [UInt8] = []
    private var index: UInt32 = 0
    private var plainHash = SHA256()
    private var cipherHash = SHA256()
    private(set) var plainSize = 0
    private(set) var cipherSize = 0
    private var finished = false

    init(url: URL, key: DataKey, segmentSize: Int = SegmentedGCM.defaultSegmentSize) throws {
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw EncryptedFileError("cannot create \(url.lastPathComponent) (errno \(errno))") }
        self.key = key.key
        self.segmentSize = segmentSize
        var prefix = [UInt8](repeating: 0, count: 8)
        var generator = SystemRandomNumberGenerator()
        for i in 0..<8 { prefix[i] = UInt8.random(in: 0...255, using: &generator) }
        self.prefix = prefix
        let size = UInt32(segmentSize)
        header = SegmentedGCM.magic + [UInt8(size >> 24), UInt8((size >> 16) & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)] + prefix
        buffer.reserveCapacity(segmentSize)
        try writeAll(header)
    }

    deinit { if !finished { close(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if buffer.count == segmentSize { try seal(final: false) }
            let take = min(segmentSize - buffer.count, bytes.count - offset)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Seals the last segment, syncs and closes. Returns the hex digests.
    func finish() throws -> (plainSHA256: String, cipherSHA256: String) {
        try seal(final: true)
        finished = true
        defer { close(fd) }
        guard fdatasync(fd) == 0 else { throw EncryptedFileError("cannot sync the encrypted file (errno \(errno))") }
        return (hexString(plainHash.finalize()), hexString(cipherHash.finalize()))
    }

    private func seal(final: Bool) throws {
        plainHash.update(data: buffer)
        plainSize += buffer.count
        let box = try AES.GCM.seal(buffer, using: key, nonce: SegmentedGCM.nonce(prefix: prefix, index: index),
                                   authenticating: SegmentedGCM.associatedData(header: header, final: final))
        try writeAll([UInt8](box.ciphertext) + [UInt8](box.tag))
        index += 1
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        cipherHash.update(data: bytes)
        cipherSize += bytes.count
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw EncryptedFileError("cannot write the encrypted file (errno \(errno))")
                }
                done += n
            }
        }
    }
}

/// Reads an encrypted file back segment by segment; any tampering, truncation
/// or wrong key fails with an error, never with wrong plaintext.
final class EncryptedFileReader {
    private let fd: Int32
    private let key: SymmetricKey
    private let header: [UInt8]
    private let prefix: [UInt8]
    private let segmentSize: Int
    private let fileSize: Int
    private var offset: Int
    private var index: UInt32 = 0
    private var done = false

    init(url: URL, key: DataKey) throws {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw EncryptedFileError("cannot open \(url.lastPathComponent) (errno \(errno))") }
        fd = descriptor
        self.key = key.key
        var status = stat()
        fstat(descriptor, &status)
        fileSize = Int(status.st_size)
        var header = [UInt8](repeating: 0, count: SegmentedGCM.headerSize)
        let n = header.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, SegmentedGCM.headerSize) }
        guard n == SegmentedGCM.headerSize, Array(header[0..<8]) == SegmentedGCM.magic else {
            close(descriptor)
            throw EncryptedFileError("not an encrypted dataset file")
        }
        self.header = header
        segmentSize = Int(header[8]) << 24 | Int(header[9]) << 16 | Int(header[10]) << 8 | Int(header[11])
        prefix = Array(header[12..<20])
        offset = SegmentedGCM.headerSize
    }

    deinit { close(fd) }

    /// The next segment's plaintext, or nil after the final one.
    func next() throws -> [UInt8]? {
        if done { return nil }
        let length = min(segmentSize + SegmentedGCM.tagSize, fileSize - offset)
        guard length >= SegmentedGCM.tagSize else { throw EncryptedFileError("the encrypted file is truncated") }
        var chunk = [UInt8](repeating: 0, count: length)
        var got = 0
        while got < length {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, length - got, off_t(offset + got)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw EncryptedFileError("cannot read the encrypted file (errno \(errno))") }
            got += n
        }
        offset += length
        let final = offset == fileSize
        let box = try AES.GCM.SealedBox(
            nonce: SegmentedGCM.nonce(prefix: prefix, index: index),
            ciphertext: chunk[0..<(length - SegmentedGCM.tagSize)],
            tag: chunk[(length - SegmentedGCM.tagSize)...]
        )
        let plain: Data
        do {
            plain = try AES.GCM.open(box, using: key, authenticating: SegmentedGCM.associatedData(header: header, final: final))
        } catch {
            throw EncryptedFileError("segment \(index) does not authenticate: wrong key, or the file was altered or truncated")
        }
        index += 1
        done = final
        return [UInt8](plain)
    }
}
