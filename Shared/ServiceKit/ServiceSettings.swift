import Bus
import Foundation
import Logging

/// The settings every service process reads from its environment (README table).
public struct ServiceSettings: Sendable {
    public var service: String
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// METRICS_HOST: where /metrics, /healthz and /readyz listen; loopback unless
    /// a scraper on another host needs them (compose sets 0.0.0.0).
    public var metricsHost: String
    public var metricsPort: Int
    public var busEndpoint: String
    public var busPubEndpoint: String
    public var busSubEndpoint: String
    /// This process's CURVE keys (BUS_KEYS_DIR, named after the service); nil: plaintext bus.
    public var busKeys: BusClientKeys?
    public var dataRoot: URL
    /// The administrator URL: used to create the schema and role, then the
    /// service connects as its own role.
    public var database: DatabaseURL?
    public var databaseBootstrap: Bool
    public var serviceDatabasePassword: String?
    public var databasePoolSize: Int
    public var worker: BusWorkerConfiguration
    public var startupTimeout: Duration
    /// IDEMPOTENCY_RETENTION_HOURS: applied idempotency keys older than this are
    /// deleted; a retry after that long is a new request.
    public var idempotencyRetention: Duration

    /// Reads the common variables; problems are collected in `environment`.
    public static func read(service: String, from environment: inout EnvironmentReader, defaultMetricsPort: Int) -> ServiceSettings {
        let logLevel = environment.choice("LOG_LEVEL", default: Logger.Level.info)
        let logFormat = environment.choice("LOG_FORMAT", default: LogFormat.json)
        let metricsHost = environment.host("METRICS_HOST", default: "127.0.0.1")
        let metricsPort = environment.int("METRICS_PORT", default: defaultMetricsPort, range: 0...65535)
        let busEndpoint = environment.zmqEndpoint("BUS_ENDPOINT", default: "tcp://127.0.0.1:5555")
        let busPubEndpoint = environment.zmqEndpoint("BUS_PUB_ENDPOINT", default: "tcp://127.0.0.1:5556")
        let busSubEndpoint = environment.zmqEndpoint("BUS_SUB_ENDPOINT", default: "tcp://127.0.0.1:5557")
        let busKeys = environment.busClientKeys(for: service)
        let dataRoot = environment.directory("DATA_ROOT", default: ".data")
        let database = environment.databaseURL("DATABASE_URL")
        let bootstrap = environment.bool("DB_BOOTSTRAP", default: true)
        let password = environment.optionalString("SERVICE_DB_PASSWORD")
        let poolSize = environment.int("DB_POOL_SIZE", default: 10, range: 1...200)
        let slots = environment.int("BUS_WORKER_SLOTS", default: 8, range: 1...1024)
        let heartbeat = environment.int("BUS_HEARTBEAT_MS", default: 2500, range: 10...600_000)
        let liveness = environment.int("BUS_LIVENESS", default: 3, range: 1...100)
        let startup = environment.int("STARTUP_TIMEOUT_S", default: 60, range: 1...3600)
        let retention = environment.int("IDEMPOTENCY_RETENTION_HOURS", default: 24, range: 1...8760)
        return ServiceSettings(
            service: service, logLevel: logLevel, logFormat: logFormat, metricsHost: metricsHost, metricsPort: metricsPort,
            busEndpoint: busEndpoint, busPubEndpoint: busPubEndpoint, busSubEndpoint: busSubEndpoint, busKeys: busKeys,
            dataRoot: dataRoot, database: database, databaseBootstrap: bootstrap,
            serviceDatabasePassword: password, databasePoolSize: poolSize,
            worker: BusWorkerConfiguration(endpoint: busEndpoint, slots: slots, heartbeatIntervalMs: Int64(heartbeat), liveness: liveness, curve: busKeys),
            startupTimeout: .seconds(startup), idempotencyRetention: .seconds(retention * 3600)
        )
    }
}

/// Prints every configuration problem and exits with status 2 (the contract
/// scripts and orchestrators rely on).
public func exitForConfiguration(_ error: ConfigurationError, program: String) -> Never {
    FileHandle.standardError.write(Data("\(program): \(error.description)\n".utf8))
    exit(2)
}
