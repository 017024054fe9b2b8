import Bus
import Foundation
import Logging
import ServiceKit
import ServiceLifecycle

// The broker process: Majordomo ROUTER for requests, XSUB/XPUB proxy for events,
// and the health/metrics port. `bus keygen DIR NAME…` makes CURVE key pairs instead.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "keygen" {
    exit(Keygen.run(Array(arguments.dropFirst())))
} else if !arguments.isEmpty {
    FileHandle.standardError.write(Data("usage: bus              run the broker (settings from the environment, see README)\n       bus keygen DIR NAME…  make a CURVE key pair per NAME in DIR (bus.key is the broker's)\n".utf8))
    exit(2)
}

var environment = EnvironmentReader()
let logLevel = environment.choice("LOG_LEVEL", default: Logger.Level.info)
let logFormat = environment.choice("LOG_FORMAT", default: LogFormat.json)
let metricsHost = environment.host("METRICS_HOST", default: "127.0.0.1")
let metricsPort = environment.int("METRICS_PORT", default: 9100, range: 0...65535)
let routerBind = environment.zmqEndpoint("BUS_ROUTER_BIND", default: "tcp://127.0.0.1:5555")
let xsubBind = environment.zmqEndpoint("BUS_XSUB_BIND", default: "tcp://127.0.0.1:5556")
let xpubBind = environment.zmqEndpoint("BUS_XPUB_BIND", default: "tcp://127.0.0.1:5557")
let heartbeatMs = environment.int("BUS_HEARTBEAT_MS", default: 2500, range: 10...600_000)
let liveness = environment.int("BUS_LIVENESS", default: 3, range: 1...100)
let queueLimit = environment.int("BUS_QUEUE_LIMIT", default: 10_000, range: 1...10_000_000)
let queueTimeoutMs = environment.int("BUS_QUEUE_TIMEOUT_MS", default: 60_000, range: 1...86_400_000)
let security = environment.brokerSecurity()
do { try environment.validate() } catch {
    exitForConfiguration(error, program: "bus")
}

LogSetup.bootstrap(format: logFormat, level: logLevel)
let registry = MetricsSetup.bootstrap()
let logger = Logger(label: "mlops.bus")

let broker = BusBroker(
    configuration: BusBrokerConfiguration(
        routerBind: routerBind, xsubBind: xsubBind, xpubBind: xpubBind,
        machine: .init(heartbeatIntervalMs: Int64(heartbeatMs), liveness: liveness, queueLimit: queueLimit, defaultQueueTimeoutMs: Int64(queueTimeoutMs)),
        security: security
    ),
    logger: logger
)
let health = HealthServer.makeApplication(host: metricsHost, port: metricsPort, registry: registry, checks: [:], logger: logger)
let group = ServiceGroup(services: [health, broker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
do {
    try await group.run()
} catch {
    logger.critical("bus failed", metadata: ["error": .string(String(reflecting: error))])
    exit(1)
}
