import Crypto
import Foundation
import Logging
import PostgresNIO

/// One versioned SQL file: `NNNN_description.sql`.
public struct Migration: Sendable, Equatable {
    /// Who owns it: "kit" for ServiceKit's own tables, else the service name.
    public var component: String
    public var version: Int
    public var name: String
    public var sql: String

    public var checksum: String {
        hexString(SHA256.hash(data: Data(sql.utf8)))
    }

    public init(component: String, version: Int, name: String, sql: String) {
        self.component = component
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Loads every `NNNN_name.sql` in a folder, ordered by version; refuses gaps
    /// in the naming and duplicate versions.
    public static func load(component: String, directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        var migrations: [Migration] = []
        for file in files {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError("\(component) migration '\(file)' is not named NNNN_description.sql")
            }
            if migrations.contains(where: { $0.version == version }) {
                throw MigrationError("\(component) has two migrations numbered \(version)")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(component: component, version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }

    /// ServiceKit's own tables (idempotency keys), applied in every service's schema first.
    public static func serviceKit() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError("ServiceKit's Migrations folder is missing from its resource bundle")
        }
        return try load(component: "kit", directory: directory)
    }
}

public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Applies migrations in order, each in its own transaction, under an advisory
/// lock per schema; refuses to start when an applied file was edited since.
public enum MigrationRunner {
    @discardableResult
    public static func apply(_ migrations: [Migration], schema: String, url: DatabaseURL, logger: Logger) async throws -> [Migration] {
        precondition(SchemaBootstrap.isValidIdentifier(schema))
        return try await SchemaBootstrap.withConnection(url, logger: logger) { connection in
            let lockKey = "mlops.migrate.\(schema)"
            // Session-level: released when this dedicated connection closes, also on failure.
            try await connection.query("SELECT pg_advisory_lock(hashtext(\(lockKey)))", logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS "\(schema)".schema_migrations (
                    component text NOT NULL,
                    version integer NOT NULL,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (component, version)
                )
                """), logger: logger)
            var applied: [String: String] = [:]
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT component, version, checksum FROM \"\(schema)\".schema_migrations"), logger: logger)
            for try await (component, version, checksum) in rows.decode((String, Int, String).self) {
                applied["\(component)/\(version)"] = checksum
            }
            var newlyApplied: [Migration] = []
            for migration in migrations {
                let key = "\(migration.component)/\(migration.version)"
                if let checksum = applied[key] {
                    guard checksum == migration.checksum else {
                        throw MigrationError("migration \(key) (\(migration.name)) was changed after it was applied; add a new migration instead")
                    }
                    continue
                }
                try await connection.query("BEGIN", logger: logger)
                do {
                    // PostgresNIO speaks only the extended protocol (one statement per query), so
                    // the file travels as a bound parameter and PL/pgSQL's EXECUTE runs all of it.
                    try await connection.query("SELECT set_config('mlops.migration_sql', \(migration.sql), true)", logger: logger)
                    try await connection.query("DO $mlops$ BEGIN EXECUTE current_setting('mlops.migration_sql'); END $mlops$", logger: logger)
                    try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \"\(schema)\".schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)", binds: {
                        var binds = PostgresBindings()
                        binds.append(migration.component)
                        binds.append(migration.version)
                        binds.append(migration.name)
                        binds.append(migration.checksum)
                        return binds
                    }()), logger: logger)
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw MigrationError("migration \(key) (\(migration.name)) failed: \(String(reflecting: error))")
                }
                logger.info("migration applied", metadata: ["schema": .string(schema), "migration": .string(key), "name": .string(migration.name)])
                newlyApplied.append(migration)
            }
            return newlyApplied
        }
    }
}
