import Foundation
import Logging
import Synchronization
import Testing
@testable import TrainerService
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// MLflowClient and MLflowMirror against a real `mlflow server` (sqlite store, temp folder),
/// one server for the whole suite. The mlflow binary: $MLFLOW_BIN, else the venv that
/// scripts/lib/mlflow_env.sh installs. Without it the suite is skipped, or fails when
/// REQUIRE_MLFLOW=1.
@Suite(
    .serialized,
    .enabled(if: MLflowTestServer.shouldRun, "mlflow not found at \(MLflowTestServer.binary); set MLFLOW_BIN or run ensure_mlflow (REQUIRE_MLFLOW=1 turns this into a failure)"),
    MLflowTestServer.Scope()
)
struct MLflowClientTests {
    var client: MLflowClient { MLflowClient(trackingURI: MLflowTestServer.current!.url, timeout: 30) }

    @Test func experimentGetOrCreateIsStable() async throws {
        // "+", spaces and non-ASCII check the query encoding of get-by-name.
        let name = "trainer tests+ü \(UUID().uuidString)"
        let first = try await client.experimentID(named: name)
        let second = try await client.experimentID(named: name)
        #expect(first == second)
        #expect(!first.isEmpty)

        // Racing creators: one gets RESOURCE_ALREADY_EXISTS and must read the winner's id.
        let raced = "trainer-race-\(UUID().uuidString)"
        let client = self.client
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 { group.addTask { try await client.experimentID(named: raced) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
    }

    @Test func runLifecycle() async throws {
        let experimentID = try await client.experimentID(named: "trainer-tests")
        let start: Int64 = 1_700_000_000_000
        let runID = try await client.createRun(experimentID: experimentID, runName: "lifecycle", startTimeMs: start, tags: ["job": "j-1"])

        // 150 params (> 100 per request), one over the 6000-char limit.
        var params = Dictionary(uniqueKeysWithValues: (0..<150).map { ("p\($0)", "value \($0)") })
        params["lr"] = "0.0003"
        params["long"] = String(repeating: "x", count: 7000)
        // 250 steps x 5 series = 1250 points in one call (> 1000 per request).
        let keys = ["loss", "eval_loss", "lr", "grad_norm", "tokens_per_s"]
        var metrics: [MLflowMetric] = []
        for step in 0..<250 {
            for (index, key) in keys.enumerated() {
                let value = Double(step) * 0.1 + Double(index) + 1.0 / 3.0
                metrics.append(MLflowMetric(key: key, value: value, timestampMs: start + Int64(step) * 1000, step: Int64(step)))
            }
        }
        #expect(MLflowClient.batches(params: params, metrics: metrics, tags: [:]).count >= 3)
        try await client.logBatch(runID: runID, params: params, metrics: metrics, tags: ["stage": "train"])
        // The same params again are accepted (idempotent); so are the same points.
        try await client.logBatch(runID: runID, params: ["lr": "0.0003"], metrics: Array(metrics.prefix(10)))
        try await client.updateRun(runID: runID, status: .finished, endTimeMs: start + 300_000)

        let run = try await client.getRun(runID: runID)
        #expect(run.runID == runID)
        #expect(run.experimentID == experimentID)
        #expect(run.runName == "lifecycle")
        #expect(run.status == .finished)
        #expect(run.startTimeMs == start)
        #expect(run.endTimeMs == start + 300_000)
        #expect(run.params.count == 152)
        #expect(run.params["lr"] == "0.0003")
        #expect(run.params["p149"] == "value 149")
        #expect(run.params["long"] == String(repeating: "x", count: MLflowClient.maxParamValueLength))
        #expect(run.tags["job"] == "j-1")
        #expect(run.tags["stage"] == "train")
        #expect(run.metrics["loss"]?.step == 249)

        for key in keys {
            let history = try await client.metricHistory(runID: runID, key: key).sorted { $0.step < $1.step }
            let expected = metrics.filter { $0.key == key }
            #expect(history == expected, "history of \(key)")
        }
    }

    @Test func nonFiniteValues() async throws {
        let experimentID = try await client.experimentID(named: "trainer-tests")
        let runID = try await client.createRun(experimentID: experimentID, runName: "non-finite", startTimeMs: 1, tags: [:])
        let values: [Double] = [.nan, .infinity, -.infinity, 2.5]
        let points = values.enumerated().map { MLflowMetric(key: "loss", value: $1, timestampMs: 1, step: Int64($0)) }
        try await client.logBatch(runID: runID, metrics: points)
        let history = try await client.metricHistory(runID: runID, key: "loss").sorted { $0.step < $1.step }
        try #require(history.count == 4)
        #expect(history[0].value.isNaN)
        // The SQL store cannot hold infinity: it keeps the largest finite double instead.
        #expect(history[1].value == .greatestFiniteMagnitude)
        #expect(history[2].value == -.greatestFiniteMagnitude)
        #expect(history[3].value == 2.5)
    }

    @Test func errorsCarryMLflowCodes() async throws {
        let missing = "0123456789abcdef0123456789abcdef"
        let error = try await #require(throws: MLflowError.self) {
            try await client.logBatch(runID: missing, metrics: [MLflowMetric(key: "loss", value: 1, timestampMs: 1, step: 0)])
        }
        #expect(error.errorCode == "RESOURCE_DOES_NOT_EXIST")
        #expect(error.httpStatus == 404)
        #expect(error.endpoint == "POST runs/log-batch")
        #expect(error.description.contains(missing))

        await #expect(throws: MLflowError.self) { try await client.getRun(runID: missing) }

        let experimentID = try await client.experimentID(named: "trainer-tests")
        let runID = try await client.createRun(experimentID: experimentID, runName: "errors", startTimeMs: 1, tags: [:])
        try await client.logBatch(runID: runID, params: ["lr": "0.1"])
        let changed = try await #require(throws: MLflowError.self) {
            try await client.logBatch(runID: runID, params: ["lr": "0.2"])
        }
        #expect(changed.errorCode == "INVALID_PARAMETER_VALUE")
        #expect(changed.httpStatus == 400)
    }

