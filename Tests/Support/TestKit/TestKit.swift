import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where `swift build` put the executables (scripts/test sets MLOPS_BIN_DIR).
public let binDirectory: URL = {
    if let dir = ProcessInfo.processInfo.environment["MLOPS_BIN_DIR"] { return URL(fileURLWithPath: dir) }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return repo.appendingPathComponent(".build/debug")
}()

public struct MissingTestDatabase: Error, CustomStringConvertible {
    public var description: String { "TEST_DATABASE_URL is not set: run the suite through scripts/test, which starts a throwaway PostgreSQL" }
}

/// A fresh database on the test cluster, dropped at the end.
public struct TestDatabase: Sendable {
    public let admin: DatabaseURL
    public let url: DatabaseURL
    public let urlString: String
    public let logger = Logger(label: "test.db")

    public static func create() async throws -> TestDatabase {
        guard let text = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { throw MissingTestDatabase() }
        let admin = try DatabaseURL.parse(text).get()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try await SchemaBootstrap.withConnection(admin, logger: Logger(label: "test.db")) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "test.db"))
        }
        var url = admin
        url.database = String(name)
        var components = URLComponents(string: text)!
        components.path = "/" + name
        return TestDatabase(admin: admin, url: url, urlString: components.string!)
    }

    public func drop() async {
        _ = try? await SchemaBootstrap.withConnection(admin, logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(url.database) WITH (FORCE)"), logger: logger)
        }
    }

    /// Runs one query as the administrator and returns the rows' first column as Ints.
    public func ints(_ sql: String) async throws -> [Int] {
        try await SchemaBootstrap.withConnection(url, logger: logger) { connection in
            var values: [Int] = []
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) {
                values.append(value)
            }
            return values
        }
    }
}

/// A free TCP port on loopback, from below the kernel's ephemeral range.
///
/// Binding to 0 hands out an ephemeral port, and between our release and the
/// service's bind any outgoing connection of a test running alongside may take
/// it as its source port (CI saw "Address already in use" that way). Ports below
/// the range are never picked for outgoing connections; a random one that binds
/// now is only at risk from another caller of this function.
public func freePort() -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20_000..<32_768)
        if canBind(port: port) { return port }
    }
    preconditionFailure("no free port between 20000 and 32767")
}

private func canBind(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            bind(fd, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// A real child process (one of our executables) with its output in a log file.
public final class ChildProcess: @unchecked Sendable {
    public let name: String
    let process = Process()
    public let logURL: URL

    public init(_ executable: String, arguments: [String] = [], environment: [String: String], name: String? = nil) throws {
        self.name = name ?? executable
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-test-\(self.name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = binDirectory.appendingPathComponent(executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BUS_") && !$0.key.hasPrefix("DATABASE") && $0.key != "METRICS_PORT" }
        env["LOG_FORMAT"] = "text"
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func signal(_ signal: Int32) { if process.isRunning { kill(process.processIdentifier, signal) } }

    /// Waits for exit; nil if it did not exit in time.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    public func stop() async {
        signal(SIGTERM)
        if await waitForExit(timeout: .seconds(10)) == nil {
            signal(SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }
}

/// A broker on free loopback ports.
public struct BrokerPorts: Sendable {
    public let router = freePort()
    public let xsub = freePort()
    public let xpub = freePort()
    public let metrics = freePort()

    public init() {}

    public var endpoint: String { "tcp://127.0.0.1:\(router)" }
    public var pubEndpoint: String { "tcp://127.0.0.1:\(xsub)" }
    public var subEndpoint: String { "tcp://127.0.0.1:\(xpub)" }

    public func environment(heartbeatMs: Int) -> [String: String] {
        [
            "BUS_ROUTER_BIND": "tcp://127.0.0.1:\(router)",
            "BUS_XSUB_BIND": "tcp://127.0.0.1:\(xsub)",
            "BUS_XPUB_BIND": "tcp://127.0.0.1:\(xpub)",
            "METRICS_PORT": "\(metrics)",
            "BUS_HEARTBEAT_MS": "\(heartbeatMs)",
            "LOG_LEVEL": "info",
        ]
    }

    public func start(heartbeatMs: Int) throws -> ChildProcess {
        try ChildProcess("bus", environment: environment(heartbeatMs: heartbeatMs), name: "bus")
    }
}

/// Environment for a service process (probe, registry, …) on the test broker and database.
public func serviceEnvironment(database: TestDatabase, broker: BrokerPorts, heartbeatMs: Int, slots: Int, dataRoot: URL, extra: [String: String] = [:]) -> [String: String] {
    probeEnvironment(database: database, broker: broker, heartbeatMs: heartbeatMs, slots: slots, dataRoot: dataRoot, extra: extra)
}

/// Environment for a probe service process.
public func probeEnvironment(database: TestDatabase, broker: BrokerPorts, heartbeatMs: Int, slots: Int, dataRoot: URL, extra: [String: String] = [:]) -> [String: String] {
    [
        "DATABASE_URL": database.urlString,
        "BUS_ENDPOINT": broker.endpoint,
        "BUS_PUB_ENDPOINT": broker.pubEndpoint,
        "BUS_SUB_ENDPOINT": broker.subEndpoint,
        "BUS_HEARTBEAT_MS": "\(heartbeatMs)",
        "BUS_WORKER_SLOTS": "\(slots)",
        "METRICS_PORT": "\(freePort())",
        "DATA_ROOT": dataRoot.path,
        "DB_POOL_SIZE": "\(slots)",
    ].merging(extra) { $1 }
}

public func temporaryDataRoot() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-data-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Polls `condition` until it holds or `timeout` passes.
public func eventually(timeout: Duration, every interval: Duration = .milliseconds(50), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return await condition()
}

/// A TCP connection to 127.0.0.1:`port`, or nil when refused. The caller closes it.
public func connectLoopback(port: Int) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        return nil
    }
    return fd
}

/// A plain HTTP GET on loopback, returning the status code (nil when refused).
public func httpStatus(port: Int, path: String) -> Int? {
    guard let fd = connectLoopback(port: port) else { return nil }
    defer { close(fd) }
    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = recv(fd, &buffer, buffer.count, 0)
    guard count > 12 else { return nil }
    let head = String(decoding: buffer[0..<count], as: UTF8.self)
    return Int(head.split(separator: " ").dropFirst().first ?? "")
}

/// A counter shared by concurrent tasks.
public final class SharedCounter: Sendable {
    private let value = Mutex(0)
    /// Returns the current value and increments it.
    public init() {}
    public func next() -> Int { value.withLock { value in defer { value += 1 }; return value } }
    public var current: Int { value.withLock { $0 } }
}
