import Bus
import Contracts
import Foundation
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// What a service's handlers get to work with.
public struct ServiceDependencies: Sendable {
    public let settings: ServiceSettings
    public let schema: String
    public let postgres: PostgresClient
    public let bus: BusClient
    public let events: BusPublisher
    public let blobs: BlobStore
    public let idempotency: IdempotencyStore
    public let logger: Logger
}

/// The one way a service process starts: read and validate the environment
/// (exit 2 listing every problem), set up logging and metrics, create the
/// schema and role, apply migrations, then run the Postgres pool, the bus
/// worker, the health port and the idempotency-key pruner in one ServiceGroup
/// until SIGTERM/SIGINT, which drains in-flight requests before the pool closes.
public enum ServiceMain {
    public static func run<Extra: Sendable>(
        service: String,
        defaultMetricsPort: Int,
        migrations: @Sendable () throws -> [Migration],
        readExtra: (inout EnvironmentReader) -> Extra,
        makeRouter: @Sendable (ServiceDependencies, Extra) throws -> BusRouter
    ) async -> Never {
        await run(service: service, defaultMetricsPort: defaultMetricsPort, migrations: migrations, readExtra: readExtra,
                  makeRouter: { deps, extra -> (BusRouter, [any Service]) in (try makeRouter(deps, extra), []) })
    }

    /// The same for a service with background work (the trainer's supervisor):
    /// those services run beside the worker, start after the pool, and stop
    /// after the worker has drained but before the pool closes.
    public static func run<Extra: Sendable>(
        service: String,
        defaultMetricsPort: Int,
        migrations: @Sendable () throws -> [Migration],
        readExtra: (inout EnvironmentReader) -> Extra,
        makeRouter: @Sendable (ServiceDependencies, Extra) throws -> (BusRouter, [any Service])
    ) async -> Never {
        precondition(SchemaBootstrap.isValidIdentifier(service))
        var environment = EnvironmentReader()
        let settings = ServiceSettings.read(service: service, from: &environment, defaultMetricsPort: defaultMetricsPort)
        if settings.database == nil && environment.problems.isEmpty {
            environment.problem("DATABASE_URL", "required but not set")
        }
        let extra = readExtra(&environment)
        do { try environment.validate() } catch {
            exitForConfiguration(error, program: service)
        }

        LogSetup.bootstrap(format: settings.logFormat, level: settings.logLevel)
        let registry = MetricsSetup.bootstrap()
        let logger = {
            var logger = Logger(label: "mlops.\(service)")
            logger[metadataKey: "service"] = .string(service)
            return logger
        }()

        do {
            let postgres = try await prepareDatabase(settings: settings, schema: service, migrations: migrations, logger: logger)
            let bus = try BusClient(configuration: .init(endpoint: settings.busEndpoint, curve: settings.busKeys), logger: logger)
            let events = try BusPublisher(endpoint: settings.busPubEndpoint, curve: settings.busKeys, logger: logger)
            let dependencies = ServiceDependencies(
                settings: settings, schema: service, postgres: postgres, bus: bus, events: events,
                blobs: try BlobStore(dataRoot: settings.dataRoot),
                idempotency: IdempotencyStore(client: postgres, schema: service), logger: logger
            )
            let (router, background) = try makeRouter(dependencies, extra)
            let pruner = IdempotencyPruner(store: dependencies.idempotency, retention: settings.idempotencyRetention, logger: logger)
            let worker = BusWorker(configuration: settings.worker, router: router, logger: logger)
            let health = HealthServer.makeApplication(
                host: settings.metricsHost, port: settings.metricsPort, registry: registry,
                checks: [
                    "database": { await databaseCheck(postgres, logger: logger) },
                    "bus": { await busCheck(bus, service: service) },
                ],
                logger: logger
            )
            // Shut down in reverse: the worker drains first while the pool is still up.
            let group = ServiceGroup(
                services: [postgres, health, pruner] + background + [worker],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
            try await group.run()
            bus.shutdown()
            events.shutdown()
            logger.info("stopped")
            exit(0)
        } catch {
            logger.critical("service failed", metadata: ["error": .string(String(reflecting: error))])
            exit(1)
        }
    }

    /// The database part of a process's start, shared by every service and the
    /// gateway: with `DB_BOOTSTRAP` create the schema and its own role (as the
    /// administrator URL), apply ServiceKit's and the given migrations under the
    /// advisory lock, retrying until `STARTUP_TIMEOUT_S` while the database comes
    /// up, and return a pool connected as the service's role (not yet running:
    /// the caller runs it in its ServiceGroup).
    public static func prepareDatabase(
        settings: ServiceSettings,
        schema: String,
        migrations: @Sendable () throws -> [Migration],
        logger: Logger
    ) async throws -> PostgresClient {
        precondition(SchemaBootstrap.isValidIdentifier(schema))
        guard let admin = settings.database else { throw MigrationError("DATABASE_URL is not set") }
        let role = SchemaBootstrap.roleName(forSchema: schema)
        let serviceURL = settings.databaseBootstrap ? admin.withRole(role, password: settings.serviceDatabasePassword) : admin
        try await retryingUntil(settings.startupTimeout, logger: logger, what: "database") {
            if settings.databaseBootstrap {
                try await SchemaBootstrap.run(admin: admin, schema: schema, role: role, rolePassword: settings.serviceDatabasePassword, logger: logger)
            }
            try await MigrationRunner.apply(try Migration.serviceKit() + migrations(), schema: schema, url: serviceURL, logger: logger)
        }
        var poolConfiguration = serviceURL.clientConfiguration
        poolConfiguration.options.maximumConnections = settings.databasePoolSize
        return PostgresClient(configuration: poolConfiguration, backgroundLogger: logger)
    }

    /// Ready when `SELECT 1` answers.
    public static func databaseCheck(_ postgres: PostgresClient, logger: Logger) async -> String? {
        do {
            _ = try await withTimeout(.seconds(2)) { try await postgres.query("SELECT 1", logger: logger) }
            return nil
        } catch {
            return "unreachable (\(error))"
        }
    }

    /// Ready when the broker answers and knows a worker of `service` (MMI, RFC 8).
    public static func busCheck(_ bus: BusClient, service: String) async -> String? {
        do {
            let response = try await bus.callRaw(service: "mmi.service", method: "", body: Array(service.utf8), options: .init(timeout: .seconds(2)))
            let answer = String(decoding: response.body, as: UTF8.self)
            return answer == "200" ? nil : "broker has no worker of '\(service)' (\(answer))"
        } catch {
            return "broker unreachable (\(error))"
        }
    }

    /// Retries `body` with backoff until it succeeds or `limit` passes (dependencies
    /// started together come up in any order).
    public static func retryingUntil(_ limit: Duration, logger: Logger, what: String, _ body: () async throws -> Void) async throws {
        let deadline = ContinuousClock.now + limit
        var pause = Duration.milliseconds(200)
        while true {
            do {
                try await body()
                return
            } catch let error as MigrationError {
                throw error
            } catch {
                if ContinuousClock.now + pause >= deadline { throw error }
                logger.warning("\(what) not ready, retrying", metadata: ["error": .string(String(reflecting: error))])
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var description: String { "timed out" }
}

func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeoutError()
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}
