import Foundation
import Logging
import ServiceKit

/// The gateway's settings: the common ServiceSettings (DATABASE_URL, BUS_*,
/// DATA_ROOT, LOG_*, DB_*, STARTUP_TIMEOUT_S) plus its own (README table).
public struct GatewaySettings: Sendable {
    public static let service = "gateway"

    public var common: ServiceSettings
    public var httpPort: Int
    /// HTTP_HOST: where the API listens; loopback unless told (compose sets 0.0.0.0).
    public var httpHost: String
    public var jwtSecret: [UInt8]
    public var jwtTTLSeconds: Int
    public var adminUsername: String?
    public var adminPassword: String?
    /// Requests per minute per client IP; 0 disables the limit.
    public var rateLimitPerMinute: Int
    public var maxBodyBytes: Int
    public var maxUploadBytes: Int64
    /// true: the client IP is the first X-Forwarded-For entry (behind a proxy);
    /// false: the socket peer address.
    public var trustedProxy: Bool
    /// The budget of one call to a service over the bus.
    public var busCallTimeout: Duration
    /// PROCESSING_CALL_TIMEOUT_MS: ingest, validation, split, diff (default 15 min).
    public var processingCallTimeout: Duration
    /// How long an API-key lookup (hit or miss) is cached in process.
    public var apiKeyCacheSeconds: Int
    /// How long a token's subject (exists, enabled, role) is trusted between checks.
    public var userCheckSeconds: Int
    /// scrypt's cost as log2(N). Not read from the environment: production
    /// always uses the default; tests lower it to keep logins fast.
    public var passwordLogN: Int = 15

    public static func read(from environment: inout EnvironmentReader) -> GatewaySettings {
        let common = ServiceSettings.read(service: service, from: &environment, defaultMetricsPort: 8080)
        let httpPort = environment.int("HTTP_PORT", default: 8080, range: 0...65535)
        let httpHost = environment.host("HTTP_HOST", default: "127.0.0.1")
        let secret = environment.string("JWT_SECRET")
        if !secret.isEmpty && secret.utf8.count < 32 {
            environment.problem("JWT_SECRET", "must be at least 32 bytes (got \(secret.utf8.count))")
        }
        let ttl = environment.int("JWT_TTL_SECONDS", default: 3600, range: 60...30 * 86400)
        let adminUsername = environment.optionalString("ADMIN_USERNAME")
        let adminPassword = environment.optionalString("ADMIN_PASSWORD")
        switch (adminUsername, adminPassword) {
        case (nil, nil): break
        case (.some, nil): environment.problem("ADMIN_PASSWORD", "required when ADMIN_USERNAME is set")
        case (nil, .some): environment.problem("ADMIN_USERNAME", "required when ADMIN_PASSWORD is set")
        case let (.some(name), .some(password)):
            if let reason = UserValidation.usernameProblem(name) { environment.problem("ADMIN_USERNAME", reason) }
            if let reason = UserValidation.passwordProblem(password) { environment.problem("ADMIN_PASSWORD", reason) }
        }
        let rate = environment.int("RATE_LIMIT_PER_MINUTE", default: 100, range: 0...10_000_000)
        let maxBody = environment.int("MAX_BODY_BYTES", default: 1 << 20, range: 1024...(1 << 30))
        let maxUpload = environment.int("MAX_UPLOAD_BYTES", default: 20 << 30, range: 1...(1 << 50))
        let trusted = environment.bool("TRUSTED_PROXY", default: false)
        let busTimeout = environment.int("BUS_CALL_TIMEOUT_MS", default: 10_000, range: 50...600_000)
        let keyCache = environment.int("API_KEY_CACHE_SECONDS", default: 30, range: 0...3600)
        let userCheck = environment.int("USER_CHECK_SECONDS", default: 5, range: 0...300)
        let processingTimeout = environment.int("PROCESSING_CALL_TIMEOUT_MS", default: 900_000, range: 1000...3_600_000)
        return GatewaySettings(
            common: common, httpPort: httpPort, httpHost: httpHost, jwtSecret: Array(secret.utf8), jwtTTLSeconds: ttl,
            adminUsername: adminUsername, adminPassword: adminPassword, rateLimitPerMinute: rate,
            maxBodyBytes: maxBody, maxUploadBytes: Int64(maxUpload), trustedProxy: trusted,
            busCallTimeout: .milliseconds(busTimeout), processingCallTimeout: .milliseconds(processingTimeout),
            apiKeyCacheSeconds: keyCache, userCheckSeconds: userCheck
        )
    }

    /// Reads and validates; every problem at once.
    public static func load(_ values: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> GatewaySettings {
        var environment = EnvironmentReader(values)
        let settings = read(from: &environment)
        try environment.validate()
        return settings
    }
}