    @Test func mirrorMirrorsAJob() async throws {
        let logger = Logger(label: "test.mlflow-mirror")
        let experiment = "trainer-mirror-\(UUID().uuidString)"
        let mirror = MLflowMirror(client: client, experiment: experiment, logger: logger)
        await mirror.record((0..<2500).map { MLflowMetric(key: "loss", value: 1 / Double($0 + 1), timestampMs: 1_000 + Int64($0), step: Int64($0)) })
        await mirror.flush()  // before start: buffers, opens nothing
        #expect(await mirror.runID == nil)
        // A periodic flush overlapping start must not open a second run.
        async let flushed: Void = mirror.flush()
        let started = await mirror.start(runName: "job-1", existingRunID: nil, params: ["base_model": "tiny"], tags: ["job": "job-1"])
        await flushed
        let runID = try #require(started)
        await mirror.flush()
        let experimentID = try await client.experimentID(named: experiment)
        #expect(try await runCount(experimentID: experimentID) == 1)
        await mirror.finish(status: .failed)
        var run = try await client.getRun(runID: runID)
        #expect(run.status == .failed)
        #expect(run.params == ["base_model": "tiny"])
        #expect(run.tags["job"] == "job-1")
        #expect(try await client.metricHistory(runID: runID, key: "loss").count == 2500)

        // A restarted job re-opens its run; logging the same params again is fine.
        let again = MLflowMirror(client: client, experiment: experiment, logger: logger)
        #expect(await again.start(runName: "job-1", existingRunID: runID, params: ["base_model": "tiny"], tags: ["attempt": "2"]) == runID)
        run = try await client.getRun(runID: runID)
        #expect(run.status == .running)
        #expect(run.tags["attempt"] == "2")
        await again.record([MLflowMetric(key: "loss", value: 0.01, timestampMs: 9_999, step: 2500)])
        await again.finish(status: .finished)
        run = try await client.getRun(runID: runID)
        #expect(run.status == .finished)
        #expect(run.metrics["loss"]?.step == 2500)

        // A run MLflow does not know is replaced by a new one.
        let replaced = MLflowMirror(client: client, experiment: experiment, logger: logger)
        let newID = await replaced.start(runName: "job-2", existingRunID: "0123456789abcdef0123456789abcdef", params: [:], tags: [:])
        #expect(newID != nil && newID != runID)
        await replaced.finish(status: .killed)
        #expect(try await runCount(experimentID: experimentID) == 2)
    }

