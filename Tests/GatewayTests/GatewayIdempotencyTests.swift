import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestKit
import Testing

/// Idempotency-Key on the mutations the gateway answers itself (issue
/// "Security", item 4): a retry replays the first answer.
@Suite("Gateway idempotency", .serialized)
struct GatewayIdempotencyTests {
    static func keyed(_ key: String) -> HTTPFields { [.init("Idempotency-Key")!: key] }

    @Test func aRetryReplaysTheFirstAnswerInsteadOfMakingASecondThing() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let key = "retry-\(UUID().uuidString)"
            // API keys: the same secret twice, one row.
            let apiKeyBody = #"{"name":"ci-\#(Int.random(in: 1...99999))","role":"viewer"}"#
            let first = try await gateway.call(.post, "/api/v1/admin/api-keys", token: admin, json: apiKeyBody, headers: Self.keyed(key))
            let second = try await gateway.call(.post, "/api/v1/admin/api-keys", token: admin, json: apiKeyBody, headers: Self.keyed(key))
            #expect(first.status == .created && second.status == .created, "\(first.text) / \(second.text)")
            #expect(second.text == first.text && second.object["key"] as? String != nil)
            #expect(second.headers[.init("Idempotent-Replayed")!] == "true" && first.headers[.init("Idempotent-Replayed")!] == nil)
            let keys = try await gateway.call(.get, "/api/v1/admin/api-keys", token: admin)
            #expect(keys.object["total"] as? Int == 1, "\(keys.text)")
            // The replayed secret works: it is the one stored.
            let secret = try #require(second.object["key"] as? String)
            #expect(try await gateway.call(.get, "/api/v1/admin/uploads/00000000-0000-0000-0000-000000000000", token: secret).status == .notFound)

            // Users: the retry gets the 201, not a 409.
            let userKey = "user-\(UUID().uuidString)"
            let userBody = #"{"username":"retried","password":"password-123456","role":"viewer"}"#
            let made = try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: userBody, headers: Self.keyed(userKey))
            let again = try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: userBody, headers: Self.keyed(userKey))
            #expect(made.status == .created && again.status == .created && again.text == made.text, "\(again.text)")
            // Without the key it is a new request: the name is taken.
            try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: userBody).expectProblem(.conflict)

            // Uploads: one upload row for two identical creates.
            let uploadKey = "upload-\(UUID().uuidString)"
            let uploadBody = #"{"filename":"data.jsonl","size_bytes":\#(Int.random(in: 10...10_000))}"#
            let upload = try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: uploadBody, headers: Self.keyed(uploadKey))
            let uploadAgain = try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: uploadBody, headers: Self.keyed(uploadKey))
            #expect(upload.status == .created && uploadAgain.object["id"] as? String == upload.object["id"] as? String, "\(uploadAgain.text)")
            #expect(try await gateway.database.ints("SELECT count(*)::int FROM gateway.uploads") == [1])

            // The same key for another request is refused; another caller's same key is theirs.
            try await gateway.call(.post, "/api/v1/admin/api-keys", token: admin, json: #"{"name":"other","role":"viewer"}"#, headers: Self.keyed(key))
                .expectProblem(.badRequest, fields: ["Idempotency-Key"])
            let engineer = try await gateway.user("engineer", admin: admin)
            let theirs = try await gateway.call(.post, "/api/v1/admin/uploads", token: engineer, json: uploadBody, headers: Self.keyed(uploadKey))
            #expect(theirs.status == .created && theirs.object["id"] as? String != upload.object["id"] as? String)
            // Secrets are sealed at rest: the stored body is not the API key in clear.
            let clear = try await gateway.database.ints("SELECT count(*)::int FROM gateway.http_idempotency WHERE position(convert_to('\(secret)', 'UTF8') in sealed_body) > 0")
            #expect(clear == [0])
        }
    }

    @Test func aRequestStillRunningIsA409AndAnAbandonedClaimIsTakenOver() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let key = "pending-\(UUID().uuidString)"
            let body = #"{"filename":"x.jsonl","size_bytes":5}"#
            // A claim as a running first attempt leaves it (another instance, mid-request).
            _ = try await gateway.database.ints("""
                INSERT INTO gateway.http_idempotency (subject, key, request_sha256) VALUES ('admin', '\(key)', 'someone-else') RETURNING 1
                """)
            try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: body, headers: Self.keyed(key)).expectProblem(.badRequest, fields: ["Idempotency-Key"])
            _ = try await gateway.database.ints("DELETE FROM gateway.http_idempotency WHERE key = '\(key)' RETURNING 1")
            let first = try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: body, headers: Self.keyed(key))
            #expect(first.status == .created)
            // Running: the row without an answer yet.
            _ = try await gateway.database.ints("UPDATE gateway.http_idempotency SET status = NULL, sealed_body = NULL WHERE key = '\(key)' RETURNING 1")
            try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: body, headers: Self.keyed(key)).expectProblem(.conflict)
            // Abandoned (its gateway died long ago): the retry runs.
            _ = try await gateway.database.ints("UPDATE gateway.http_idempotency SET created_at = now() - interval '1 hour' WHERE key = '\(key)' RETURNING 1")
            let taken = try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: body, headers: Self.keyed(key))
            #expect(taken.status == .created && taken.object["id"] as? String != first.object["id"] as? String, "\(taken.text)")
        }
    }
}
