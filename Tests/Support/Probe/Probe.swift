import ArgumentParser
import Bus
import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// A small real service and client for the integration tests and the bus benchmark.
@main
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus-probe",
        abstract: "Probe service, echo worker, benchmark client and event publisher for the bus.",
        subcommands: [Serve.self, EchoWorker.self, Bench.self, Publish.self]
    )
}

/// The probe service through ServiceKit: configuration, schema, migrations,
/// idempotency, worker, health port — exactly as a real service runs.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the probe service (environment-configured, like every service).")

    func run() async throws {
        await ServiceMain.run(
            service: "probe",
            defaultMetricsPort: 9190,
            migrations: {
                guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
                    throw MigrationError("probe migrations missing from the bundle")
                }
                return try Migration.load(component: "probe", directory: directory)
            },
            readExtra: { environment in
                environment.int("PROBE_APPLY_DELAY_MS", default: 0, range: 0...60_000)
            },
            makeRouter: { dependencies, applyDelayMs in
                var router = BusRouter(service: ProbeMethods.service)
                let pid = Int32(getpid())
                router.on(ProbeMethods.apply) { request, context in
                    guard !request.key.isEmpty else { throw BusError.invalidArgument(field: "key", "must not be empty") }
                    return try await dependencies.idempotency.once(context, request: request) { connection in
                        try await connection.query("INSERT INTO probe.ledger (key, amount, worker_pid) VALUES (\(request.key), \(request.amount), \(pid))", logger: context.logger)
                        if applyDelayMs > 0 { try await Task.sleep(for: .milliseconds(applyDelayMs)) }
                        var reply = Mlops_V1_Probe_ApplyReply()
                        reply.key = request.key
                        reply.workerPid = pid
                        return reply
                    }
                }
                // Echo never suspends: served on the worker's I/O thread.
                router.onImmediate(ProbeMethods.echo) { request, _ in
                    var reply = Mlops_V1_Probe_EchoReply()
                    reply.payload = request.payload
                    return reply
                }
                return router
            }
        )
    }
}

/// A worker with only Echo and no database: the benchmark's server side.
struct EchoWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "echo-worker", abstract: "Serve probe.Echo with N slots until SIGTERM.")

    @Option var endpoint = "tcp://127.0.0.1:5555"
    @Option var slots = 32
    func run() async throws {
        var router = BusRouter(service: ProbeMethods.service)
        router.onImmediate(ProbeMethods.echo) { request, _ in
            var reply = Mlops_V1_Probe_EchoReply()
            reply.payload = request.payload
            return reply
        }
        let logger = Logger(label: "echo-worker")
        let worker = BusWorker(configuration: .init(endpoint: endpoint, slots: slots), router: router, logger: logger)
        // SIGTERM/SIGINT drain the worker, as in every service.
        let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// Round-trip latency and throughput through the broker with N calls in flight.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure probe.Echo round trips; prints one JSON line.")

    @Option var endpoint = "tcp://127.0.0.1:5555"
    @Option var size = 256
    @Option var inflight = 1
    @Option var requests = 20_000
    @Option var warmup = 2_000
    @Option(help: "Where the calling tasks run: pool (Swift's cooperative pool) or client (the client's I/O thread, BusClient.executor).")
    var executor = "pool"
    func validate() throws {
        guard ["pool", "client"].contains(executor) else { throw ValidationError("--executor must be pool or client, not '\(executor)'") }
    }

    func run() async throws {
        let client = try BusClient(configuration: .init(endpoint: endpoint))
        let preferred: (any TaskExecutor)? = executor == "client" ? client.executor : nil
        let size = self.size
        let warmup = self.warmup
        let request = Mlops_V1_Probe_EchoRequest.with { $0.payload = Data(repeating: 0x61, count: size) }
        let total = requests + warmup
        let counter = Counter()
        let measuredStart = Counter()
        let perWorker = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<inflight {
                group.addTask(executorPreference: preferred) {
                    var latencies: [UInt64] = []
                    while true {
                        let n = counter.next()
                        if n >= total { break }
                        if n == warmup { measuredStart.mark() }
                        let start = DispatchTime.now().uptimeNanoseconds
                        let reply = try await client.call(ProbeMethods.echo, request, options: .init(timeout: .seconds(30)))
                        let elapsed = DispatchTime.now().uptimeNanoseconds - start
                        guard reply.payload.count == size else { throw ValidationError("echo returned \(reply.payload.count) bytes, sent \(size)") }
                        if n >= warmup { latencies.append(elapsed) }
                    }
                    return latencies
                }
            }
            var all: [[UInt64]] = []
            for try await latencies in group { all.append(latencies) }
            return all
        }
        let end = DispatchTime.now().uptimeNanoseconds
        let latencies = perWorker.flatMap { $0 }.sorted()
        let elapsedSeconds = Double(end - measuredStart.markedAt) / 1e9
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
            return Double(latencies[max(0, index)]) / 1000
        }
        let line = String(format: #"{"impl":"bus","executor":"\#(executor)","size":%d,"inflight":%d,"requests":%d,"p50_us":%.1f,"p99_us":%.1f,"rps":%.0f}"#,
                          size, inflight, latencies.count, percentile(0.50), percentile(0.99), Double(latencies.count) / elapsedSeconds)
        print(line)
        client.shutdown()
    }
}

/// Publishes numbered events, for the pub/sub ordering test.
struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Publish COUNT events numbered 0..<COUNT on TOPIC.")

    @Option var endpoint = "tcp://127.0.0.1:5556"
    @Option var topic = "probe.events"
    @Option var count = 1000
    @Option(help: "Milliseconds to wait after connecting, for subscriptions to propagate.") var settleMs = 500

    func run() async throws {
        let publisher = try BusPublisher(endpoint: endpoint)
        try await Task.sleep(for: .milliseconds(settleMs))
        for index in 0..<count {
            publisher.publish(topic: topic, body: Array(String(index).utf8))
        }
        // Let the I/O thread flush before the process exits.
        try await Task.sleep(for: .milliseconds(500))
        publisher.shutdown()
    }
}

/// A shared counter handing out request numbers to the in-flight loops.
final class Counter: Sendable {
    private let state = Mutex((value: 0, markedAt: UInt64(0)))
    func next() -> Int { state.withLock { state in defer { state.value += 1 }; return state.value } }
    func mark() { state.withLock { $0.markedAt = DispatchTime.now().uptimeNanoseconds } }
    var markedAt: UInt64 {
        let marked = state.withLock { $0.markedAt }
        return marked == 0 ? DispatchTime.now().uptimeNanoseconds : marked
    }
}

import Synchronization
