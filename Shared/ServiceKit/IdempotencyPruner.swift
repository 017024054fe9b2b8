import Logging
import ServiceLifecycle

/// Deletes applied idempotency keys older than `IDEMPOTENCY_RETENTION_HOURS`,
/// once at start and then every quarter of the retention (at most hourly):
/// without it the table grows with every mutating call. Every instance of a
/// service prunes; the DELETE walks the `created_at` index, and instances that
/// prune at once only find less to delete.
struct IdempotencyPruner: Service {
    let store: IdempotencyStore
    let retention: Duration
    let logger: Logger

    var interval: Duration { min(retention / 4, .seconds(3600)) }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pruneOnce()
                try await Task.sleep(for: interval)
            }
        }
    }

    private func pruneOnce() async {
        do {
            let deleted = try await store.prune(olderThan: retention, logger: logger)
            if deleted > 0 { logger.info("pruned idempotency keys", metadata: ["deleted": .stringConvertible(deleted)]) }
        } catch {
            logger.warning("pruning idempotency keys failed; retrying at the next pass", metadata: ["error": .string(String(reflecting: error))])
        }
    }
}
