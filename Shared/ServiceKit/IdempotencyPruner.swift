import Logging
import ServiceLifecycle

/// Deletes applied idempotency keys older than `IDEMPOTENCY_RETENTION_HOURS`,
/// once at start and then every quarter of the retention (at most hourly):
/// without it the table grows with every mutating call. Every instance of a
/// service prunes; the DELETE walks the `created_at` index, and instances that
/// prune at once only find less to delete.
/// The gateway prunes its own `http_idempotency` answers with it too.
public struct IdempotencyPruner: Service {
    let retention: Duration
    let logger: Logger
    /// Deletes what is older than the age given; returns how many.
    let prune: @Sendable (Duration) async throws -> Int

    public init(retention: Duration, logger: Logger, prune: @escaping @Sendable (Duration) async throws -> Int) {
        self.retention = retention
        self.logger = logger
        self.prune = prune
    }

    init(store: IdempotencyStore, retention: Duration, logger: Logger) {
        self.init(retention: retention, logger: logger) { try await store.prune(olderThan: $0, logger: logger) }
    }

    var interval: Duration { min(retention / 4, .seconds(3600)) }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pruneOnce()
                try await Task.sleep(for: interval)
            }
        }
    }

    private func pruneOnce() async {
        do {
            let deleted = try await prune(retention)
            if deleted > 0 { logger.info("pruned idempotency keys", metadata: ["deleted": .stringConvertible(deleted)]) }
        } catch {
            logger.warning("pruning idempotency keys failed; retrying at the next pass", metadata: ["error": .string(String(reflecting: error))])
        }
    }
}
