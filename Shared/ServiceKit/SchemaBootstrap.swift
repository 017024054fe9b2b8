import Logging
import PostgresNIO

/// Creates a service's schema and its own login role that may use only that
/// schema. Runs with the administrator's DATABASE_URL, under an advisory lock
/// so N instances can start at once. Identifiers are validated here and quoted
/// by PostgreSQL's own format(%I/%L); nothing user-supplied is spliced into SQL.
public enum SchemaBootstrap {
    /// Lower-case identifiers only: they become role and schema names.
    public static func isValidIdentifier(_ name: String) -> Bool {
        name.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil
    }

    public static func roleName(forSchema schema: String) -> String { "mlops_\(schema)" }

    public static func run(admin: DatabaseURL, schema: String, role: String, rolePassword: String?, logger: Logger) async throws {
        precondition(isValidIdentifier(schema) && isValidIdentifier(role), "schema and role names are validated at configuration time")
        try await withConnection(admin, logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_lock(hashtext('mlops.bootstrap'))", logger: logger)
            do {
                let exists = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)", logger: logger).collect().count > 0
                if !exists {
                    try await runFormatted(connection, "format('CREATE ROLE %I LOGIN', $1::text)", [role], logger: logger)
                }
                if let rolePassword {
                    try await runFormatted(connection, "format('ALTER ROLE %I WITH LOGIN PASSWORD %L', $1::text, $2::text)", [role, rolePassword], logger: logger)
                }
                try await runFormatted(connection, "format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', $1::text, $2::text)", [schema, role], logger: logger)
                try await runFormatted(connection, "format('ALTER SCHEMA %I OWNER TO %I', $1::text, $2::text)", [schema, role], logger: logger)
                try await runFormatted(connection, "format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), $1::text)", [role], logger: logger)
                try await runFormatted(connection, "format('ALTER ROLE %I SET search_path = %I', $1::text, $2::text)", [role, schema], logger: logger)
                // Nothing shared: no role but the owner may create in or read the public schema,
                // and only granted roles may connect.
                try await connection.query("REVOKE ALL ON SCHEMA public FROM PUBLIC", logger: logger)
                try await runFormatted(connection, "format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database())", [], logger: logger)
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext('mlops.bootstrap'))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(hashtext('mlops.bootstrap'))", logger: logger)
        }
        logger.info("schema ready", metadata: ["schema": .string(schema), "role": .string(role)])
    }

    /// Asks the server to build a DDL statement from bound values (format %I/%L), then runs it.
    private static func runFormatted(_ connection: PostgresConnection, _ formatExpression: String, _ values: [String], logger: Logger) async throws {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        let build = PostgresQuery(unsafeSQL: "SELECT \(formatExpression)", binds: bindings)
        var statement = ""
        for try await (text) in try await connection.query(build, logger: logger).decode(String.self) { statement = text }
        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
    }

    /// One dedicated connection (session-level advisory locks need the same session throughout).
    @discardableResult
    public static func withConnection<T>(_ url: DatabaseURL, logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
