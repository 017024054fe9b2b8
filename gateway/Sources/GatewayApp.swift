import Bus
import Hummingbird
import Logging
import Prometheus
import ServiceKit

/// The gateway's settings. The REST API, auth and the web UI arrive with the
/// gateway issue; until then it serves health and metrics on its public port.
public struct GatewaySettings: Sendable {
    public var httpPort: Int
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var busEndpoint: String

    public static func read(from environment: inout EnvironmentReader) -> GatewaySettings {
        GatewaySettings(
            httpPort: environment.int("HTTP_PORT", default: 8080, range: 1...65535),
            logLevel: environment.choice("LOG_LEVEL", default: Logger.Level.info),
            logFormat: environment.choice("LOG_FORMAT", default: LogFormat.json),
            busEndpoint: environment.zmqEndpoint("BUS_ENDPOINT", default: "tcp://127.0.0.1:5555")
        )
    }
}

public func buildGateway(settings: GatewaySettings, bus: BusClient, registry: PrometheusCollectorRegistry, logger: Logger) -> some ApplicationProtocol {
    let router = Router()
    HealthServer.addRoutes(to: router, registry: registry, checks: [
        "bus": {
            do {
                _ = try await bus.callRaw(service: "mmi.service", method: "", body: Array("gateway".utf8), options: .init(timeout: .seconds(2)))
                return nil
            } catch {
                return "broker unreachable (\(error))"
            }
        },
    ])
    return Application(router: router, configuration: .init(address: .hostname("0.0.0.0", port: settings.httpPort), serverName: "mlops-gateway"), logger: logger)
}
