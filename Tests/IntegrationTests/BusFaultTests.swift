import Bus
import Contracts
import Foundation
import Logging
import Synchronization
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real broker and service processes, a real PostgreSQL, real SIGKILLs.
@Suite(.serialized) struct BusFaultTests {
    static let heartbeatMs = 250

    /// Applies `count` keyed requests with `concurrency` in flight; `onProgress` sees the number done.
    func applyAll(client: BusClient, keys: [String], concurrency: Int, onProgress: @escaping @Sendable (Int) async -> Void) async throws -> [String: Int32] {
        let next = SharedCounter()
        return try await withThrowingTaskGroup(of: [(String, Int32)].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var done: [(String, Int32)] = []
                    while true {
                        let index = next.next()
                        guard index < keys.count else { return done }
                        var request = Mlops_V1_Probe_ApplyRequest()
                        request.key = keys[index]
                        request.amount = 1
                        let reply = try await client.call(ProbeMethods.apply, request, options: .init(timeout: .seconds(60), idempotencyKey: keys[index]))
                        #expect(reply.key == keys[index])
                        done.append((keys[index], reply.workerPid))
                        await onProgress(index)
                    }
                }
            }
            var pids: [String: Int32] = [:]
            for try await batch in group { for (key, pid) in batch { pids[key] = pid } }
            return pids
        }
    }

    @Test func everyKeyedRequestIsAnsweredAndAppliedOnceWhileAWorkerIsKilled() async throws {
        let database = try await TestDatabase.create()
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: Self.heartbeatMs)
        let dataRoot = temporaryDataRoot()
        // Two instances start at once: schema bootstrap and migrations must serialise themselves.
        let victim = try ChildProcess("bus-probe", arguments: ["serve"], environment: probeEnvironment(database: database, broker: ports, heartbeatMs: Self.heartbeatMs, slots: 16, dataRoot: dataRoot), name: "probe-victim")
        let survivor = try ChildProcess("bus-probe", arguments: ["serve"], environment: probeEnvironment(database: database, broker: ports, heartbeatMs: Self.heartbeatMs, slots: 16, dataRoot: dataRoot), name: "probe-survivor")
        let client = try BusClient(configuration: .init(endpoint: ports.endpoint, attemptTimeout: .seconds(2)))
        defer { client.shutdown() }

        // Warm up until both processes answer.
        var seen = Set<Int32>()
        var warm = 0
        let bothUp = await eventually(timeout: .seconds(30)) {
            warm += 1
            var request = Mlops_V1_Probe_ApplyRequest()
            request.key = "warm-\(warm)"
            if let reply = try? await client.call(ProbeMethods.apply, request, options: .init(timeout: .seconds(2), idempotencyKey: request.key)) {
                seen.insert(reply.workerPid)
            }
            return seen.count == 2
        }
        #expect(bothUp, "both probe workers should answer; logs:\n\(victim.log)\n\(survivor.log)")

        let keys = (0..<10_000).map { "k-\($0)" }
        let killed = SharedCounter()
        let pids = try await applyAll(client: client, keys: keys, concurrency: 64) { index in
            if index == 2_000 {
                if killed.next() == 0 { victim.signal(SIGKILL) }
            }
        }
        #expect(killed.current == 1, "the victim was killed mid-way")
        #expect(pids.count == keys.count, "every request answered")
        let victimPid = victim.pid
        #expect(pids.values.contains(victimPid), "the victim served part of the load before it died")
        #expect(pids.values.contains(survivor.pid), "the survivor served the rest")

        // Each key's effect exactly once: rows in PostgreSQL, not what the client thinks.
        let counts = try await database.ints("SELECT count(*)::int8 FROM probe.ledger WHERE key LIKE 'k-%' UNION ALL SELECT count(DISTINCT key)::int8 FROM probe.ledger WHERE key LIKE 'k-%'")
        #expect(counts == [10_000, 10_000])
        let keysStored = try await database.ints("SELECT count(*)::int8 FROM probe.idempotency_keys WHERE key LIKE 'k-%'")
        #expect(keysStored == [10_000])

        // A deliberate retry of an applied key returns the first answer and adds nothing.
        var again = Mlops_V1_Probe_ApplyRequest()
        again.key = "k-1"
        again.amount = 1
        let replay = try await client.call(ProbeMethods.apply, again, options: .init(idempotencyKey: "k-1"))
        #expect(replay.workerPid == pids["k-1"])
        #expect(try await database.ints("SELECT count(*)::int8 FROM probe.ledger WHERE key = 'k-1'") == [1])

        // The same key with a different request is refused, naming the field.
        again.amount = 2
        await #expect(throws: BusError.self) {
            _ = try await client.call(ProbeMethods.apply, again, options: .init(idempotencyKey: "k-1"))
        }

        await survivor.stop()
        await broker.stop()
        await database.drop()
    }

    @Test func clientsAndWorkersServeAgainWithinFiveSecondsOfABrokerRestart() async throws {
        let database = try await TestDatabase.create()
        let ports = BrokerPorts()
        // Production heartbeat (2.5 s): the 5 s bar must hold with the defaults.
        let heartbeatMs = 2500
        var broker = try ports.start(heartbeatMs: heartbeatMs)
        let worker = try ChildProcess("bus-probe", arguments: ["serve"], environment: probeEnvironment(database: database, broker: ports, heartbeatMs: heartbeatMs, slots: 4, dataRoot: temporaryDataRoot()), name: "probe")
        let client = try BusClient(configuration: .init(endpoint: ports.endpoint, attemptTimeout: .seconds(1)))
        defer { client.shutdown() }
        var echo = Mlops_V1_Probe_EchoRequest()
        echo.payload = Data("ping".utf8)
        let up = await eventually(timeout: .seconds(30)) {
            (try? await client.call(ProbeMethods.echo, echo, options: .init(timeout: .seconds(1)))) != nil
        }
        #expect(up, "probe answers before the restart; log:\n\(worker.log)")

        broker.signal(SIGKILL)
        _ = await broker.waitForExit(timeout: .seconds(5))
        broker = try ports.start(heartbeatMs: heartbeatMs)
        let restartedAt = ContinuousClock.now

        // A keyed call made right after the restart (retried by the client as needed).
        var apply = Mlops_V1_Probe_ApplyRequest()
        apply.key = "after-restart"
        apply.amount = 1
        let reply = try await client.call(ProbeMethods.apply, apply, options: .init(timeout: .seconds(10), idempotencyKey: apply.key))
        let recovered = restartedAt.duration(to: .now)
        #expect(reply.workerPid == worker.pid, "the same worker process re-registered")
        #expect(recovered < .seconds(5), "served again after \(recovered)")
        // And a plain call goes through at once.
        let pong = try await client.call(ProbeMethods.echo, echo, options: .init(timeout: .seconds(2)))
        #expect(pong.payload == echo.payload)
        #expect(worker.isRunning)

        await worker.stop()
        await broker.stop()
        await database.drop()
    }

    @Test func sigtermFinishesInFlightRequestsThenLeaves() async throws {
        let database = try await TestDatabase.create()
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: Self.heartbeatMs)
        let worker = try ChildProcess("bus-probe", arguments: ["serve"], environment: probeEnvironment(database: database, broker: ports, heartbeatMs: Self.heartbeatMs, slots: 4, dataRoot: temporaryDataRoot(), extra: ["PROBE_APPLY_DELAY_MS": "800"]), name: "probe-slow")
        let client = try BusClient(configuration: .init(endpoint: ports.endpoint))
        defer { client.shutdown() }
        var echo = Mlops_V1_Probe_EchoRequest()
        echo.payload = Data("ping".utf8)
        #expect(await eventually(timeout: .seconds(30)) { (try? await client.call(ProbeMethods.echo, echo, options: .init(timeout: .seconds(1)))) != nil })

        async let calls: [Int32] = withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<4 {
                group.addTask {
                    var request = Mlops_V1_Probe_ApplyRequest()
                    request.key = "slow-\(index)"
                    return try await client.call(ProbeMethods.apply, request, options: .init(timeout: .seconds(20), idempotencyKey: request.key)).workerPid
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await Task.sleep(for: .milliseconds(300))
        worker.signal(SIGTERM)
        let pids = try await calls
        #expect(pids.count == 4 && pids.allSatisfy { $0 == worker.pid }, "all four in-flight calls finished on the draining worker")
        #expect(await worker.waitForExit(timeout: .seconds(10)) == 0, "clean exit after draining; log:\n\(worker.log)")
        // It said goodbye: the broker no longer lists the service.
        let mmi = try await client.callRaw(service: "mmi.service", method: "", body: Array("probe".utf8), options: .init(timeout: .seconds(2)))
        #expect(String(decoding: mmi.body, as: UTF8.self) == "404")
        #expect(try await database.ints("SELECT count(*)::int8 FROM probe.ledger WHERE key LIKE 'slow-%'") == [4])

        await broker.stop()
        await database.drop()
    }

    @Test func requestsForAServiceWithoutWorkersExpireAtTheirDeadline() async throws {
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: Self.heartbeatMs)
        let client = try BusClient(configuration: .init(endpoint: ports.endpoint))
        defer { client.shutdown() }
        let started = ContinuousClock.now
        do {
            _ = try await client.call(ProbeMethods.echo, Mlops_V1_Probe_EchoRequest(), options: .init(timeout: .milliseconds(600)))
            Issue.record("a service without workers cannot answer")
        } catch let error as BusError {
            #expect(error.code == .deadlineExceeded)
        }
        let waited = started.duration(to: .now)
        #expect(waited >= .milliseconds(550) && waited < .seconds(3), "waited \(waited)")
        await broker.stop()
    }
}
