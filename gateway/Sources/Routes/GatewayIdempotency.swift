import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Idempotency-Key for the mutations the gateway answers itself (users, API
/// keys, uploads): the services already apply theirs at most once, these
/// rows do the same here. The first request claims (subject, key); its answer
/// (any status below 500) is stored sealed and replayed to a retry with the
/// same method, route and body, marked `Idempotent-Replayed: true`. The key
/// with another request is a 400; a retry while the first still runs a 409.
/// A claim left by a gateway that died mid-request is taken over after
/// `abandonAfter`; a 5xx or an error frees the key for the retry.
struct GatewayIdempotency: Sendable {
    let postgres: PostgresClient
    let sealing: SymmetricKey
    let maxBodyBytes: Int
    let logger: Logger
    var abandonAfter: Duration = .seconds(120)

    init(postgres: PostgresClient, secret: [UInt8], maxBodyBytes: Int, logger: Logger) {
        self.postgres = postgres
        sealing = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: Array("mlops gateway idempotency v1".utf8), outputByteCount: 32)
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    func run(_ request: Request, _ context: GatewayContext, route: String,
             _ handler: @Sendable (Request, GatewayContext) async throws -> Response) async throws -> Response {
        guard let key = try BusCalls.idempotencyKey(request), let subject = context.principal?.subject else {
            return try await handler(request, context)
        }
        let body = try await Body.collect(request, limit: maxBodyBytes)
        var replayable = request
        replayable.body = RequestBody(buffer: body)
        var digest = SHA256()
        digest.update(data: Array("\(request.method.rawValue) \(route) \(request.uri.path)\n".utf8))
        digest.update(data: Array(body.readableBytesView))
        let fingerprint = hexString(digest.finalize())

        if let stored = try await claim(subject: subject, key: key, fingerprint: fingerprint) { return stored }
        let response: Response
        do {
            response = try await handler(replayable, context)
        } catch {
            if Problem.from(error).status.code < 500 {
                let problem = Problem.response(Problem.from(error), instance: request.uri.path, requestId: context.requestId)
                return try await store(problem, subject: subject, key: key)
            }
            await release(subject: subject, key: key)
            throw error
        }
        guard response.status.code < 500 else {
            await release(subject: subject, key: key)
            return response
        }
        return try await store(response, subject: subject, key: key)
    }

    /// nil when this request now owns the key; else the answer to give.
    private func claim(subject: String, key: String, fingerprint: String) async throws -> Response? {
        let abandoned = Int(abandonAfter.components.seconds)
        for _ in 0..<2 {
            let inserted = try await postgres.query("""
                INSERT INTO http_idempotency (subject, key, request_sha256) VALUES (\(subject), \(key), \(fingerprint))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: logger).collect().count == 1
            if inserted { return nil }
            let rows = try await postgres.query("""
                SELECT request_sha256, status, content_type, sealed_body, created_at < now() - make_interval(secs => \(abandoned))
                FROM http_idempotency WHERE subject = \(subject) AND key = \(key)
                """, logger: logger)
            for try await (stored, status, contentType, sealed, stale) in rows.decode((String, Int?, String?, ByteBuffer?, Bool).self) {
                guard stored == fingerprint else {
                    // 400 like the services' answer to the same mistake (INVALID_ARGUMENT naming idempotency_key).
                    throw GatewayError.invalid("Idempotency-Key", "was already used for a different request")
                }
                guard let status, let sealed else {
                    if stale {
                        // The first attempt's gateway died: its claim is taken over.
                        try await postgres.query("DELETE FROM http_idempotency WHERE subject = \(subject) AND key = \(key) AND status IS NULL", logger: logger)
                        break
                    }
                    throw GatewayError.conflict("a request with this Idempotency-Key is still running; retry shortly")
                }
                let body = try AES.GCM.open(AES.GCM.SealedBox(combined: Array(buffer: sealed)), using: sealing)
                var headers: HTTPFields = [.init("Idempotent-Replayed")!: "true"]
                if let contentType { headers[.contentType] = contentType }
                return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
        }
        throw GatewayError.conflict("a request with this Idempotency-Key is still running; retry shortly")
    }

    private func store(_ response: Response, subject: String, key: String) async throws -> Response {
        let collected = CollectedBody()
        var response = response
        try await response.body.write(CollectingWriter(into: collected))
        let bytes = collected.buffer
        let sealed = try AES.GCM.seal(Array(bytes.readableBytesView), using: sealing).combined!
        try await postgres.query("""
            UPDATE http_idempotency SET status = \(Int(response.status.code)), content_type = \(response.headers[.contentType]),
                sealed_body = \(ByteBuffer(bytes: sealed))
            WHERE subject = \(subject) AND key = \(key)
            """, logger: logger)
        response.body = .init(byteBuffer: bytes)
        return response
    }

    private func release(subject: String, key: String) async {
        _ = try? await postgres.query("DELETE FROM http_idempotency WHERE subject = \(subject) AND key = \(key) AND status IS NULL", logger: logger)
    }

    /// Deletes answers older than `age` (IDEMPOTENCY_RETENTION_HOURS), like the services' keys.
    func prune(olderThan age: Duration) async throws -> Int {
        let seconds = Int(age.components.seconds)
        return try await postgres.query("DELETE FROM http_idempotency WHERE created_at < now() - make_interval(secs => \(seconds)) RETURNING 1", logger: logger).collect().count
    }
}

private final class CollectedBody: @unchecked Sendable {
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let into: CollectedBody
    mutating func write(_ buffer: ByteBuffer) async throws { into.buffer.writeImmutableBuffer(buffer) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