    /// runs/search, which the client does not need otherwise.
    private func runCount(experimentID: String) async throws -> Int {
        var request = URLRequest(url: MLflowTestServer.current!.url.appendingPathComponent("api/2.0/mlflow/runs/search"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["experiment_ids": [experimentID], "max_results": 1000])
        let (data, _) = try await URLSession.shared.data(for: request)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (json?["runs"] as? [Any])?.count ?? 0
    }
}

/// The mirror when MLflow is down: no server needed.
struct MLflowMirrorOfflineTests {
    @Test func mirrorSurvivesAnUnreachableServer() async throws {
        // A port nothing listens on: every call fails fast with a connection error.
        let down = MLflowClient(trackingURI: URL(string: "http://127.0.0.1:\(MLflowTestServer.freePort())")!, timeout: 2)
        let log = CapturedLog()
        let mirror = MLflowMirror(client: down, experiment: "unreachable", logger: Logger(label: "test.mlflow-down") { _ in log })
        #expect(await mirror.start(runName: "job", existingRunID: nil, params: ["a": "1"], tags: [:]) == nil)
        await mirror.record((0..<(MLflowMirror.maxBufferedPoints + 10)).map { MLflowMetric(key: "loss", value: 1, timestampMs: 1, step: Int64($0)) })
        await mirror.flush()
        await mirror.finish(status: .finished)
        // Kept for a later flush, bounded: the 10 oldest points were dropped.
        #expect(log.messages.contains("mlflow run was never created; \(MLflowMirror.maxBufferedPoints) metric points not mirrored"), "\(log.messages)")
        #expect(await mirror.runID == nil)
    }

    @Test func batchesRespectMLflowLimits() throws {
        let params = Dictionary(uniqueKeysWithValues: (0..<250).map { ("p\($0)", String(repeating: "é", count: 7000)) })
        let tags = Dictionary(uniqueKeysWithValues: (0..<120).map { ("t\($0)", "v") })
        let metrics = (0..<2500).map { MLflowMetric(key: "loss", value: .nan, timestampMs: 1, step: Int64($0)) }
        let batches = MLflowClient.batches(params: params, metrics: metrics, tags: tags)
        #expect(batches.reduce(0) { $0 + $1.params.count } == 250)
        #expect(batches.reduce(0) { $0 + $1.tags.count } == 120)
        #expect(batches.reduce(0) { $0 + $1.metrics.count } == 2500)
        for batch in batches {
            #expect(batch.params.count <= 100 && batch.tags.count <= 100 && batch.metrics.count <= 1000 && batch.count <= 1000)
            let body = try MLflowClient.encoder.encode(batch.body(runID: "r"))
            #expect(body.count < 1_000_000)
        }
        #expect(batches.first?.params.first?.value == String(repeating: "é", count: 6000))
        let body = try MLflowClient.encoder.encode(batches.last!.body(runID: "r"))
        #expect(String(decoding: body, as: UTF8.self).contains(#""value":"NaN""#))
    }
}

/// The suite's `mlflow server`: started once around the suite, stopped with its whole
/// process group (mlflow runs uvicorn as a child).
struct MLflowTestServer: Sendable {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = ProcessInfo.processInfo.environment["MLFLOW_BIN"]
        ?? repositoryRoot.appendingPathComponent(".build-bench/pyenv/bin/mlflow").path
    static let required = ProcessInfo.processInfo.environment["REQUIRE_MLFLOW"] == "1"
    /// When false the suite is skipped, and the runner prints the `.enabled` comment as the note.
    static let shouldRun = FileManager.default.isExecutableFile(atPath: binary) || required

