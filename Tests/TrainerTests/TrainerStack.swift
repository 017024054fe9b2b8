import Foundation
import TestKit
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real platform for trainer tests: a broker, the dataset service, one or
/// more trainer instances and the gateway, as processes on one throwaway
/// database and data root; a tiny model in DATA_ROOT/models/tiny and a split
/// chat dataset (id 1) ready to train on.
final class TrainerStack: @unchecked Sendable {
    let database: TestDatabase
    let dataRoot: URL
    let broker = BrokerPorts()
    let httpPort = freePort()
    var processes: [String: ChildProcess] = [:]
    var token = ""
    var logLevel: String?
    let adminPassword = "admin-password-1"

    static let python = repositoryRoot.appendingPathComponent(".data/ml-venv/bin/python").path
    static let mlAvailable = FileManager.default.isExecutableFile(atPath: python)
    /// Built once per test process: the tiny model and the sample data.
    static let fixtures: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-trainer-fixtures-\(getpid())")
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("tiny/config.json").path) {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            _ = runPython(["-m", "mlops_ml", "tiny-model", "--out", folder.appendingPathComponent("tiny").path])
            _ = runPython(["-m", "mlops_ml", "sample-data", "--out", folder.appendingPathComponent("samples.jsonl").path, "--n", "160"])
        }
        return folder
    }()

    private init(database: TestDatabase, dataRoot: URL) {
        self.database = database
        self.dataRoot = dataRoot
    }

    /// Runs `body` on a fresh stack; prints every process's log tail on failure.
    /// `logLevel` is the LOG_LEVEL of dataset, trainers and gateway (default info).
    static func with(trainers: [String: [String: String]] = ["a": [:]], ttl: Int = 4, extra: [String: String] = [:], logLevel: String? = nil,
                     _ body: (TrainerStack) async throws -> Void) async throws {
        try #require(mlAvailable, "the ml runtime is missing at \(python): run scripts/test (or scripts/up) once")
        let stack = TrainerStack(database: try await TestDatabase.create(), dataRoot: temporaryDataRoot())
        stack.logLevel = logLevel
        do {
            try await stack.start(trainers: trainers, ttl: ttl, extra: extra)
            try await body(stack)
        } catch {
            for (name, process) in stack.processes.sorted(by: { $0.key < $1.key }) {
                Issue.record("\(name) log:\n\(process.log.suffix(2500))")
            }
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    func trainerEnvironment(_ instance: String, ttl: Int, extra: [String: String]) -> [String: String] {
        environment([
            "TRAINER_INSTANCE_ID": instance, "TRAINER_DEVICES": "cpu:2", "TRAINER_LEASE_TTL_S": "\(ttl)",
            "TRAINER_POLL_MS": "200", "ML_PYTHON": Self.python,
        ].merging(extra) { $1 })
    }

    /// A service's environment on this stack's broker, database and data root.
    private func environment(_ extra: [String: String]) -> [String: String] {
        var values = extra
        if let logLevel { values["LOG_LEVEL"] = logLevel }
        return serviceEnvironment(database: database, broker: broker, heartbeatMs: 500, slots: 4, dataRoot: dataRoot, extra: values)
    }

    private func start(trainers: [String: [String: String]], ttl: Int, extra: [String: String]) async throws {
        let models = dataRoot.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("tiny"), to: models.appendingPathComponent("tiny"))
        processes["bus"] = try broker.start(heartbeatMs: 500)
        processes["dataset"] = try ChildProcess("dataset", environment: environment(
            ["DATASET_ENCRYPTION_KEY": String(repeating: "ab", count: 32), "ML_PYTHON": Self.python]))
        // For lineage: a job's model is registered and followed back to its data.
        processes["registry"] = try ChildProcess("registry", environment: environment([:]))
        for (instance, overrides) in trainers.sorted(by: { $0.key < $1.key }) {
            processes["trainer-\(instance)"] = try ChildProcess("trainer", environment: trainerEnvironment(instance, ttl: ttl, extra: extra.merging(overrides) { $1 }),
                                                                name: "trainer-\(instance)")
        }
        processes["gateway"] = try ChildProcess("gateway", environment: environment([
            "HTTP_PORT": "\(httpPort)", "JWT_SECRET": "test-secret-0123456789abcdef-0123456789",
            "ADMIN_USERNAME": "admin", "ADMIN_PASSWORD": adminPassword, "RATE_LIMIT_PER_MINUTE": "0",
            "BUS_CALL_TIMEOUT_MS": "10000", "PROCESSING_CALL_TIMEOUT_MS": "120000",
        ]))
        let ready = await eventually(timeout: .seconds(60), every: .milliseconds(200)) { httpStatus(port: httpPort, path: "/readyz") == 200 }
        try #require(ready, "the gateway did not become ready")
        let login = try await call("POST", "/api/v1/auth/login", json: ["username": "admin", "password": adminPassword], authenticated: false)
        token = try #require(login.object["access_token"] as? String)
        // The trainers report their devices when they start.
        let devices = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            ((try? await self.call("GET", "/api/v1/admin/gpus"))?.object["devices"] as? [Any])?.isEmpty == false
        }
        try #require(devices, "no trainer reported its devices")
        try await uploadDataset()
    }

    func stop() async {
        for name in ["gateway"] + processes.keys.filter({ $0.hasPrefix("trainer") }).sorted() + ["registry", "dataset", "bus"] {
            await processes[name]?.stop()
        }
        await database.drop()
        try? FileManager.default.removeItem(at: dataRoot)
    }

    // MARK: - HTTP

    struct Reply: Sendable {
        var status: Int
        var data: Data
        /// The gateway's request id (X-Request-Id), which is also the bus trace id of its calls.
        var requestId: String?
        var text: String { String(decoding: data, as: UTF8.self) }
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
        /// The problem's field names.
        var fields: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    }

    @discardableResult
    func call(_ method: String, _ path: String, json: [String: Any]? = nil, body: Data? = nil, contentType: String? = nil,
              authenticated: Bool = true) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(httpPort)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 120
        if authenticated { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return Reply(status: http?.statusCode ?? 0, data: data, requestId: http?.value(forHTTPHeaderField: "X-Request-Id"))
    }

    /// Dataset 1: the sample chat data, uploaded and split 80/10/10.
    private func uploadDataset() async throws {
        let boundary = "b-\(UUID().uuidString)"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nchat\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"samples.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n".utf8)
        body += try Data(contentsOf: Self.fixtures.appendingPathComponent("samples.jsonl"))
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        let created = try await call("POST", "/api/v1/admin/training/datasets", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
        try #require(created.status == 201, "dataset upload: \(created.text)")
        let split = try await call("POST", "/api/v1/admin/training/datasets/1/split", json: [:])
        try #require(split.status == 200, "split: \(split.text)")
    }

    // MARK: - Jobs

    /// Creates a job on the tiny model and dataset 1; `hyperparameters` extend small defaults.
    func createJob(_ name: String, method: String = "lora", hyperparameters: [String: Any] = [:], extra: [String: Any] = [:]) async throws -> Int {
        let reply = try await createJobReply(name, method: method, hyperparameters: hyperparameters, extra: extra)
        return try #require(reply.object["id"] as? Int)
    }

    /// The gateway's answer to creating the job (201, checked).
    func createJobReply(_ name: String, method: String = "lora", hyperparameters: [String: Any] = [:], extra: [String: Any] = [:]) async throws -> Reply {
        var hp: [String: Any] = ["num_epochs": 1, "batch_size": 8, "learning_rate": 0.003, "logging_steps": 1, "save_steps": 5]
        hp.merge(hyperparameters) { $1 }
        var spec: [String: Any] = ["job_name": name, "base_model": "tiny", "dataset_id": 1, "method": method, "hyperparameters": hp]
        spec.merge(extra) { $1 }
        let reply = try await call("POST", "/api/v1/admin/finetuning/jobs", json: spec)
        try #require(reply.status == 201, "create \(name): \(reply.text)")
        return reply
    }

    func job(_ id: Int) async throws -> [String: Any] {
        try await call("GET", "/api/v1/admin/finetuning/jobs/\(id)").object
    }

    /// Waits until the job's status is one of `statuses`; returns the job.
    @discardableResult
    func waitFor(_ id: Int, _ statuses: Set<String>, timeout: Duration = .seconds(180)) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        let reached = await eventually(timeout: timeout, every: .milliseconds(200)) {
            last = (try? await self.job(id)) ?? [:]
            return statuses.contains(last["status"] as? String ?? "")
        }
        try #require(reached, "job \(id) never reached \(statuses.sorted()); last: \(last["status"] ?? "?") \(last["status_reason"] ?? "") \(last["error"] ?? "")")
        return last
    }

    func metrics(_ id: Int) async throws -> [[String: Any]] {
        try await call("GET", "/api/v1/admin/finetuning/jobs/\(id)/metrics").object["points"] as? [[String: Any]] ?? []
    }

    func logs(_ id: Int, lines: Int = 1000) async throws -> [String] {
        try await call("GET", "/api/v1/admin/finetuning/jobs/\(id)/logs?lines=\(lines)").object["lines"] as? [String] ?? []
    }

    func ints(_ sql: String) async throws -> [Int] {
        try await database.ints(sql)
    }

    static func runPython(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
