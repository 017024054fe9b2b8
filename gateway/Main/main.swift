import Bus
import Foundation
import GatewayApp
import Logging
import ServiceKit
import ServiceLifecycle

var environment = EnvironmentReader()
let settings = GatewaySettings.read(from: &environment)
do { try environment.validate() } catch {
    exitForConfiguration(error, program: "gateway")
}
LogSetup.bootstrap(format: settings.logFormat, level: settings.logLevel)
let registry = MetricsSetup.bootstrap()
let logger = Logger(label: "mlops.gateway")
do {
    let bus = try BusClient(configuration: .init(endpoint: settings.busEndpoint), logger: logger)
    let app = buildGateway(settings: settings, bus: bus, registry: registry, logger: logger)
    let group = ServiceGroup(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    try await group.run()
    bus.shutdown()
} catch {
    logger.critical("gateway failed", metadata: ["error": .string(String(reflecting: error))])
    exit(1)
}