    @TaskLocal static var current: MLflowTestServer?

    let pid: pid_t
    let url: URL
    let folder: URL

    struct Scope: SuiteTrait, TestScoping {
        func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
            let server = try await MLflowTestServer.start()
            defer { server.stop() }
            try await MLflowTestServer.$current.withValue(server) { try await function() }
        }
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// A server on `port` (a free one unless given: a test may aim a trainer at it first).
    static func start(port: Int = freePort()) async throws -> MLflowTestServer {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw StartFailure(description: "REQUIRE_MLFLOW=1 but there is no mlflow at \(binary): run ensure_mlflow (scripts/lib/mlflow_env.sh) or set MLFLOW_BIN")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlflow-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("artifacts"), withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("server.log").path
        let arguments = [
            binary, "server",
            "--backend-store-uri", "sqlite:///\(folder.appendingPathComponent("mlflow.db").path)",
            "--default-artifact-root", folder.appendingPathComponent("artifacts").path,
            "--host", "127.0.0.1", "--port", "\(port)", "--workers", "1",
        ]
        // Its own process group (pgid == pid), so stop() reaches uvicorn too; default signal
        // handling and an empty mask, since the test runner's would make it ignore SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&signals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &signals)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var environment = ProcessInfo.processInfo.environment
        // Without this mlflow 3 also starts a job runner with seven huey consumers.
        environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw StartFailure(description: "posix_spawn \(binary): \(String(cString: strerror(rc)))") }

        let server = MLflowTestServer(pid: pid, url: URL(string: "http://127.0.0.1:\(port)")!, folder: folder)
        let started = ContinuousClock.now
        let deadline = started + .seconds(Int(ProcessInfo.processInfo.environment["MLFLOW_START_TIMEOUT"] ?? "") ?? 90)
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            if waitpid(pid, &status, WNOHANG) == pid {
                let tail = server.logTail()
                server.stop()
                throw StartFailure(description: "mlflow server exited during start (status \(status)):\n\(tail)")
            }
            if await server.answers() {
                print("mlflow server ready on port \(port) after \(ContinuousClock.now - started)")
                return server
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let tail = server.logTail()
        server.stop()
        throw StartFailure(description: "mlflow server did not answer on port \(port) in time:\n\(tail)")
    }

    private func answers() async -> Bool {
        var request = URLRequest(url: url.appendingPathComponent("health"), timeoutInterval: 2)
        request.httpMethod = "GET"
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    /// SIGTERM to the group, SIGKILL after 15 s; waits until no member is left.
    func stop() {
        let started = ContinuousClock.now
        kill(-pid, SIGTERM)
        var status: Int32 = 0
        for attempt in 0..<200 {
            _ = waitpid(pid, &status, WNOHANG)
            if kill(-pid, 0) != 0 && errno == ESRCH { break }
            if attempt == 150 { print("mlflow server: SIGKILL after 15 s"); kill(-pid, SIGKILL) }
            usleep(100_000)
        }
        print("mlflow server stopped after \(ContinuousClock.now - started)")
        _ = waitpid(pid, &status, WNOHANG)
        try? FileManager.default.removeItem(at: folder)
    }

    func logTail() -> String {
        let text = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(30).joined(separator: "\n")
    }

    /// A free TCP port on loopback (bind to 0, read it back, release it).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                _ = bind(fd, raw, length)
                _ = getsockname(fd, raw, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A log handler that keeps every message (the mirror reports what it could not send only in its log).
struct CapturedLog: LogHandler {
    private let box = Box()
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var messages: [String] { box.messages.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        box.messages.withLock { $0.append(event.message.description) }
    }

    private final class Box: Sendable {
        let messages = Mutex<[String]>([])
    }
}
