import Bus
import Contracts
import Foundation
import ServiceKit
import TestKit
import Testing

/// Requests through the real service: conflicts, refusals, retries, artifacts, benchmarks, updates.
@Suite(.serialized) struct RegistryRequestTests {
    @Test func duplicatesConflictAndBadInputsNameTheField() async throws {
        try await RegistryHarness.with { harness in
            try await harness.register("legal-ko", "1.0.0")
            let duplicate = await busError { try await harness.register("legal-ko", "1.0.0") { $0.modelPath = "elsewhere" } }
            #expect(duplicate?.code == .alreadyExists)
            try await harness.register("legal-ko", "1.0.1")
            try await harness.register("legal-en", "1.0.0")

            func refusedField(_ body: () async throws -> Void) async -> String? {
                let error = await busError(body)
                #expect(error?.code == .invalidArgument, "\(String(describing: error))")
                return error?.fieldViolations.first?.field
            }
            #expect(await refusedField { try await harness.register("bad name", "1") } == "model_name")
            #expect(await refusedField { try await harness.register("ok", "") } == "version")
            #expect(await refusedField { try await harness.register("ok", "1") { $0.modelPath = "" } } == "artifact_sha256")
            #expect(await refusedField { try await harness.register("ok", "1") { $0.modelFormat = .UNRECOGNIZED(9) } } == "model_format")
            #expect(await refusedField { try await harness.register("ok", "1") { $0.deploymentConfigJson = "[]" } } == "deployment_config_json")
            #expect(await refusedField { try await harness.register("ok", "1") { $0.tags = ["a", ""] } } == "tags[1]")
            #expect(await refusedField {
                try await harness.register("ok", "1") { $0.modelPath = ""; $0.artifactSha256 = String(repeating: "0", count: 64) }
            } == "artifact_sha256", "an address with no blob behind it")
            #expect(await refusedField { _ = try await harness.list { $0.limit = 1001 } } == "limit")
            #expect(await refusedField { _ = try await harness.list { $0.skip = -1 } } == "skip")
            #expect(await refusedField { _ = try await harness.get(1, expand: ["metrics", "bogus"]) } == "expand")
            #expect(await refusedField { _ = try await harness.get(0) } == "id")
            // A mutating call without a key is refused by the service itself, not only by the client.
            #expect(await refusedField {
                _ = try await harness.client.callRaw(service: "registry", method: "RegisterModel", body: [], options: .init())
            } == "metadata.idempotency_key")
            let missing = await busError { _ = try await harness.get(424_242) }
            #expect(missing?.code == .notFound)
            // Nothing half-written by the refusals.
            #expect(try await harness.database.ints("SELECT count(*)::int8 FROM registry.model_registry") == [3])
        }
    }

    @Test func aRetryWithTheSameKeyAppliesOnceAndAnswersTheSame() async throws {
        try await RegistryHarness.with { harness in
            var request = Mlops_V1_Registry_RegisterModelRequest()
            request.modelName = "retry"
            request.version = "1"
            request.modelPath = "s3://models/retry/1"
            let first = try await harness.mutate(RegistryMethods.registerModel, request, key: "register-retry-1")
            let again = try await harness.mutate(RegistryMethods.registerModel, request, key: "register-retry-1")
            #expect(first == again)
            #expect(try await harness.database.ints("SELECT count(*)::int8 FROM registry.model_registry WHERE model_name = 'retry'") == [1])

            // The same key for a different request is refused, naming the key.
            request.version = "2"
            let reused = await busError { _ = try await harness.mutate(RegistryMethods.registerModel, request, key: "register-retry-1") }
            #expect(reused?.code == .invalidArgument && reused?.fieldViolations.first?.field == "idempotency_key")

            // A retried promote moves the model and writes its history once.
            var promote = Mlops_V1_Registry_StageRequest()
            promote.id = first.id
            let promoted = try await harness.mutate(RegistryMethods.promoteModel, promote, key: "promote-retry-1")
            #expect(try await harness.mutate(RegistryMethods.promoteModel, promote, key: "promote-retry-1") == promoted)
            #expect(try await harness.database.ints("SELECT count(*)::int8 FROM registry.model_stage_history WHERE model_id = \(first.id)") == [2])

            // Concurrent duplicates of one keyed call: one effect, one answer.
            let benchmark = Mlops_V1_Registry_AddBenchmarkRequest.with {
                $0.modelID = first.id
                $0.benchmarkName = "kobest"
                $0.score = 0.8
            }
            let answers = try await withThrowingTaskGroup(of: Mlops_V1_Registry_Benchmark.self) { group in
                for _ in 0..<8 { group.addTask { try await harness.mutate(RegistryMethods.addBenchmark, benchmark, key: "bench-1") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(answers.map(\.id)).count == 1)
            #expect(try await harness.database.ints("SELECT count(*)::int8 FROM registry.model_benchmarks") == [1])
        }
    }

    @Test func anUploadedBlobIsRegisteredWithItsAddressAndSize() async throws {
        try await RegistryHarness.with { harness in
            // Written into the shared DATA_ROOT the way the gateway's upload does.
            let content = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let blob = try BlobStore(dataRoot: harness.dataRoot).put(content)
            let model = try await harness.register("from-blob", "1") {
                $0.modelPath = ""
                $0.artifactSha256 = blob.address.sha256.uppercased()
                $0.modelFormat = .safetensors
            }
            #expect(model.modelPath == "blob:sha256:\(blob.address.sha256)")
            #expect(model.artifact.sha256 == blob.address.sha256)
            #expect(model.artifact.sizeBytes == Int64(content.count))
            #expect(model.artifact.format == .safetensors)
            #expect(model.modelSizeGb == Double(content.count) / 1_000_000_000)
            #expect(try await harness.get(model.id) == model)
            #expect(try await harness.database.ints("SELECT artifact_size_bytes FROM registry.model_registry WHERE id = \(model.id)") == [content.count])

            let external = try await harness.register("external", "1")
            #expect(!external.hasArtifact && external.modelSizeGb == 0)
        }
    }

    @Test func updatesBenchmarksUsageAndExpansions() async throws {
        try await RegistryHarness.with { harness in
            let v1 = try await harness.register("ko-chat", "1") {
                $0.description_p = "first"
                $0.tags = ["korean"]
                $0.deploymentConfigJson = #"{"tensor_parallel_size": 2}"#
                $0.finetuningJobID = 12
                $0.baseModel = "Qwen2-7B"
            }
            #expect(v1.status == .staging && v1.isActive && v1.createdBy == "tester" && v1.finetuningJobID == 12)
            #expect(v1.deploymentConfigJson.contains("tensor_parallel_size"))
            let v2 = try await harness.register("ko-chat", "2")

            // Update: only what is set changes.
            var update = Mlops_V1_Registry_UpdateModelRequest()
            update.id = v1.id
            update.isActive = false
            let inactive = try await harness.mutate(RegistryMethods.updateModel, update)
            #expect(!inactive.isActive && inactive.description_p == "first" && inactive.tags == ["korean"])
            #expect(inactive.updatedAtUnixMs >= v1.updatedAtUnixMs)
            update = Mlops_V1_Registry_UpdateModelRequest()
            update.id = v1.id
            update.description_p = "tuned on legal corpus"
            update.replaceTags = true
            update.tags = ["legal", "7b"]
            update.deploymentConfigJson = ""
            let updated = try await harness.mutate(RegistryMethods.updateModel, update)
            #expect(updated.description_p == "tuned on legal corpus" && updated.tags == ["legal", "7b"])
            #expect(updated.deploymentConfigJson.isEmpty && !updated.isActive)
            update.id = 999_999
            #expect(await busError { _ = try await harness.mutate(RegistryMethods.updateModel, update) }?.code == .notFound)

            // Benchmarks: newest first; metrics keep each name's latest score.
            func addBenchmark(_ name: String, _ score: Double, model: Int64 = v1.id) async throws -> Mlops_V1_Registry_Benchmark {
                var request = Mlops_V1_Registry_AddBenchmarkRequest()
                request.modelID = model
                request.benchmarkName = name
                request.score = score
                request.detailsJson = #"{"shots": 5}"#
                return try await harness.mutate(RegistryMethods.addBenchmark, request)
            }
            _ = try await addBenchmark("kobest", 0.7)
            _ = try await addBenchmark("mmlu_kr", 0.5)
            let latest = try await addBenchmark("kobest", 0.81)
            #expect(latest.modelID == v1.id && latest.detailsJson.contains("shots") && latest.benchmarkDateUnixMs > 0)
            #expect(await busError { _ = try await addBenchmark("kobest", 1, model: 999_999) }?.code == .notFound)
            var listRequest = Mlops_V1_Registry_ListBenchmarksRequest()
            listRequest.modelID = v1.id
            let benchmarks = try await harness.read(RegistryMethods.listBenchmarks, listRequest)
            #expect(benchmarks.items.map(\.score) == [0.81, 0.5, 0.7])
            listRequest.modelID = v2.id
            #expect(try await harness.read(RegistryMethods.listBenchmarks, listRequest).items.isEmpty)
            listRequest.modelID = 999_999
            #expect(await busError { _ = try await harness.read(RegistryMethods.listBenchmarks, listRequest) }?.code == .notFound)

            // Expansions.
            let plain = try await harness.get(v1.id)
            #expect(plain.metrics.isEmpty && plain.benchmarks.isEmpty && plain.versions.isEmpty && plain.stageHistory.isEmpty)
            let expanded = try await harness.get(v1.id, expand: ["metrics,versions", "evaluations"])
            #expect(expanded.metrics == ["kobest": 0.81, "mmlu_kr": 0.5])
            #expect(expanded.benchmarks == benchmarks.items)
            #expect(expanded.versions.map(\.id) == [v2.id, v1.id])
            #expect(expanded.stageHistory.map(\.toStage) == [.staging])

            // Usage log.
            var usage = Mlops_V1_Registry_RecordUsageRequest()
            usage.modelID = v1.id
            usage.kind = "download"
            let recorded = try await harness.mutate(RegistryMethods.recordUsage, usage)
            #expect(recorded.id > 0)
            usage.kind = "deploy"
            usage.detailsJson = #"{"replicas": 2}"#
            _ = try await harness.mutate(RegistryMethods.recordUsage, usage)
            usage.kind = "delete"
            #expect(await busError { _ = try await harness.mutate(RegistryMethods.recordUsage, usage) }?.fieldViolations.first?.field == "kind")
            usage.kind = "download"
            usage.modelID = 999_999
            #expect(await busError { _ = try await harness.mutate(RegistryMethods.recordUsage, usage) }?.code == .notFound)
            #expect(try await harness.database.ints("SELECT count(*)::int8 FROM registry.model_usage_log WHERE actor = 'tester'") == [2])
        }
    }
}
