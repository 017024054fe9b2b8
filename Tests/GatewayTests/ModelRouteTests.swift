import Foundation
import GatewayApp
import HTTPTypes
import HummingbirdTesting
import JSON
import NIOCore
import TestKit
import Testing

/// The model routes end to end: the real gateway, a real `bus` broker and a
/// real `registry` process on one throwaway database and data root.
@Suite("Gateway model routes (bus + registry)", .serialized)
struct ModelRouteTests {
    @Test func modelLifecycleThroughTheRegistry() async throws {
        try await Gateway.withRegistry { gateway, registry in
            try await lifecycle(gateway, registry: registry)
        }
    }

    func lifecycle(_ gateway: Gateway, registry: ChildProcess) async throws {
        let admin = try await gateway.login("admin", adminPassword)
        let viewer = try await gateway.user("viewer", admin: admin)
        let ready = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            (try? await gateway.call(.get, "/api/v1/admin/models", token: viewer))?.status == .ok
        }
        try #require(ready, "registry did not answer: \(registry.log.suffix(2000))")

        let body = #"{"model_name":"legal-ko","version":"1.0.0","base_model":"Qwen2-7B","project":"legal","model_type":"causal-lm","model_path":"s3://bucket/legal-ko","description":"first","tags":["korean","7b"],"deployment_config":{"tp":2}}"#
        let key: HTTPFields = [.init("Idempotency-Key")!: "register-legal-ko-1"]
        let created = try await gateway.call(.post, "/api/v1/admin/models/register", token: admin, json: body, headers: key)
        #expect(created.status == .created, "\(created.text)")
        let model = created.object
        let id = try #require(model["id"] as? Int)
        #expect(model["model_name"] as? String == "legal-ko" && model["version"] as? String == "1.0.0")
        #expect(model["status"] as? String == "staging" && model["created_by"] as? String == "admin")
        #expect(model["tags"] as? [String] == ["korean", "7b"])
        #expect((model["deployment_config"] as? [String: Any])?["tp"] as? Int == 2)
        #expect(model["finetuning_job_id"] is NSNull && model["mlflow_model_uri"] is NSNull && model["artifact"] is NSNull)
        #expect((model["created_at"] as? String).flatMap { RFC3339.parse($0) } != nil)

        // The same key and body replays the first result; a duplicate name+version is 409.
        let replay = try await gateway.call(.post, "/api/v1/admin/models/register", token: admin, json: body, headers: key)
        #expect(replay.status == .created && replay.object["id"] as? Int == id, "\(replay.text)")
        try await gateway.call(.post, "/api/v1/admin/models/register", token: admin, json: body).expectProblem(.conflict)
        try await gateway.call(.post, "/api/v1/admin/models/register", token: viewer, json: body).expectProblem(.forbidden)

