import Bus
import Crypto
import Foundation
import Logging
import PostgresNIO
import SwiftProtobuf

/// Applies a mutating call at most once per (method, idempotency key).
///
/// The key row is inserted in the same transaction as the call's effect, so
/// both commit or neither does. A concurrent retry blocks on the key's unique
/// index until the first attempt commits, then returns its stored response.
public struct IdempotencyStore: Sendable {
    public let client: PostgresClient
    public let schema: String

    public init(client: PostgresClient, schema: String) {
        precondition(SchemaBootstrap.isValidIdentifier(schema))
        self.client = client
        self.schema = schema
    }

    /// Runs `apply` inside a transaction unless this key was applied before, in
    /// which case the first response is returned and `apply` does not run.
    public func once<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message & Sendable>(
        _ context: BusContext,
        request: Input,
        _ apply: (PostgresConnection) async throws -> Output
    ) async throws -> Output {
        let key = try context.requireIdempotencyKey()
        let requestBytes: [UInt8] = try request.serializedBytes()
        let fingerprint = hexString(SHA256.hash(data: requestBytes))
        let method = context.method
        let table = "\"\(schema)\".idempotency_keys"
        // `transaction` answers with the body's own error (NOT_FOUND, ALREADY_EXISTS, …).
        let bytes: [UInt8] = try await client.transaction(logger: context.logger) { connection in
            let claimed = try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO \(table) (method, key, request_sha256, response) VALUES ($1, $2, $3, ''::bytea)
                ON CONFLICT DO NOTHING RETURNING 1
                """, binds: Self.binds(method, key, fingerprint)), logger: context.logger).collect().count == 1
            if !claimed {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT request_sha256, response FROM \(table) WHERE method = $1 AND key = $2", binds: Self.binds(method, key)), logger: context.logger)
                for try await (storedFingerprint, response) in rows.decode((String, ByteBuffer).self) {
                    guard storedFingerprint == fingerprint else {
                        throw BusError.invalidArgument(field: "idempotency_key", "already used for a different \(method) request")
                    }
                    return Array(buffer: response)
                }
                throw BusError.internal("idempotency key vanished while being read")
            }
            let output = try await apply(connection)
            let encoded: [UInt8] = try output.serializedBytes()
            var binds = Self.binds(method, key)
            binds.append(ByteBuffer(bytes: encoded))
            try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(table) SET response = $3 WHERE method = $1 AND key = $2", binds: binds), logger: context.logger)
            return encoded
        }
        return try Output(serializedBytes: bytes)
    }

    /// The response already stored for this call's key, if any: lets a handler
    /// skip expensive work (reading files, training data) on a retry before it
    /// reaches `once`. A key reused for a different request is refused.
    public func storedResponse<Input: SwiftProtobuf.Message, Output: SwiftProtobuf.Message>(
        _ context: BusContext, request: Input, as: Output.Type
    ) async throws -> Output? {
        let key = try context.requireIdempotencyKey()
        let requestBytes: [UInt8] = try request.serializedBytes()
        let fingerprint = hexString(SHA256.hash(data: requestBytes))
        let table = "\"\(schema)\".idempotency_keys"
        let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT request_sha256, response FROM \(table) WHERE method = $1 AND key = $2 AND length(response) > 0", binds: Self.binds(context.method, key)), logger: context.logger)
        for try await (storedFingerprint, response) in rows.decode((String, ByteBuffer).self) {
            guard storedFingerprint == fingerprint else {
                throw BusError.invalidArgument(field: "idempotency_key", "already used for a different \(context.method) request")
            }
            return try Output(serializedBytes: Array(buffer: response))
        }
        return nil
    }

    /// Deletes keys older than `age`; a retry older than that is a new request.
    @discardableResult
    public func prune(olderThan age: Duration, logger: Logger) async throws -> Int {
        let seconds = Int(age.components.seconds)
        var binds = PostgresBindings()
        binds.append(seconds)
        let rows = try await client.query(PostgresQuery(unsafeSQL: "DELETE FROM \"\(schema)\".idempotency_keys WHERE created_at < now() - make_interval(secs => $1) RETURNING 1", binds: binds), logger: logger)
        return try await rows.collect().count
    }

    private static func binds(_ values: String...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return binds
    }
}
