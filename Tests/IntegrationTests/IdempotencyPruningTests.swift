import Foundation
import Logging
import PostgresNIO
import ServiceKit
import TestKit
import Testing

/// Applied idempotency keys do not pile up: a real service process prunes the
/// ones older than IDEMPOTENCY_RETENTION_HOURS and keeps the rest.
@Suite(.serialized) struct IdempotencyPruningTests {
    @Test func aServicePrunesKeysOlderThanTheRetentionAndKeepsRecentOnes() async throws {
        let database = try await TestDatabase.create()
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: 500)
        let metricsPort = freePort()
        func startProbe(_ name: String) throws -> ChildProcess {
            try ChildProcess("bus-probe", arguments: ["serve"], environment: probeEnvironment(
                database: database, broker: ports, heartbeatMs: 500, slots: 2, dataRoot: temporaryDataRoot(),
                extra: ["METRICS_PORT": "\(metricsPort)", "IDEMPOTENCY_RETENTION_HOURS": "2"]), name: name)
        }
        // A first start creates the table; the keys go in while no instance runs.
        let first = try startProbe("probe")
        #expect(await eventually(timeout: .seconds(30)) { httpStatus(port: metricsPort, path: "/readyz") == 200 }, "ready; log:\n\(first.log)")
        await first.stop()
        let logger = Logger(label: "test")
        _ = try await SchemaBootstrap.withConnection(database.url, logger: logger) { admin in
            try await admin.query("""
                INSERT INTO probe.idempotency_keys (key, method, request_sha256, response, created_at)
                SELECT 'old-' || i, 'Apply', '', ''::bytea, now() - interval '2 hours 5 minutes' FROM generate_series(1, 3) i
                UNION ALL
                SELECT 'recent-' || i, 'Apply', '', ''::bytea, now() - interval '1 hour 55 minutes' FROM generate_series(1, 2) i
                """, logger: logger)
        }

        let second = try startProbe("probe-again")
        let pruned = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            (try? await database.ints("SELECT count(*)::int8 FROM probe.idempotency_keys WHERE key LIKE 'old-%'")) == [0]
        }
        #expect(pruned, "keys older than the retention are still there; log:\n\(second.log)")
        #expect(try await database.ints("SELECT count(*)::int8 FROM probe.idempotency_keys WHERE key LIKE 'recent-%'") == [2])
        #expect(second.log.contains("pruned idempotency keys"), "\(second.log)")

        await second.stop()
        await broker.stop()
        await database.drop()
    }
}
