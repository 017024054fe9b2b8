import Crypto
import Foundation

/// The sha256 address of a stored blob: 64 lower-case hex digits, so it can
/// never name a path outside the store.
public struct BlobAddress: Hashable, Sendable, CustomStringConvertible {
    public let sha256: String

    public init?(sha256: String) {
        guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.sha256 = sha256
    }

    public var description: String { "sha256:\(sha256)" }
}

public struct BlobStoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The content's sha256 is not the one the caller announced.
public struct BlobDigestMismatch: Error, CustomStringConvertible {
    public let expected: String
    public let actual: String
    public var description: String { "sha256 is \(actual), expected \(expected)" }
}

/// Content-addressed files under `DATA_ROOT/blobs`: written to a temporary
/// file, hashed, then renamed into place, so a reader never sees half a blob
/// and the same content is stored once.
public struct BlobStore: Sendable {
    public let root: URL
    private var temporary: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    public init(dataRoot: URL) throws {
        root = dataRoot.appendingPathComponent("blobs", isDirectory: true).standardizedFileURL
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
    }

    public func url(for address: BlobAddress) -> URL {
        let hex = address.sha256
        return root
            .appendingPathComponent(String(hex.prefix(2)), isDirectory: true)
            .appendingPathComponent(String(hex.dropFirst(2).prefix(2)), isDirectory: true)
            .appendingPathComponent(hex)
    }

    public func contains(_ address: BlobAddress) -> Bool {
        FileManager.default.fileExists(atPath: url(for: address).path)
    }

    @discardableResult
    public func put(_ data: Data) throws -> (address: BlobAddress, size: Int) {
        let staging = temporary.appendingPathComponent(UUID().uuidString)
        try data.write(to: staging, options: .atomic)
        let digest = hexString(SHA256.hash(data: data))
        return (try install(staging: staging, sha256: digest), data.count)
    }

    /// Hashes a file in chunks (large uploads need not fit in memory) and moves
    /// or copies it into the store. `file` must already be inside the data root.
    /// With `expectedSHA256`, installs nothing (and leaves `file` where it is)
    /// when the content's sha256 differs: throws `BlobDigestMismatch`.
    @discardableResult
    public func put(contentsOf file: URL, move: Bool, expectedSHA256: String? = nil) throws -> (address: BlobAddress, size: Int) {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        let digest = hexString(hasher.finalize())
        if let expectedSHA256, expectedSHA256.lowercased() != digest {
            throw BlobDigestMismatch(expected: expectedSHA256, actual: digest)
        }
        let staging = temporary.appendingPathComponent(UUID().uuidString)
        if move {
            try FileManager.default.moveItem(at: file, to: staging)
        } else {
            try FileManager.default.copyItem(at: file, to: staging)
        }
        return (try install(staging: staging, sha256: digest), size)
    }

    /// A fresh path in the store's staging folder (same file system as the
    /// blobs, so `adopt` is a rename).
    public func stagingURL() -> URL {
        temporary.appendingPathComponent(UUID().uuidString)
    }

    /// Installs a staged file whose sha256 the caller computed while writing it
    /// (saves re-reading large files).
    public func adopt(staged file: URL, sha256: String) throws -> BlobAddress {
        guard BlobAddress(sha256: sha256) != nil else { throw BlobStoreError("'\(sha256)' is not a sha256") }
        return try install(staging: file, sha256: sha256)
    }

    public func remove(_ address: BlobAddress) throws {
        if contains(address) { try FileManager.default.removeItem(at: url(for: address)) }
    }

    private func install(staging: URL, sha256: String) throws -> BlobAddress {
        let address = BlobAddress(sha256: sha256)!
        let target = url(for: address)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: staging)
        } else if rename(staging.path, target.path) != 0 {
            try? FileManager.default.removeItem(at: staging)
            throw BlobStoreError("could not store blob \(address): errno \(errno)")
        }
        return address
    }
}

/// Resolves user-supplied relative paths strictly inside DATA_ROOT.
public struct DataRoot: Sendable {
    public let url: URL
    /// The root as configured, before symlinks were resolved (messages may use either).
    private let given: String

    public init(_ url: URL) {
        self.url = url.standardizedFileURL.resolvingSymlinksInPath()
        given = url.standardizedFileURL.path
    }

    /// `path` relative to the root, or nil when it is outside.
    public func relative(_ path: String) -> String? {
        for root in [url.path, given] where path.hasPrefix(root + "/") { return String(path.dropFirst(root.count + 1)) }
        return nil
    }

    /// Text for a client: paths inside DATA_ROOT shown relative to it, any
    /// other absolute path (a library's, the interpreter's) cut to its last
    /// component, and at most `limit` characters of its first line. The full
    /// text belongs in the server log, under the request id.
    public func redacting(_ text: String, limit: Int = 300) -> String {
        var out = String(text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
        for root in Set([url.path, given]).sorted(by: { $0.count > $1.count }) {
            out = out.replacingOccurrences(of: root + "/", with: "")
        }
        out = Self.absolutePath.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "…/$1")
        if out.count > limit { out = String(out.prefix(limit - 1)) + "…" }
        return out
    }

    // A "/"-rooted path of two or more segments not preceded by a word character (so "a/b" and "s3://x" stay).
    nonisolated(unsafe) private static let absolutePath = try! NSRegularExpression(pattern: #"(?<![\w.:/])/(?:[^\s'"(),:;/]+/)+([^\s'"(),:;/]*)"#)

    public func resolve(_ relative: String) throws -> URL {
        guard !relative.isEmpty, !relative.hasPrefix("/"), !relative.contains("\0") else {
            throw BlobStoreError("path '\(relative)' must be relative to DATA_ROOT")
        }
        let candidate = url.appendingPathComponent(relative).standardizedFileURL.resolvingSymlinksInPath()
        guard candidate.path.hasPrefix(url.path + "/") else {
            throw BlobStoreError("path '\(relative)' leaves DATA_ROOT")
        }
        return candidate
    }
}
