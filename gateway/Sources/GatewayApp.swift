import Bus
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import ServiceKit
import ServiceLifecycle

/// What the gateway runs on: the database pool (not yet running; the
/// application runs it), the bus client, the blob store and the metrics registry.
public struct GatewayDependencies: Sendable {
    public var postgres: PostgresClient
    public var bus: BusClient
    public var blobs: BlobStore
    public var metrics: PrometheusCollectorRegistry
    /// Job events from the bus, fanned out to SSE clients.
    public var jobEvents: JobEventHub
    public var logger: Logger

    public init(postgres: PostgresClient, bus: BusClient, blobs: BlobStore, metrics: PrometheusCollectorRegistry, jobEvents: JobEventHub, logger: Logger) {
        self.postgres = postgres
        self.bus = bus
        self.jobEvents = jobEvents
        self.blobs = blobs
        self.metrics = metrics
        self.logger = logger
    }

    /// Creates the gateway schema and role, applies its migrations, and opens
    /// the pool, the bus client and the blob store.
    public static func prepare(settings: GatewaySettings, metrics: PrometheusCollectorRegistry, logger: Logger) async throws -> GatewayDependencies {
        let postgres = try await ServiceMain.prepareDatabase(settings: settings.common, schema: GatewaySettings.service, migrations: { try gatewayMigrations() }, logger: logger)
        return GatewayDependencies(
            postgres: postgres,
            bus: try BusClient(configuration: .init(endpoint: settings.common.busEndpoint, curve: settings.common.busKeys), logger: logger),
            blobs: try BlobStore(dataRoot: settings.common.dataRoot),
            metrics: metrics, jobEvents: try JobEventHub(endpoint: settings.common.busSubEndpoint, curve: settings.common.busKeys, logger: logger), logger: logger
        )
    }
}

/// The gateway's SQL migrations (gateway/Migrations).
public func gatewayMigrations() throws -> [Migration] {
    guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
        throw MigrationError("the gateway's Migrations folder is missing from its resource bundle")
    }
    return try Migration.load(component: GatewaySettings.service, directory: directory)
}

