import JSON
import Crypto
import Foundation
import Logging
import PostgresNIO
import Synchronization

public struct APIKeyRecord: Sendable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var createdAt: Date
    public var revokedAt: Date?
}

/// API keys: `mlk_` + 64 hex digits (32 random bytes). Only the key's sha256
/// is stored. Lookups are cached in process for `cacheSeconds` (hits and misses,
/// bounded), so authenticated GETs do not query the database each time; a
/// revocation through this process drops the cache entry at once, other gateway
/// instances notice within `cacheSeconds`.
public final class APIKeyStore: Sendable {
    public static let prefix = "mlk_"
    let postgres: PostgresClient
    let logger: Logger
    let cacheSeconds: Double

    private struct Entry { let principal: Principal?; let keyId: Int64?; let until: Double }
    private struct CacheState {
        var entries: [String: Entry] = [:]
        /// Bumped by every revocation: a lookup that started before one does not cache its answer.
        var generation = 0
    }
    private let cache = Mutex(CacheState())
    private static let cacheLimit = 10_000

    init(postgres: PostgresClient, cacheSeconds: Int, logger: Logger) {
        self.postgres = postgres
        self.cacheSeconds = Double(cacheSeconds)
        self.logger = logger
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + hex(bytes)
    }

    static func sha256(_ key: String) -> String { hex(Array(SHA256.hash(data: Array(key.utf8)))) }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a string looks like one of our keys (before any lookup).
    static func isWellFormed(_ key: String) -> Bool {
        key.utf8.count == prefix.utf8.count + 64 && key.hasPrefix(prefix)
            && key.utf8.dropFirst(prefix.utf8.count).allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// The key's principal (`apikey:<id>` with the key's role), or nil when unknown or revoked.
    func principal(for key: String) async throws -> Principal? {
        guard Self.isWellFormed(key) else { return nil }
        let digest = Self.sha256(key)
        let now = Date().timeIntervalSince1970
        let (cached, generation) = cache.withLock { ($0.entries[digest], $0.generation) }
        if let cached, cached.until > now { return cached.principal }
        var found: (Principal, Int64)?
        let rows = try await postgres.query("SELECT id, role FROM api_keys WHERE key_sha256 = \(digest) AND revoked_at IS NULL", logger: logger)
        for try await (id, role) in rows.decode((Int64, String).self) {
            if let role = Role(rawValue: role) { found = (Principal(subject: "apikey:\(id)", role: role), id) }
        }
        let entry = Entry(principal: found?.0, keyId: found?.1, until: now + cacheSeconds)
        if cacheSeconds > 0 {
            cache.withLock { cache in
                guard cache.generation == generation else { return }
                if cache.entries.count >= Self.cacheLimit {
                    cache.entries = cache.entries.filter { $0.value.until > now }
                    if cache.entries.count >= Self.cacheLimit { cache.entries.removeAll(keepingCapacity: true) }
                }
                cache.entries[digest] = entry
            }
        }
        return entry.principal
    }

    func create(name: String, role: Role, createdBy: String) async throws -> (APIKeyRecord, String) {
        let key = Self.generate()
        let digest = Self.sha256(key)
        let rows = try await postgres.query("""
            INSERT INTO api_keys (name, role, key_sha256, created_by) VALUES (\(name), \(role.rawValue), \(digest), \(createdBy))
            ON CONFLICT (created_by, lower(name)) WHERE revoked_at IS NULL DO NOTHING
            RETURNING id, created_at
            """, logger: logger)
        for try await (id, created) in rows.decode((Int64, Date).self) {
            // A miss for this digest may be cached (only by someone guessing the key): forget it.
            _ = cache.withLock { $0.entries.removeValue(forKey: digest) }
            return (APIKeyRecord(id: id, name: name, role: role, createdAt: created, revokedAt: nil), key)
        }
        throw GatewayError(.conflict, "conflict", "you already have a live API key named '\(name)'", errors: [FieldError("name", "is taken")])
    }

    func list(skip: Int, limit: Int) async throws -> (items: [APIKeyRecord], total: Int) {
        var items: [APIKeyRecord] = []
        let rows = try await postgres.query("SELECT id, name, role, created_at, revoked_at FROM api_keys ORDER BY id LIMIT \(limit) OFFSET \(skip)", logger: logger)
        for try await (id, name, role, created, revoked) in rows.decode((Int64, String, String, Date, Date?).self) {
            items.append(APIKeyRecord(id: id, name: name, role: Role(rawValue: role) ?? .viewer, createdAt: created, revokedAt: revoked))
        }
        var total = 0
        for try await count in try await postgres.query("SELECT count(*) FROM api_keys", logger: logger).decode(Int.self) { total = count }
        return (items, total)
    }

    /// Revokes a key (idempotent); false when there is no such key.
    func revoke(id: Int64) async throws -> Bool {
        let rows = try await postgres.query("""
            UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = \(id) RETURNING key_sha256
            """, logger: logger)
        var digests: [String] = []
        for try await digest in rows.decode(String.self) { digests.append(digest) }
        cache.withLock { cache in
            cache.generation += 1
            for digest in digests { cache.entries.removeValue(forKey: digest) }
        }
        return !digests.isEmpty
    }
}
