import Foundation
import Logging
import NIOCore
import PostgresNIO

public struct UserRecord: Sendable {
    public var id: Int64
    public var username: String
    public var role: Role
    public var createdAt: Date
    public var disabled = false
}

/// Users in the gateway schema.
public struct UserStore: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// The user and stored hash, or nil.
    func credentials(username: String) async throws -> (UserRecord, PasswordHash)? {
        let rows = try await postgres.query("""
            SELECT id, username, role, created_at, password_kdf, password_params, password_salt, password_hash
            FROM users WHERE username = \(username) AND NOT disabled
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
            ON CONFLICT DO NOTHING
            RETURNING id, created_at
            """, logger: logger)
        for try await (id, created) in rows.decode((Int64, Date).self) {
            return UserRecord(id: id, username: username, role: role, createdAt: created)
        }
        return nil
    }

    /// The user's role and whether it is disabled; nil when there is no such user.
    func access(username: String) async throws -> UserAccess? {
        let rows = try await postgres.query("SELECT role, disabled FROM users WHERE username = \(username)", logger: logger)
        for try await (role, disabled) in rows.decode((String, Bool).self) {
            // An unknown role in the table grants nothing.
            guard let role = Role(rawValue: role) else { return UserAccess(role: .viewer, disabled: true) }
            return UserAccess(role: role, disabled: disabled)
        }
        return nil
    }

    /// Changes the role and/or the disabled flag; nil when there is no such user.
    func update(id: Int64, role: Role?, disabled: Bool?) async throws -> UserRecord? {
        let rows = try await postgres.query("""
            UPDATE users SET role = COALESCE(\(role?.rawValue)::text, role), disabled = COALESCE(\(disabled)::bool, disabled), updated_at = now()
            WHERE id = \(id) RETURNING id, username, role, created_at, disabled
            """, logger: logger)
        for try await (id, name, role, created, disabled) in rows.decode((Int64, String, String, Date, Bool).self) {
            return UserRecord(id: id, username: name, role: Role(rawValue: role) ?? .viewer, createdAt: created, disabled: disabled)
        }
        return nil
    }

    /// Deletes the user; its name, or nil when there was none.
    func delete(id: Int64) async throws -> String? {
        let rows = try await postgres.query("DELETE FROM users WHERE id = \(id) RETURNING username", logger: logger)
        for try await name in rows.decode(String.self) { return name }
        return nil
    }

    /// Whether `id` is the only administrator that can still sign in.
    func isLastActiveAdmin(_ id: Int64) async throws -> Bool {
        let rows = try await postgres.query("""
            SELECT u.role = 'admin' AND NOT u.disabled
                   AND NOT EXISTS (SELECT 1 FROM users o WHERE o.role = 'admin' AND NOT o.disabled AND o.id <> u.id)
            FROM users u WHERE u.id = \(id)
            """, logger: logger)
        for try await last in rows.decode(Bool.self) { return last }
        return false
    }

    func list(skip: Int, limit: Int) async throws -> (items: [UserRecord], total: Int) {
        var items: [UserRecord] = []
        let rows = try await postgres.query("SELECT id, username, role, created_at, disabled FROM users ORDER BY id LIMIT \(limit) OFFSET \(skip)", logger: logger)
        for try await (id, name, role, created, disabled) in rows.decode((Int64, String, String, Date, Bool).self) {
            items.append(UserRecord(id: id, username: name, role: Role(rawValue: role) ?? .viewer, createdAt: created, disabled: disabled))
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
