import Foundation
import GatewayApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestKit
import Testing

@Suite("Gateway input validation and audit", .serialized)
struct InputAndAuditTests {
    @Test func badInputIsAProblemNamingTheField() async throws {
        try await Gateway.with(environment: ["MAX_BODY_BYTES": "2048"]) { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let register = "/api/v1/admin/models/register"
            try await gateway.call(.post, register, token: admin, json: #"{"model_name":"#).expectProblem(.badRequest, fields: ["body"])
            try await gateway.call(.post, register, token: admin, json: "[1,2]").expectProblem(.badRequest, fields: ["body"])
            try await gateway.call(.post, register, token: admin, json: #"{"model_name":"a","model_name":"b"}"#).expectProblem(.badRequest, fields: ["body"])
            try await gateway.call(.post, register, token: admin, json: #"{"model_name":5,"version":true,"model_format":"onnx","finetuning_job_id":-3,"tags":"x","model_path":"p"}"#)
                .expectProblem(.badRequest, fields: ["model_name", "version", "model_format", "finetuning_job_id", "tags"])
            try await gateway.call(.post, register, token: admin, json: #"{"model_name":"ok","version":"1","artifact_sha256":7,"surprise":1}"#)
                .expectProblem(.badRequest, fields: ["artifact_sha256", "surprise"])
            let big = "{\"model_name\":\"" + String(repeating: "a", count: 4096) + "\"}"
            try await gateway.call(.post, register, token: admin, json: big).expectProblem(.contentTooLarge)
            try await gateway.call(.post, register, token: admin, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "{}"))
                .expectProblem(.unsupportedMediaType)
            try await gateway.call(.patch, "/api/v1/admin/models/1", token: admin, json: #"{"is_active":"yes","deployment_config":[]}"#)
                .expectProblem(.badRequest, fields: ["is_active", "deployment_config"])
            try await gateway.call(.patch, "/api/v1/admin/models/1", token: admin, json: "{}").expectProblem(.badRequest, fields: ["body"])
            try await gateway.call(.get, "/api/v1/admin/models/abc", token: admin).expectProblem(.badRequest, fields: ["id"])
            try await gateway.call(.get, "/api/v1/admin/models/1?expand=everything", token: admin).expectProblem(.badRequest, fields: ["expand"])
            try await gateway.call(.post, "/api/v1/admin/models/1/benchmarks", token: admin, json: #"{"score":"high"}"#)
                .expectProblem(.badRequest, fields: ["benchmark_name", "score"])

            let list = "/api/v1/admin/models"
            try await gateway.call(.get, "\(list)?limit=0", token: admin).expectProblem(.badRequest, fields: ["limit"])
            try await gateway.call(.get, "\(list)?limit=1001", token: admin).expectProblem(.badRequest, fields: ["limit"])
            try await gateway.call(.get, "\(list)?limit=ten&skip=-1", token: admin).expectProblem(.badRequest, fields: ["limit", "skip"])
            try await gateway.call(.get, "\(list)?status=retired&is_active=yes&created_after=yesterday", token: admin)
                .expectProblem(.badRequest, fields: ["status", "is_active", "created_after"])
            try await gateway.call(.get, "/api/v1/admin/audit?status=42&since=nope&limit=-5", token: admin)
                .expectProblem(.badRequest, fields: ["status", "since", "limit"])
            try await gateway.call(.post, "/api/v1/admin/models/register", token: admin, json: #"{"model_name":"a","version":"1","model_path":"p"}"#,
                                   headers: [.init("Idempotency-Key")!: String(repeating: "k", count: 201)])
                .expectProblem(.badRequest, fields: ["Idempotency-Key"])

            // Unknown routes are problems too; evaluate/deploy are 501 problems.
            try await gateway.call(.get, "/api/v1/nothing-here", token: admin).expectProblem(.notFound)
            try await gateway.call(.post, "/api/v1/admin/models/1/evaluate", token: admin, json: "{}").expectProblem(.notImplemented)
            try await gateway.call(.post, "/api/v1/admin/models/1/deploy", token: admin, json: "{}").expectProblem(.notImplemented)
            // With no registry reachable the bus call ends in a 504 problem, not a hang or a 500.
            try await gateway.call(.get, "\(list)?limit=5", token: admin).expectProblem(.gatewayTimeout)
        }
    }

    @Test func auditRowsForSuccessAndFailure() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let created = try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":"bob","password":"bob-password-1","role":"viewer"}"#)
            #expect(created.status == .created)
            let bobId = try #require(created.object["id"] as? Int)
            let bob = try await gateway.login("bob", "bob-password-1")
            let forbidden = try await gateway.call(.post, "/api/v1/admin/uploads", token: bob, json: #"{"filename":"x","size_bytes":1}"#)
            forbidden.expectProblem(.forbidden)
            let anonymous = try await gateway.call(.delete, "/api/v1/admin/api-keys/5")
            anonymous.expectProblem(.unauthorized)
            let invalid = try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":""}"#)
            invalid.expectProblem(.badRequest)
            // GETs are not audited.
            _ = try await gateway.call(.get, "/api/v1/admin/users", token: admin)

            let requestId: (TestResponse) -> String = { $0.headers[.init("X-Request-Id")!] ?? "" }
            var rows: [[String: Any]] = []
            let complete = await eventually(timeout: .seconds(5)) {
                rows = (try? await gateway.call(.get, "/api/v1/admin/audit?limit=100", token: admin))?.object["items"] as? [[String: Any]] ?? []
                return rows.count >= 6
            }
            #expect(complete, "audit rows: \(rows)")
            func row(_ response: TestResponse) -> [String: Any]? { rows.first { $0["request_id"] as? String == requestId(response) } }

            let createdRow = try #require(row(created))
            #expect(createdRow["subject"] as? String == "admin" && createdRow["role"] as? String == "admin")
            #expect(createdRow["action"] as? String == "POST /api/v1/admin/users")
            #expect(createdRow["resource"] as? String == "users/\(bobId)")
            #expect(createdRow["status"] as? Int == 201 && createdRow["client_ip"] as? String == "127.0.0.1")
            let forbiddenRow = try #require(row(forbidden))
            #expect(forbiddenRow["subject"] as? String == "bob" && forbiddenRow["role"] as? String == "viewer" && forbiddenRow["status"] as? Int == 403)
            let anonymousRow = try #require(row(anonymous))
            #expect(anonymousRow["action"] as? String == "DELETE /api/v1/admin/api-keys/{id}")
            #expect(anonymousRow["resource"] as? String == "api-keys/5" && anonymousRow["status"] as? Int == 401 && anonymousRow["subject"] as? String == "")
            #expect(row(invalid)?["status"] as? Int == 400)
            #expect(!rows.contains { ($0["action"] as? String)?.hasPrefix("GET ") == true })
            // Logins are audited with the claimed user name.
            #expect(rows.contains { $0["action"] as? String == "POST /api/v1/auth/login" && $0["subject"] as? String == "bob" && $0["status"] as? Int == 200 })

            // Filters and pagination.
            let filtered = try await gateway.call(.get, "/api/v1/admin/audit?subject=bob&status=403", token: admin)
            #expect(filtered.object["total"] as? Int == 1)
            let page = try await gateway.call(.get, "/api/v1/admin/audit?action=POST%20/api/v1/auth/login&limit=1&skip=1", token: admin)
            #expect((page.object["items"] as? [Any])?.count == 1)
            #expect((page.object["total"] as? Int ?? 0) >= 2 && page.object["skip"] as? Int == 1)
            let since = try await gateway.call(.get, "/api/v1/admin/audit?since=2999-01-01T00:00:00Z", token: admin)
            #expect(since.object["total"] as? Int == 0)
        }
    }
}
