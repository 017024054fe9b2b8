import Hummingbird
import Logging
import NIOCore
import Prometheus

/// A readiness probe: nil when ready, else why not.
public typealias ReadinessCheck = @Sendable () async -> String?

/// The small HTTP port every process serves: `/healthz` (alive), `/readyz`
/// (dependencies reachable) and `/metrics` (Prometheus text format).
public enum HealthServer {
    /// `host`: METRICS_HOST, loopback by default (these routes have no authentication).
    public static func makeApplication(host: String, port: Int, registry: PrometheusCollectorRegistry, checks: [String: ReadinessCheck], logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        addRoutes(to: router, registry: registry, checks: checks)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "mlops-health"),
            logger: logger
        )
    }

    /// Adds the three routes to an existing router (the gateway serves them on its main port too).
    public static func addRoutes<Context: RequestContext>(to router: Router<Context>, registry: PrometheusCollectorRegistry, checks: [String: ReadinessCheck]) {
        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("readyz") { _, _ in
            var failures: [String] = []
            for (name, check) in checks.sorted(by: { $0.key < $1.key }) {
                if let reason = await check() { failures.append("\(name): \(reason)") }
            }
            let ready = failures.isEmpty
            let text = ready ? "ready\n" : failures.joined(separator: "\n") + "\n"
            return Response(status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("metrics") { _, _ in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(8192)
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
