import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct UploadRecord: Sendable {
    var id: UUID
    var filename: String
    var sizeBytes: Int64
    var receivedBytes: Int64
    var status: String
    var sha256: String?
}

/// Upload rows (gateway.uploads) and their partial files (DATA_ROOT/uploads/<id>.part).
/// A chunk's bytes are on disk before `received_bytes` moves past them, so
/// after an interrupted chunk the row still names the last whole offset and
/// the client resumes from there.
final class UploadStore: Sendable {
    let postgres: PostgresClient
    let directory: URL
    let logger: Logger
    /// Uploads with a chunk or completion in progress in this process.
    private let busy = Mutex(Set<UUID>())

    init(postgres: PostgresClient, dataRoot: URL, logger: Logger) throws {
        self.postgres = postgres
        directory = dataRoot.appendingPathComponent("uploads", isDirectory: true)
        self.logger = logger
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func partURL(_ id: UUID) -> URL { directory.appendingPathComponent("\(id.uuidString.lowercased()).part") }

    func create(filename: String, sizeBytes: Int64, createdBy: String) async throws -> UploadRecord {
        let id = UUID()
        let path = partURL(id).path
        try await NIOThreadPool.singleton.runIfActive {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
            guard fd >= 0 else { throw GatewayError.internal("cannot create upload file (errno \(errno))") }
            close(fd)
        }
        try await postgres.query("""
            INSERT INTO uploads (id, filename, size_bytes, created_by) VALUES (\(id), \(filename), \(sizeBytes), \(createdBy))
            """, logger: logger)
        return UploadRecord(id: id, filename: filename, sizeBytes: sizeBytes, receivedBytes: 0, status: "open", sha256: nil)
    }

    func get(_ id: UUID) async throws -> UploadRecord? {
        let rows = try await postgres.query("SELECT filename, size_bytes, received_bytes, status, sha256 FROM uploads WHERE id = \(id)", logger: logger)
        for try await (filename, size, received, status, sha) in rows.decode((String, Int64, Int64, String, String?).self) {
            return UploadRecord(id: id, filename: filename, sizeBytes: size, receivedBytes: received, status: status, sha256: sha)
        }
        return nil
    }

    /// Runs `body` while no other chunk or completion of this upload runs here.
    func exclusive<T>(_ id: UUID, _ body: () async throws -> T) async throws -> T {
        guard busy.withLock({ $0.insert(id).inserted }) else {
            throw GatewayError.conflict("another request is writing this upload; retry when it has finished")
        }
        defer { _ = busy.withLock { $0.remove(id) } }
        return try await body()
    }

    /// Moves `received_bytes` from `from` to `to`; false when it was not `from`.
    func advance(_ id: UUID, from: Int64, to: Int64) async throws -> Bool {
        let rows = try await postgres.query("""
            UPDATE uploads SET received_bytes = \(to), updated_at = now()
            WHERE id = \(id) AND received_bytes = \(from) AND status = 'open' RETURNING 1
            """, logger: logger)
        return try await rows.collect().count == 1
    }

    func markComplete(_ id: UUID, sha256: String) async throws {
        try await postgres.query("UPDATE uploads SET status = 'complete', sha256 = \(sha256), updated_at = now() WHERE id = \(id)", logger: logger)
    }

    /// Deletes the row and the partial file.
    func discard(_ id: UUID) async throws {
        try await postgres.query("DELETE FROM uploads WHERE id = \(id)", logger: logger)
        try? FileManager.default.removeItem(at: partURL(id))
    }
}

/// A partial file open for one chunk: truncated to the chunk's start, written
/// with pwrite in ~1 MiB batches on NIO's blocking pool (never on the
/// cooperative threads), synced before the offset is recorded.
struct PartFile: Sendable {
    let fd: Int32

    static func open(_ url: URL, truncateTo offset: Int64) async throws -> PartFile {
        let path = url.path
        return try await NIOThreadPool.singleton.runIfActive {
            let fd = Glibc.open(path, O_WRONLY | O_CREAT, 0o640)
            guard fd >= 0 else { throw GatewayError.internal("cannot open upload file (errno \(errno))") }
            guard ftruncate(fd, off_t(offset)) == 0 else {
                Glibc.close(fd)
                throw GatewayError.internal("cannot truncate upload file (errno \(errno))")
            }
            return PartFile(fd: fd)
        }
    }

    func write(_ buffer: ByteBuffer, at offset: Int64) async throws {
        let fd = self.fd
        try await NIOThreadPool.singleton.runIfActive {
            try buffer.withUnsafeReadableBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let written = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw GatewayError.internal("cannot write upload file (errno \(errno))")
                    }
                    done += written
                }
            }
        }
    }

    func truncate(to offset: Int64) async {
        let fd = self.fd
        _ = try? await NIOThreadPool.singleton.runIfActive { ftruncate(fd, off_t(offset)) }
    }

    func syncAndClose() async throws {
        let fd = self.fd
        try await NIOThreadPool.singleton.runIfActive {
            defer { Glibc.close(fd) }
            guard fdatasync(fd) == 0 else { throw GatewayError.internal("cannot sync upload file (errno \(errno))") }
        }
    }

    func close() async {
        let fd = self.fd
        _ = try? await NIOThreadPool.singleton.runIfActive { Glibc.close(fd) }
    }
}