/// Builds the whole gateway: every route behind the edge middleware, the
/// health routes on the same port, the database pool and the audit writer as
/// services of the application, and the first admin created before the server
/// starts when there is no user yet.
public func buildApplication(settings: GatewaySettings, dependencies: GatewayDependencies) async throws -> some ApplicationProtocol {
    let logger = dependencies.logger
    let postgres = dependencies.postgres
    let hasher = PasswordHasher(logN: settings.passwordLogN)
    let tokens = await TokenService(secret: settings.jwtSecret, ttlSeconds: settings.jwtTTLSeconds)
    let users = UserStore(postgres: postgres, logger: logger)
    let directory = UserDirectory(users: users, cacheSeconds: settings.userCheckSeconds)
    let apiKeys = APIKeyStore(postgres: postgres, cacheSeconds: settings.apiKeyCacheSeconds, logger: logger)
    let audit = AuditLog(postgres: postgres, deadLetterFile: settings.common.dataRoot.appendingPathComponent("audit/dead-letter.jsonl"), logger: logger)
    let uploads = try UploadStore(postgres: postgres, dataRoot: settings.common.dataRoot, logger: logger)
    let bus = dependencies.bus

    let router = Router(context: GatewayContext.self)
    router.add(middleware: EdgeMiddleware(
        authenticator: Authenticator(tokens: tokens, apiKeys: apiKeys, directory: directory),
        rateLimiter: RateLimiter(perMinute: settings.rateLimitPerMinute),
        audit: audit, trustedProxy: settings.trustedProxy, logger: logger
    ))
    let idempotency = GatewayIdempotency(postgres: postgres, secret: settings.jwtSecret, maxBodyBytes: settings.maxBodyBytes, logger: logger)
    let table = RouteTable(router: router, idempotency: idempotency)
    HealthServer.addRoutes(to: router, registry: dependencies.metrics, checks: [
        "database": { await ServiceMain.databaseCheck(postgres, logger: logger) },
        "bus": { await brokerCheck(bus) },
    ])
    SystemSpecs.register(table)
    AuthRoutes(users: users, directory: directory, apiKeys: apiKeys, tokens: tokens, hasher: hasher,
               auditStore: AuditStore(postgres: postgres, logger: logger), maxBodyBytes: settings.maxBodyBytes).register(table)
    ModelRoutes(calls: BusCalls(bus: bus, timeout: settings.busCallTimeout), maxBodyBytes: settings.maxBodyBytes).register(table)
    let processing = BusCalls(bus: bus, timeout: settings.processingCallTimeout, attemptTimeout: settings.processingCallTimeout)
    DatasetRoutes(calls: BusCalls(bus: bus, timeout: settings.busCallTimeout), processing: processing, uploads: uploads, blobs: dependencies.blobs,
                  maxBodyBytes: settings.maxBodyBytes, maxUploadBytes: settings.maxUploadBytes).register(table)
    GroundTruthRoutes(calls: BusCalls(bus: bus, timeout: settings.busCallTimeout), maxBodyBytes: settings.maxBodyBytes).register(table)
    JobRoutes(calls: BusCalls(bus: bus, timeout: settings.busCallTimeout), hub: dependencies.jobEvents, maxBodyBytes: settings.maxBodyBytes).register(table)
    UploadRoutes(store: uploads, blobs: dependencies.blobs, maxUploadBytes: settings.maxUploadBytes, maxBodyBytes: settings.maxBodyBytes).register(table)
    try table.verifyAgainstPolicy()

    var app = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [ParserErrorResponder()])),
        configuration: .init(address: .hostname(settings.httpHost, port: settings.httpPort), serverName: "mlops-gateway"),
        services: [postgres, audit, dependencies.jobEvents,
                   IdempotencyPruner(retention: settings.common.idempotencyRetention, logger: logger) { try await idempotency.prune(olderThan: $0) }],
        logger: logger
    )
    let admin = settings.adminUsername.flatMap { name in settings.adminPassword.map { (name, $0) } }
    app.beforeServerStarts {
        if let (name, password) = admin {
            if try await users.bootstrapAdmin(username: name, password: password, hasher: hasher) {
                logger.notice("created the first administrator", metadata: ["username": .string(name)])
            }
        } else if try await postgres.query("SELECT 1 FROM users LIMIT 1", logger: logger).collect().isEmpty {
            logger.warning("there is no user yet: set ADMIN_USERNAME and ADMIN_PASSWORD to create the first administrator")
        }
    }
    return app
}

/// Ready when the broker answers an MMI query (whatever it says about workers).
func brokerCheck(_ bus: BusClient) async -> String? {
    do {
        _ = try await bus.callRaw(service: "mmi.service", method: "", body: Array("registry".utf8), options: .init(timeout: .seconds(2)))
        return nil
    } catch {
        return "broker unreachable (\(error))"
    }
}

/// The gateway process: configuration (exit 2 listing every problem), logging,
/// metrics, database, then the HTTP server until SIGTERM/SIGINT.
public enum GatewayMain {
    public static func run() async -> Never {
        let settings: GatewaySettings
        do { settings = try GatewaySettings.load() } catch {
            exitForConfiguration(error, program: GatewaySettings.service)
        }
        LogSetup.bootstrap(format: settings.common.logFormat, level: settings.common.logLevel)
        let metrics = MetricsSetup.bootstrap()
        var logger = Logger(label: "mlops.gateway")
        logger[metadataKey: "service"] = .string(GatewaySettings.service)
        do {
            let dependencies = try await GatewayDependencies.prepare(settings: settings, metrics: metrics, logger: logger)
            let app = try await buildApplication(settings: settings, dependencies: dependencies)
            let group = ServiceGroup(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            try await group.run()
            dependencies.bus.shutdown()
            logger.info("stopped")
            exit(0)
        } catch {
            logger.critical("gateway failed", metadata: ["error": .string(String(reflecting: error))])
            exit(1)
        }
    }
}
