import Bus
import Foundation
import Logging
import ServiceKit
import Testing

@Suite struct EnvironmentReaderTests {
    @Test func reportsEveryProblemAtOnce() {
        var reader = EnvironmentReader([
            "METRICS_PORT": "http",
            "BUS_HEARTBEAT_MS": "5",
            "LOG_FORMAT": "xml",
            "BUS_ENDPOINT": "localhost:5555",
            "DATABASE_URL": "mysql://x@y/z",
        ])
        _ = ServiceSettings.read(service: "probe", from: &reader, defaultMetricsPort: 9000)
        let fields = reader.problems.map { String($0.prefix(while: { $0 != ":" })) }
        #expect(Set(fields) == ["METRICS_PORT", "BUS_HEARTBEAT_MS", "LOG_FORMAT", "BUS_ENDPOINT", "DATABASE_URL"])
        #expect(throws: ConfigurationError.self) { try reader.validate() }
    }

    @Test func missingRequiredVariableIsNamed() {
        var reader = EnvironmentReader([:])
        _ = reader.databaseURL("DATABASE_URL")
        #expect(reader.problems == ["DATABASE_URL: required but not set"])
    }

    @Test func defaultsApplyWhenUnset() throws {
        var reader = EnvironmentReader(["DATABASE_URL": "postgres://u@h/db", "DATA_ROOT": NSTemporaryDirectory() + "mlops-env-test"])
        let settings = ServiceSettings.read(service: "probe", from: &reader, defaultMetricsPort: 9000)
        try reader.validate()
        #expect(settings.metricsPort == 9000)
        #expect(settings.metricsHost == "127.0.0.1")
        #expect(settings.busKeys == nil && settings.worker.curve == nil)
        #expect(settings.logFormat == .json)
        #expect(settings.logLevel == .info)
        #expect(settings.worker.slots == 8)
        #expect(settings.worker.heartbeatIntervalMs == 2500)
        #expect(settings.busEndpoint == "tcp://127.0.0.1:5555")
        #expect(settings.idempotencyRetention == .seconds(24 * 3600))
    }

    @Test func idempotencyRetentionIsValidated() {
        for bad in ["0", "-3", "twelve", "8761"] {
            var reader = EnvironmentReader(["DATABASE_URL": "postgres://u@h/db", "IDEMPOTENCY_RETENTION_HOURS": bad])
            _ = ServiceSettings.read(service: "probe", from: &reader, defaultMetricsPort: 9000)
            #expect(reader.problems.map { String($0.prefix(while: { $0 != ":" })) } == ["IDEMPOTENCY_RETENTION_HOURS"], "value \(bad)")
        }
        var reader = EnvironmentReader(["DATABASE_URL": "postgres://u@h/db", "IDEMPOTENCY_RETENTION_HOURS": "2"])
        #expect(ServiceSettings.read(service: "probe", from: &reader, defaultMetricsPort: 9000).idempotencyRetention == .seconds(7200))
        #expect(reader.problems.isEmpty)
    }

    @Test func metricsHostTakesAddressesOnly() {
        for (value, ok) in [("0.0.0.0", true), ("::1", true), ("::", true), ("metrics.internal", true), ("http://x", false), ("a b", false), ("-x", false)] {
            var reader = EnvironmentReader(["DATABASE_URL": "postgres://u@h/db", "METRICS_HOST": value])
            let settings = ServiceSettings.read(service: "probe", from: &reader, defaultMetricsPort: 9000)
            #expect(reader.problems.map { String($0.prefix(while: { $0 != ":" })) } == (ok ? [] : ["METRICS_HOST"]), "value \(value)")
            if ok { #expect(settings.metricsHost == value) }
        }
    }

    @Test func busKeysComeFromTheFolderNamedAfterTheService() throws {
        let directory = NSTemporaryDirectory() + "mlops-keys-\(UUID().uuidString.prefix(8))"
        _ = try BusKeyFolder(directory).generate(names: ["bus", "probe"])
        var reader = EnvironmentReader(["DATABASE_URL": "postgres://u@h/db", "BUS_KEYS_DIR": directory])
        let settings = ServiceSettings.read(service: "probe", from: &reader, defaultMetricsPort: 9000)
        #expect(reader.problems.isEmpty)
        let keys = try #require(settings.busKeys)
        #expect(settings.worker.curve == keys)
        #expect(keys.brokerPublicKey == (try String(contentsOfFile: directory + "/bus.pub", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines))

        // Another service's name has no key there: the problem names the variable and the file, not a key.
        var other = EnvironmentReader(["DATABASE_URL": "postgres://u@h/db", "BUS_KEYS_DIR": directory])
        _ = ServiceSettings.read(service: "registry", from: &other, defaultMetricsPort: 9000)
        #expect(other.problems == ["BUS_KEYS_DIR: \(directory)/registry.key: missing"])

        try "not-a-key".write(toFile: directory + "/probe.key", atomically: true, encoding: .utf8)
        var malformed = EnvironmentReader(["DATABASE_URL": "postgres://u@h/db", "BUS_KEYS_DIR": directory])
        _ = ServiceSettings.read(service: "probe", from: &malformed, defaultMetricsPort: 9000)
        #expect(malformed.problems.count == 1 && malformed.problems[0].hasPrefix("BUS_KEYS_DIR: \(directory)/probe.key: not a Z85"))
        #expect(!malformed.problems[0].contains("not-a-key"))
    }

    @Test func parsesDatabaseURLs() throws {
        let url = try DatabaseURL.parse("postgres://svc:p%40ss@db.internal:6543/mlops?sslmode=require").get()
        #expect(url == DatabaseURL(host: "db.internal", port: 6543, username: "svc", password: "p@ss", database: "mlops", requireTLS: true))
        #expect(throws: DatabaseURLError.self) { try DatabaseURL.parse("postgres://db/mlops").get() }
        #expect(throws: DatabaseURLError.self) { try DatabaseURL.parse("postgres://u@db/").get() }
        #expect(throws: DatabaseURLError.self) { try DatabaseURL.parse("postgres://u@db/x?sslmode=bogus").get() }
    }
}