        // An uploaded artifact becomes the model's artifact.
        let bytes = Array("weights".utf8)
        let upload = try #require(try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: #"{"filename":"w.bin","size_bytes":\#(bytes.count)}"#).object["id"] as? String)
        _ = try await gateway.call(.put, "/api/v1/admin/uploads/\(upload)", token: admin, headers: [.contentRange: "bytes 0-\(bytes.count - 1)/\(bytes.count)"], body: ByteBuffer(bytes: bytes))
        #expect(try await gateway.call(.post, "/api/v1/admin/uploads/\(upload)/complete", token: admin, json: #"{"sha256":"\#(sha256Hex(bytes))"}"#).status == .ok)
        let second = try await gateway.call(.post, "/api/v1/admin/models/register", token: admin,
                                            json: #"{"model_name":"legal-ko","version":"1.1.0","artifact_sha256":"\#(sha256Hex(bytes))","model_format":"safetensors"}"#)
        #expect(second.status == .created, "\(second.text)")
        #expect((second.object["artifact"] as? [String: Any])?["sha256"] as? String == sha256Hex(bytes))
        let secondId = try #require(second.object["id"] as? Int)

        // List: newest first, filters, pagination.
        let list = try await gateway.call(.get, "/api/v1/admin/models?limit=1", token: viewer)
        #expect(list.status == .ok)
        #expect(list.object["total"] as? Int == 2 && list.object["limit"] as? Int == 1 && list.object["skip"] as? Int == 0)
        #expect((list.object["items"] as? [[String: Any]])?.first?["id"] as? Int == secondId)
        let tagged = try await gateway.call(.get, "/api/v1/admin/models?tags=korean&tags=7b&project=legal&status=staging&is_active=true", token: viewer)
        #expect(tagged.object["total"] as? Int == 1, "\(tagged.text)")

        // Update, benchmarks, expansions.
        let patched = try await gateway.call(.patch, "/api/v1/admin/models/\(id)", token: admin, json: #"{"description":"updated","tags":["korean"]}"#)
        #expect(patched.status == .ok && patched.object["description"] as? String == "updated" && patched.object["tags"] as? [String] == ["korean"], "\(patched.text)")
        let bench = try await gateway.call(.post, "/api/v1/admin/models/\(id)/benchmarks", token: admin, json: #"{"benchmark_name":"kobest","score":0.81,"details":{"n":5}}"#)
        #expect(bench.status == .created && bench.object["score"] as? Double == 0.81, "\(bench.text)")
        let benches = try await gateway.call(.get, "/api/v1/admin/models/\(id)/benchmarks", token: viewer)
        #expect(benches.object["total"] as? Int == 1 && benches.object["skip"] as? Int == 0 && benches.object["limit"] as? Int == 50, "\(benches.text)")
        // Benchmarks come whole from the registry and are paged by the gateway into the list envelope.
        _ = try await gateway.call(.post, "/api/v1/admin/models/\(id)/benchmarks", token: admin, json: #"{"benchmark_name":"klue","score":0.5}"#)
        let paged = try await gateway.call(.get, "/api/v1/admin/models/\(id)/benchmarks?skip=1&limit=1", token: viewer)
        #expect(paged.object["total"] as? Int == 2 && paged.object["skip"] as? Int == 1 && paged.object["limit"] as? Int == 1, "\(paged.text)")
        #expect((paged.object["items"] as? [Any])?.count == 1, "\(paged.text)")
        try await gateway.call(.get, "/api/v1/admin/models/\(id)/benchmarks?limit=1001", token: viewer).expectProblem(.badRequest, fields: ["limit"])
        let expanded = try await gateway.call(.get, "/api/v1/admin/models/\(id)?expand=metrics,versions,evaluations", token: viewer)
        #expect(expanded.status == .ok, "\(expanded.text)")
        #expect((expanded.object["metrics"] as? [String: Any])?["kobest"] as? Double == 0.81)
        #expect((expanded.object["versions"] as? [Any])?.count == 2)
        #expect(expanded.object["stage_history"] is [Any])
        let plain = try await gateway.call(.get, "/api/v1/admin/models/\(id)", token: viewer)
        #expect(plain.object["metrics"] == nil && plain.object["versions"] == nil)

        // Stages: promote, a second promote of the same version is refused, archive, rollback.
        let promoted = try await gateway.call(.post, "/api/v1/admin/models/\(id)/promote", token: admin, json: #"{"reason":"best"}"#)
        #expect(promoted.status == .ok && promoted.object["status"] as? String == "production", "\(promoted.text)")
        try await gateway.call(.post, "/api/v1/admin/models/\(id)/promote", token: admin).expectProblem(.preconditionFailed)
        let promotedSecond = try await gateway.call(.post, "/api/v1/admin/models/\(secondId)/promote", token: admin)
        #expect(promotedSecond.object["status"] as? String == "production", "\(promotedSecond.text)")
        #expect(try await gateway.call(.get, "/api/v1/admin/models/\(id)", token: viewer).object["status"] as? String == "archived")
        let rolledBack = try await gateway.call(.post, "/api/v1/admin/models/\(id)/rollback", token: admin)
        #expect(rolledBack.status == .ok && rolledBack.object["status"] as? String == "production", "\(rolledBack.text)")
        let archived = try await gateway.call(.post, "/api/v1/admin/models/\(secondId)/archive", token: admin)
        #expect(archived.status == .ok || archived.status == .preconditionFailed, "\(archived.text)")

        // Missing models and not-yet routes.
        try await gateway.call(.get, "/api/v1/admin/models/999999", token: viewer).expectProblem(.notFound)
        try await gateway.call(.patch, "/api/v1/admin/models/999999", token: admin, json: #"{"is_active":false}"#).expectProblem(.notFound)
        try await gateway.call(.post, "/api/v1/admin/models/\(id)/evaluate", token: admin).expectProblem(.notImplemented)
        // The registry's own field errors come back named in the REST spelling.
        try await gateway.call(.post, "/api/v1/admin/models/register", token: admin,
                               json: #"{"model_name":"x","version":"1","artifact_sha256":"\#(String(repeating: "0", count: 64))"}"#)
            .expectProblem(.badRequest, fields: ["artifact_sha256"])
        // Follow lineage from a job: only its models; an unknown parameter is refused, not ignored.
        let jobId = Int.random(in: 1_000...9_999)
        for version in ["1", "2"] {
            let made = try await gateway.call(.post, "/api/v1/admin/models/register", token: admin,
                                              json: #"{"model_name":"from-job","version":"\#(version)","model_path":"s3://m/\#(version)","finetuning_job_id":\#(jobId)}"#)
            #expect(made.status == .created, "\(made.text)")
        }
        let fromJob = try await gateway.call(.get, "/api/v1/admin/models?finetuning_job_id=\(jobId)", token: viewer)
        #expect(fromJob.object["total"] as? Int == 2 && (fromJob.object["items"] as? [[String: Any]])?.allSatisfy { $0["finetuning_job_id"] as? Int == jobId } == true, "\(fromJob.text)")
        #expect(try await gateway.call(.get, "/api/v1/admin/models?finetuning_job_id=\(jobId + 1)", token: viewer).object["total"] as? Int == 0)
        try await gateway.call(.get, "/api/v1/admin/models?finetuning_job=\(jobId)", token: viewer).expectProblem(.badRequest, fields: ["finetuning_job"])
        try await gateway.call(.get, "/api/v1/admin/models/\(id)?expand=metrics&verbose=1", token: viewer).expectProblem(.badRequest, fields: ["verbose"])
        // Value rules are the registry's (the gateway checks types only), named the same way.
        for (json, field) in [(#"{"model_name":"ok","version":"1"}"#, "artifact_sha256"),
                              (#"{"model_name":"ok","version":"1","artifact_sha256":"XYZ"}"#, "artifact_sha256"),
                              (#"{"model_name":"no spaces","version":"1","model_path":"s3://m"}"#, "model_name"),
                              (#"{"model_name":"ok","version":"1 0","model_path":"s3://m"}"#, "version"),
                              (#"{"model_name":"ok","version":"1","model_path":"s3://m","tags":["a,b"]}"#, "tags[0]")] {
            try await gateway.call(.post, "/api/v1/admin/models/register", token: admin, json: json).expectProblem(.badRequest, fields: [field])
        }
    }
}
