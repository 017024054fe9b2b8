import Crypto
import Foundation
import GatewayApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import ServiceKit
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

let adminPassword = "admin-password-1"
let jwtSecret = "test-secret-0123456789abcdef-0123456789"

/// A running gateway (the real application from `buildApplication`, served on a
/// loopback port) on a fresh database, with helpers to call it.
struct Gateway: Sendable {
    let client: any TestClientProtocol
    let database: TestDatabase
    let dataRoot: URL
    /// The gateway's own pool (its schema on the search path).
    let postgres: PostgresClient

    var port: Int { client.port ?? 0 }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil,
              headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> TestResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        var payload = body
        if let json {
            headers[.contentType] = "application/json"
            payload = ByteBuffer(string: json)
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: payload)
    }

    func login(_ username: String, _ password: String) async throws -> String {
        let response = try await call(.post, "/api/v1/auth/login", json: #"{"username":"\#(username)","password":"\#(password)"}"#)
        #expect(response.status == .ok, "login of \(username): \(String(buffer: response.body))")
        return try #require(response.object["access_token"] as? String)
    }

    /// Creates a user of `role` (as admin) and returns its access token.
    func user(_ role: String, admin: String) async throws -> String {
        let name = "\(role)-\(UUID().uuidString.prefix(6).lowercased())"
        let password = "password-of-\(name)"
        let created = try await call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":"\#(name)","password":"\#(password)","role":"\#(role)"}"#)
        #expect(created.status == .created, "\(String(buffer: created.body))")
        return try await login(name, password)
    }

    /// Runs `body` against a fresh gateway. Without a broker the bus calls of
    /// model routes time out after BUS_CALL_TIMEOUT_MS (504).
    static func with<T: Sendable>(
        environment extra: [String: String] = [:], database given: TestDatabase? = nil, dataRoot givenRoot: URL? = nil,
        _ body: @Sendable (Gateway) async throws -> T
    ) async throws -> T {
        let database: TestDatabase
        if let given { database = given } else { database = try await TestDatabase.create() }
        let dataRoot = givenRoot ?? temporaryDataRoot()
        var environment: [String: String] = [
            "DATABASE_URL": database.urlString,
            "BUS_ENDPOINT": "tcp://127.0.0.1:\(freePort())",
            "DATA_ROOT": dataRoot.path,
            "HTTP_PORT": "0",
            "JWT_SECRET": jwtSecret,
            "ADMIN_USERNAME": "admin",
            "ADMIN_PASSWORD": adminPassword,
            "RATE_LIMIT_PER_MINUTE": "0",
            "BUS_CALL_TIMEOUT_MS": "300",
            "PROCESSING_CALL_TIMEOUT_MS": "1000",
            "STARTUP_TIMEOUT_S": "20",
        ]
        environment.merge(extra) { $1 }
        var settings = try GatewaySettings.load(environment)
        settings.passwordLogN = 10
        var logger = Logger(label: "test.gateway")
        logger.logLevel = .warning
        let dependencies = try await GatewayDependencies.prepare(settings: settings, metrics: MetricsSetup.bootstrap(), logger: logger)
        let app = try await buildApplication(settings: settings, dependencies: dependencies)
        do {
            let result = try await app.test(.live) { client in
                try await body(Gateway(client: client, database: database, dataRoot: dataRoot, postgres: dependencies.postgres))
            }
            dependencies.bus.shutdown()
            if given == nil { await database.drop() }
            if givenRoot == nil { try? FileManager.default.removeItem(at: dataRoot) }
            return result
        } catch {
            dependencies.bus.shutdown()
            if given == nil { await database.drop() }
            throw error
        }
    }
}

extension Gateway {
    /// Runs `body` against a fresh gateway wired to a real `bus` broker and a
    /// real `registry` process on one throwaway database and data root; tears
    /// all of it down afterwards, printing the registry's log on failure.
    static func withRegistry(_ body: @Sendable (Gateway, ChildProcess) async throws -> Void) async throws {
        try await withService("registry", body)
    }

    /// The same with the `dataset` service (its own random encryption key; the
    /// ml runtime's python from .data/ml-venv when it is installed).
    static func withDataset(_ body: @Sendable (Gateway, ChildProcess) async throws -> Void) async throws {
        try await withService("dataset", extra: [
            "DATASET_ENCRYPTION_KEY": randomHex(bytes: 32),
            "ML_PYTHON": repositoryRoot.appendingPathComponent(".data/ml-venv/bin/python").path,
            "DATASET_WORKERS": "2",
        ], body)
    }

    static func withService(_ executable: String, extra: [String: String] = [:], _ body: @Sendable (Gateway, ChildProcess) async throws -> Void) async throws {
        let database = try await TestDatabase.create()
        let dataRoot = temporaryDataRoot()
        let broker = BrokerPorts()
        let bus = try broker.start(heartbeatMs: 500)
        let service = try ChildProcess(executable, environment: serviceEnvironment(database: database, broker: broker, heartbeatMs: 500, slots: 4, dataRoot: dataRoot, extra: extra))
        defer { try? FileManager.default.removeItem(at: dataRoot) }
        do {
            try await Gateway.with(environment: ["BUS_ENDPOINT": broker.endpoint, "BUS_CALL_TIMEOUT_MS": "5000", "PROCESSING_CALL_TIMEOUT_MS": "120000"],
                                   database: database, dataRoot: dataRoot) { gateway in
                try await body(gateway, service)
            }
        } catch {
            Issue.record("\(executable) log:\n\(service.log.suffix(3000))")
            await service.stop()
            await bus.stop()
            await database.drop()
            throw error
        }
        await service.stop()
        await bus.stop()
        await database.drop()
    }
}

/// The checkout this test was built from.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func randomHex(bytes: Int) -> String {
    (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
}

extension TestResponse {
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }

    /// The problem's field names.
    var fields: [String] {
        (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }

    /// Checks the RFC 9457 shape and the request id.
    func expectProblem(_ status: HTTPResponse.Status, fields expected: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "\(text)", sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = object
        #expect((problem["type"] as? String)?.hasPrefix("https://mlops.dev/problems/") == true, sourceLocation: sourceLocation)
        #expect(problem["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
        #expect(problem["title"] is String && problem["detail"] is String && problem["instance"] is String, sourceLocation: sourceLocation)
        #expect(problem["request_id"] as? String == headers[.init("X-Request-Id")!], sourceLocation: sourceLocation)
        for field in expected {
            #expect(fields.contains(field), "no error for \(field) in \(text)", sourceLocation: sourceLocation)
        }
    }
}

/// Sends raw bytes on a new connection and closes it (an interrupted upload).
func sendRaw(port: Int, _ bytes: [UInt8]) {
    guard let fd = connectLoopback(port: port) else { return }
    defer { close(fd) }
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    usleep(200_000)
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
