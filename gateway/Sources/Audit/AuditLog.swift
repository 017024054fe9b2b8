import Foundation
import JSON
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

public struct AuditEntry: Sendable {
    public var subject: String
    public var role: String
    public var action: String
    public var resource: String
    public var clientIP: String
    public var requestId: String
    public var status: Int
    public var createdAt: Date
}

/// The audit trail of every mutation. `record` never blocks a request: entries
/// go on an unbounded in-memory queue that a background service writes in
/// batches. A batch that cannot be written after retries is logged entry by
/// entry at error level (never dropped silently); on shutdown the queue is
/// drained before the database pool closes.
public final class AuditLog: Service, Sendable {
    let postgres: PostgresClient
    let logger: Logger
    private struct Queue { var entries: [AuditEntry] = []; var closed = false }
    private let queue = Mutex(Queue())
    /// Wakes the writer; holds at most one pending wake-up.
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    static let batchLimit = 500

    init(postgres: PostgresClient, logger: Logger) {
        self.postgres = postgres
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func record(_ entry: AuditEntry) {
        let accepted = queue.withLock { queue in
            guard !queue.closed else { return false }
            queue.entries.append(entry)
            return true
        }
        if accepted { wake.yield() } else { lost([entry], reason: "audit writer already stopped") }
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
        var delay = Duration.milliseconds(100)
        for attempt in 1...4 {
            do {
                try await insert(batch)
                return
            } catch {
                if attempt == 4 {
                    lost(batch, reason: String(reflecting: error))
                    return
                }
                logger.warning("audit write failed, retrying", metadata: ["error": .string(String(reflecting: error)), "rows": .stringConvertible(batch.count)])
                try? await Task.sleep(for: delay)
                delay *= 3
            }
        }
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

    private func lost(_ entries: [AuditEntry], reason: String) {
        for entry in entries {
            logger.error("audit row not written", metadata: [
                "reason": .string(reason), "subject": .string(entry.subject), "role": .string(entry.role),
                "action": .string(entry.action), "resource": .string(entry.resource), "client_ip": .string(entry.clientIP),
                "request_id": .string(entry.requestId), "status": .stringConvertible(entry.status),
                "created_at": .string(RFC3339.format(entry.createdAt)),
            ])
        }
    }
}
