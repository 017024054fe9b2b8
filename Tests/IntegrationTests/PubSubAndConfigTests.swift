import Bus
import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct PubSubTests {
    @Test func aSubscriberReceivesOnePublishersEventsInOrder() async throws {
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: 1000)
        let subscriber = try BusSubscriber(endpoint: ports.subEndpoint, topics: ["probe."])
        let unrelated = try BusSubscriber(endpoint: ports.subEndpoint, topics: ["other."])
        defer { subscriber.shutdown(); unrelated.shutdown() }
        try await Task.sleep(for: .milliseconds(300))

        let count = 5_000
        let publisher = try ChildProcess("bus-probe", arguments: ["publish", "--endpoint", ports.pubEndpoint, "--topic", "probe.order", "--count", "\(count)", "--settle-ms", "700"], environment: [:], name: "publisher")
        var received: [Int] = []
        let collect = Task {
            var values: [Int] = []
            for await event in subscriber.events {
                #expect(event.topic == "probe.order")
                values.append(Int(String(decoding: event.body, as: UTF8.self)) ?? -1)
                if values.count == count { break }
            }
            return values
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(20))
            subscriber.shutdown()
        }
        received = await collect.value
        timeout.cancel()
        #expect(await publisher.waitForExit(timeout: .seconds(10)) == 0)
        #expect(received.count == count, "received \(received.count) of \(count)")
        #expect(received == Array(0..<count), "in publication order")

        // The other subscriber's prefix matched nothing.
        let stray = Task { () -> Int in
            var n = 0
            for await _ in unrelated.events { n += 1 }
            return n
        }
        try await Task.sleep(for: .milliseconds(200))
        unrelated.shutdown()
        #expect(await stray.value == 0)
        await broker.stop()
    }
}

@Suite struct BadEnvironmentTests {
    func run(_ executable: String, arguments: [String] = [], environment: [String: String]) async throws -> (status: Int32?, output: String) {
        let child = try ChildProcess(executable, arguments: arguments, environment: environment)
        let status = await child.waitForExit(timeout: .seconds(20))
        if status == nil { child.signal(SIGKILL) }
        return (status, child.log)
    }

    @Test func aServiceWithABadEnvironmentListsEveryProblemAndExits2() async throws {
        let (status, output) = try await run("bus-probe", arguments: ["serve"], environment: [
            "METRICS_PORT": "ninety", "BUS_ENDPOINT": "localhost", "LOG_FORMAT": "xml",
            "BUS_WORKER_SLOTS": "0", "DATABASE_URL": "", "PROBE_APPLY_DELAY_MS": "-5",
        ])
        #expect(status == 2)
        for variable in ["METRICS_PORT", "BUS_ENDPOINT", "LOG_FORMAT", "BUS_WORKER_SLOTS", "DATABASE_URL", "PROBE_APPLY_DELAY_MS"] {
            #expect(output.contains("\(variable):"), "output names \(variable):\n\(output)")
        }
    }

    @Test func theBrokerWithABadEnvironmentExits2() async throws {
        let (status, output) = try await run("bus", environment: ["BUS_HEARTBEAT_MS": "0", "BUS_ROUTER_BIND": "nowhere", "BUS_LIVENESS": "x"])
        #expect(status == 2)
        for variable in ["BUS_HEARTBEAT_MS", "BUS_ROUTER_BIND", "BUS_LIVENESS"] {
            #expect(output.contains("\(variable):"), "output names \(variable):\n\(output)")
        }
    }

    @Test func theGatewayWithABadEnvironmentExits2() async throws {
        let (status, output) = try await run("gateway", environment: ["HTTP_PORT": "70000", "LOG_LEVEL": "loud"])
        #expect(status == 2)
        #expect(output.contains("HTTP_PORT:") && output.contains("LOG_LEVEL:"), "\(output)")
    }
}

@Suite(.serialized) struct ServiceKitIntegrationTests {
    @Test func aServiceOwnsItsSchemaAndNothingElse() async throws {
        let database = try await TestDatabase.create()
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: 500)
        let metricsPort = freePort()
        let service = try ChildProcess("bus-probe", arguments: ["serve"], environment: probeEnvironment(database: database, broker: ports, heartbeatMs: 500, slots: 2, dataRoot: temporaryDataRoot(), extra: ["METRICS_PORT": "\(metricsPort)"]), name: "probe")

        #expect(await eventually(timeout: .seconds(30)) { httpStatus(port: metricsPort, path: "/readyz") == 200 }, "ready; log:\n\(service.log)")
        #expect(httpStatus(port: metricsPort, path: "/healthz") == 200)
        #expect(httpStatus(port: metricsPort, path: "/metrics") == 200)

        // The role may work in its schema, not in public, and not in another service's schema.
        let role = database.url.withRole("mlops_probe", password: nil)
        let logger = Logger(label: "test")
        _ = try await SchemaBootstrap.withConnection(database.url, logger: logger) { admin in
            try await admin.query("CREATE SCHEMA IF NOT EXISTS other", logger: logger)
            try await admin.query("CREATE TABLE IF NOT EXISTS other.secret (x int)", logger: logger)
        }
        try await SchemaBootstrap.withConnection(role, logger: logger) { connection in
            try await connection.query("CREATE TABLE probe.scratch (x int)", logger: logger)
            await #expect(throws: PSQLError.self) { try await connection.query("CREATE TABLE public.intruder (x int)", logger: logger) }
            await #expect(throws: PSQLError.self) { try await connection.query("SELECT * FROM other.secret", logger: logger) }
        }
        // Migrations are recorded with checksums and not re-applied on restart.
        let before = try await database.ints("SELECT count(*)::int8 FROM probe.schema_migrations")
        #expect(before == [2])
        await service.stop()
        let again = try ChildProcess("bus-probe", arguments: ["serve"], environment: probeEnvironment(database: database, broker: ports, heartbeatMs: 500, slots: 2, dataRoot: temporaryDataRoot(), extra: ["METRICS_PORT": "\(metricsPort)"]), name: "probe-again")
        #expect(await eventually(timeout: .seconds(30)) { httpStatus(port: metricsPort, path: "/readyz") == 200 }, "ready again; log:\n\(again.log)")
        #expect(try await database.ints("SELECT count(*)::int8 FROM probe.schema_migrations") == [2])

        // An edited migration stops the service instead of drifting silently.
        _ = try await SchemaBootstrap.withConnection(database.url, logger: logger) { admin in
            try await admin.query("UPDATE probe.schema_migrations SET checksum = 'edited' WHERE component = 'probe'", logger: logger)
        }
        await again.stop()
        let refused = try ChildProcess("bus-probe", arguments: ["serve"], environment: probeEnvironment(database: database, broker: ports, heartbeatMs: 500, slots: 2, dataRoot: temporaryDataRoot()), name: "probe-refused")
        #expect(await refused.waitForExit(timeout: .seconds(30)) == 1)
        #expect(refused.log.contains("was changed after it was applied"), "\(refused.log)")

        await broker.stop()
        await database.drop()
    }
}
