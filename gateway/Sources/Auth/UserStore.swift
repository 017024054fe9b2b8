import Foundation
import Logging
import NIOCore
import PostgresNIO

public struct UserRecord: Sendable {
    public var id: Int64
    public var username: String
    public var role: Role
    public var createdAt: Date
}

/// Users in the gateway schema.
public struct UserStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The user and stored hash, or nil.
    func credentials(username: String) async throws -> (UserRecord, PasswordHash)? {
        let rows = try await postgres.query("""
            SELECT id, username, role, created_at, password_kdf, password_params, password_salt, password_hash
            FROM users WHERE username = \(username)
            """, logger: logger)
        for try await (id, name, role, created, kdf, params, salt, hash) in rows.decode((Int64, String, String, Date, String, String, ByteBuffer, ByteBuffer).self) {
            guard let role = Role(rawValue: role) else { return nil }
            return (UserRecord(id: id, username: name, role: role, createdAt: created),
                    PasswordHash(kdf: kdf, params: params, salt: Array(buffer: salt), hash: Array(buffer: hash)))
        }
        return nil
    }

    /// Inserts a user; nil when the name is taken.
    func create(username: String, role: Role, password: PasswordHash) async throws -> UserRecord? {
        let rows = try await postgres.query("""
            INSERT INTO users (username, role, password_kdf, password_params, password_salt, password_hash)
            VALUES (\(username), \(role.rawValue), \(password.kdf), \(password.params), \(ByteBuffer(bytes: password.salt)), \(ByteBuffer(bytes: password.hash)))
            ON CONFLICT (username) DO NOTHING
            RETURNING id, created_at
            """, logger: logger)
        for try await (id, created) in rows.decode((Int64, Date).self) {
            return UserRecord(id: id, username: username, role: role, createdAt: created)
        }
        return nil
    }

    func list(skip: Int, limit: Int) async throws -> (items: [UserRecord], total: Int) {
        var items: [UserRecord] = []
        let rows = try await postgres.query("SELECT id, username, role, created_at FROM users ORDER BY id LIMIT \(limit) OFFSET \(skip)", logger: logger)
        for try await (id, name, role, created) in rows.decode((Int64, String, String, Date).self) {
            items.append(UserRecord(id: id, username: name, role: Role(rawValue: role) ?? .viewer, createdAt: created))
        }
        var total = 0
        for try await count in try await postgres.query("SELECT count(*) FROM users", logger: logger).decode(Int.self) { total = count }
        return (items, total)
    }

    /// Creates the first administrator when there is no user at all; serialized
    /// across gateway instances by a transaction-level advisory lock.
    func bootstrapAdmin(username: String, password: String, hasher: PasswordHasher) async throws -> Bool {
        let hash = try await hasher.hash(password)
        return try await postgres.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('mlops.gateway.bootstrap-admin'))", logger: logger)
            let rows = try await connection.query("""
                INSERT INTO users (username, role, password_kdf, password_params, password_salt, password_hash)
                SELECT \(username), 'admin', \(hash.kdf), \(hash.params), \(ByteBuffer(bytes: hash.salt)), \(ByteBuffer(bytes: hash.hash))
                WHERE NOT EXISTS (SELECT 1 FROM users)
                RETURNING id
                """, logger: logger)
            return try await rows.collect().count == 1
        }
    }
}
