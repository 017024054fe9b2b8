import Foundation
import PostgresNIO

/// A parsed `postgres://user:password@host:port/database?sslmode=…` URL.
public struct DatabaseURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var requireTLS: Bool

    public init(host: String, port: Int, username: String, password: String?, database: String, requireTLS: Bool) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
    }

    /// Parses the URL or returns the reason it is not usable.
    public static func parse(_ text: String) -> Result<DatabaseURL, DatabaseURLError> {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            return .failure(.init("must look like postgres://user[:password]@host[:port]/database"))
        }
        guard let host = components.host, !host.isEmpty else { return .failure(.init("has no host")) }
        guard let user = components.user, !user.isEmpty else { return .failure(.init("has no user name")) }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { return .failure(.init("has no database name")) }
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        guard ["disable", "prefer", "require"].contains(sslmode) else {
            return .failure(.init("sslmode '\(sslmode)' is not one of disable, prefer, require"))
        }
        return .success(DatabaseURL(
            host: host, port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database,
            requireTLS: sslmode == "require"
        ))
    }

    /// The same server and database, as another role.
    public func withRole(_ role: String, password: String?) -> DatabaseURL {
        var copy = self
        copy.username = role
        copy.password = password
        return copy
    }

    public var clientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
    }

    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension EnvironmentReader {
    public mutating func databaseURL(_ name: String) -> DatabaseURL? {
        let text = string(name)
        guard !text.isEmpty else { return nil }
        switch DatabaseURL.parse(text) {
        case .success(let url): return url
        case .failure(let error):
            problem(name, error.description)
            return nil
        }
    }
}
