import Bus
import Contracts
import Foundation
import ServiceKit
import TestKit
import Testing

/// A real PostgreSQL database, a real `bus` broker and a real `registry`
/// process, and a client that talks to it over the bus.
struct RegistryHarness {
    static let heartbeatMs = 250

    let database: TestDatabase
    let broker: ChildProcess
    let registry: ChildProcess
    let client: BusClient
    let dataRoot: URL

    static func start() async throws -> RegistryHarness {
        let database = try await TestDatabase.create()
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: heartbeatMs)
        let dataRoot = temporaryDataRoot()
        let registry = try ChildProcess("registry", environment: serviceEnvironment(database: database, broker: ports, heartbeatMs: heartbeatMs, slots: 16, dataRoot: dataRoot))
        let client = try BusClient(configuration: .init(endpoint: ports.endpoint, attemptTimeout: .seconds(2)))
        let harness = RegistryHarness(database: database, broker: broker, registry: registry, client: client, dataRoot: dataRoot)
        // Up once a GetModel reaches the handler (NOT_FOUND on an empty registry).
        let up = await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            var probe = Mlops_V1_Registry_GetModelRequest()
            probe.id = 1
            do {
                _ = try await client.call(RegistryMethods.getModel, probe, options: .init(timeout: .seconds(1)))
                return true
            } catch let error as BusError {
                return error.code == .notFound
            } catch {
                return false
            }
        }
        if !up {
            await harness.stop()
            Issue.record("registry did not come up; log:\n\(registry.log)")
            throw BusError.unavailable("registry did not come up")
        }
        return harness
    }

    /// Runs `body` against a fresh harness and stops it afterwards, also on failure.
    static func with(_ body: (RegistryHarness) async throws -> Void) async throws {
        let harness = try await start()
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    func stop() async {
        client.shutdown()
        await registry.stop()
        await broker.stop()
        await database.drop()
        try? FileManager.default.removeItem(at: dataRoot)
    }

    /// A mutating call with a fresh idempotency key unless one is given.
    func mutate<Input, Output>(_ method: BusMethod<Input, Output>, _ input: Input, key: String = UUID().uuidString) async throws -> Output {
        try await client.call(method, input, options: .init(timeout: .seconds(20), idempotencyKey: key, subject: "tester"))
    }

    func read<Input, Output>(_ method: BusMethod<Input, Output>, _ input: Input) async throws -> Output {
        try await client.call(method, input, options: .init(timeout: .seconds(20)))
    }

    @discardableResult
    func register(_ name: String, _ version: String, _ configure: (inout Mlops_V1_Registry_RegisterModelRequest) -> Void = { _ in }) async throws -> Mlops_V1_Registry_Model {
        var request = Mlops_V1_Registry_RegisterModelRequest()
        request.modelName = name
        request.version = version
        request.modelPath = "s3://models/\(name)/\(version)"
        configure(&request)
        return try await mutate(RegistryMethods.registerModel, request)
    }

    func stage(_ method: BusMethod<Mlops_V1_Registry_StageRequest, Mlops_V1_Registry_Model>, _ id: Int64, reason: String = "") async throws -> Mlops_V1_Registry_Model {
        var request = Mlops_V1_Registry_StageRequest()
        request.id = id
        request.reason = reason
        return try await mutate(method, request)
    }

    func get(_ id: Int64, expand: [String] = []) async throws -> Mlops_V1_Registry_Model {
        var request = Mlops_V1_Registry_GetModelRequest()
        request.id = id
        request.expand = expand
        return try await read(RegistryMethods.getModel, request)
    }

    func list(_ configure: (inout Mlops_V1_Registry_ListModelsRequest) -> Void = { _ in }) async throws -> Mlops_V1_Registry_ListModelsReply {
        var request = Mlops_V1_Registry_ListModelsRequest()
        configure(&request)
        return try await read(RegistryMethods.listModels, request)
    }

    /// Stage names of a model name's versions, by version, read with SQL.
    func stagesInDatabase(of name: String) async throws -> [String: String] {
        try await SchemaBootstrap.withConnection(database.url, logger: database.logger) { connection in
            var stages: [String: String] = [:]
            let rows = try await connection.query("SELECT version, status FROM registry.model_registry WHERE model_name = \(name)", logger: database.logger)
            for try await (version, status) in rows.decode((String, String).self) { stages[version] = status }
            return stages
        }
    }
}

/// The BusError a call failed with (a test failure if it succeeded).
func busError(_ body: () async throws -> Void) async -> BusError? {
    do {
        try await body()
        Issue.record("expected the call to fail")
        return nil
    } catch let error as BusError {
        return error
    } catch {
        Issue.record("expected a BusError, got \(error)")
        return nil
    }
}
