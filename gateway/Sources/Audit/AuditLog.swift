import Foundation
import JSON
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The audit trail of every mutation. `record` never blocks a request: entries
/// are sanitised and go on an unbounded in-memory queue that a background
/// service writes in batches. A batch the database refuses is written row by
/// row, so one bad row never takes the others with it; a row that still
/// cannot be written (or a batch while the database is down past the
/// retries) goes to the dead-letter file, and every such row counts in
/// `audit_write_failures_total` (the alert in compose/prometheus/alerts.yml).
/// On shutdown the queue is drained before the database pool closes.
public final class AuditLog: Service, Sendable {
    let postgres: PostgresClient
    let logger: Logger
    /// JSON Lines of rows the database would not take, for replay.
    let deadLetterFile: URL?
    private struct Queue { var entries: [AuditEntry] = []; var closed = false }
    private let queue = Mutex(Queue())
    private let fileLock = Mutex(())
    /// Wakes the writer; holds at most one pending wake-up.
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let deadLettered = Counter(label: "audit_write_failures_total", dimensions: [("outcome", "dead_letter")])
    private let lostRows = Counter(label: "audit_write_failures_total", dimensions: [("outcome", "lost")])
    static let batchLimit = 500

    init(postgres: PostgresClient, deadLetterFile: URL?, logger: Logger) {
        self.postgres = postgres
        self.deadLetterFile = deadLetterFile
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func record(_ entry: AuditEntry) {
        let entry = entry.sanitized()
        let accepted = queue.withLock { queue in
            guard !queue.closed else { return false }
            queue.entries.append(entry)
            return true
        }
        if accepted { wake.yield() } else { failed([entry], reason: "audit writer already stopped") }
    }

    /// Entries waiting to be written (tests, metrics).
    public var backlog: Int { queue.withLock { $0.entries.count } }

    public func run() async throws {
        // Not cancelled by shutdown: the stream ends instead, and what is queued is still written.
        await withGracefulShutdownHandler {
            for await _ in wakeups { await drain() }
            await drain()
        } onGracefulShutdown: {
            self.queue.withLock { $0.closed = true }
            self.wake.finish()
        }
    }

    private func drain() async {
        while true {
            let batch: [AuditEntry] = queue.withLock { queue in
                let count = min(queue.entries.count, Self.batchLimit)
                defer { queue.entries.removeFirst(count) }
                return Array(queue.entries.prefix(count))
            }
            if batch.isEmpty { return }
            await write(batch)
        }
    }

    func write(_ batch: [AuditEntry]) async {
        switch await insertRetrying(batch) {
        case nil:
            return
        case .refused? where batch.count > 1:
            // The server refused the content: find the row, keep the rest.
            for entry in batch {
                if let failure = await insertRetrying([entry]) { failed([entry], reason: failure.reason) }
            }
        case let failure?:
            failed(batch, reason: failure.reason)
        }
    }

    enum WriteFailure {
        /// The server answered with an error: retrying the same rows cannot help.
        case refused(String)
        /// No answer (connection, pool): retried with backoff, then given up.
        case unavailable(String)

        var reason: String {
            switch self { case .refused(let text), .unavailable(let text): text }
        }
    }

    /// nil when written.
    private func insertRetrying(_ batch: [AuditEntry]) async -> WriteFailure? {
        var delay = Duration.milliseconds(100)
        for attempt in 1...4 {
            do {
                try await insert(batch)
                return nil
            } catch let error as PSQLError where error.serverInfo != nil {
                return .refused(String(reflecting: error))
            } catch {
                if attempt == 4 { return .unavailable(String(reflecting: error)) }
                logger.warning("audit write failed, retrying", metadata: ["error": .string(String(reflecting: error)), "rows": .stringConvertible(batch.count)])
                try? await Task.sleep(for: delay)
                delay *= 3
            }
        }
        return .unavailable("unreachable")
    }

    private func insert(_ batch: [AuditEntry]) async throws {
        let subjects = batch.map(\.subject), roles = batch.map(\.role), actions = batch.map(\.action)
        let resources = batch.map(\.resource), ips = batch.map(\.clientIP), ids = batch.map(\.requestId)
        let statuses = batch.map(\.status), times = batch.map(\.createdAt)
        try await postgres.query("""
            INSERT INTO audit_log (subject, role, action, resource, client_ip, request_id, status, created_at)
            SELECT * FROM unnest(\(subjects)::text[], \(roles)::text[], \(actions)::text[], \(resources)::text[],
                                 \(ips)::text[], \(ids)::text[], \(statuses)::int8[], \(times)::timestamptz[])
            """, logger: logger)
    }

    /// Rows not in the table: appended to the dead-letter file, counted and
    /// logged; only when the file cannot be written either are they lost to
    /// the table (still in the log, at error level).
    private func failed(_ entries: [AuditEntry], reason: String) {
        let written = appendDeadLetters(entries, reason: reason)
        (written ? deadLettered : lostRows).increment(by: entries.count)
        for entry in entries {
            logger.error(written ? "audit row dead-lettered" : "audit row not written", metadata: [
                "reason": .string(reason), "subject": .string(entry.subject), "role": .string(entry.role),
                "action": .string(entry.action), "resource": .string(entry.resource), "client_ip": .string(entry.clientIP),
                "request_id": .string(entry.requestId), "status": .stringConvertible(entry.status),
                "created_at": .string(RFC3339.format(entry.createdAt)),
            ])
        }
    }

    private func appendDeadLetters(_ entries: [AuditEntry], reason: String) -> Bool {
        guard let deadLetterFile else { return false }
        var lines = ""
        for entry in entries {
            let row = JSONValue.object([
                ("subject", .string(entry.subject)), ("role", .string(entry.role)), ("action", .string(entry.action)),
                ("resource", .string(entry.resource)), ("client_ip", .string(entry.clientIP)),
                ("request_id", .string(entry.requestId)), ("status", .int(Int64(entry.status))),
                ("created_at", .string(RFC3339.format(entry.createdAt))), ("reason", .string(reason)),
            ])
            lines += row.serialized + "\n"
        }
        return fileLock.withLock { _ in
            do {
                try FileManager.default.createDirectory(at: deadLetterFile.deletingLastPathComponent(), withIntermediateDirectories: true)
                if !FileManager.default.fileExists(atPath: deadLetterFile.path) {
                    guard FileManager.default.createFile(atPath: deadLetterFile.path, contents: nil, attributes: [.posixPermissions: 0o600]) else { return false }
                }
                let handle = try FileHandle(forWritingTo: deadLetterFile)
                defer { try? handle.close() }
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(lines.utf8))
                try handle.synchronize()
                return true
            } catch {
                return false
            }
        }
    }
}
