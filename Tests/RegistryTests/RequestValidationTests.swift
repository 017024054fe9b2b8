import Bus
import Contracts
import Foundation
import ServiceKit
import Testing
@testable import RegistryService

/// Every refused input names its proto field.
struct RequestValidationTests {
    static let sha = String(repeating: "ab", count: 32)

    func valid() -> Mlops_V1_Registry_RegisterModelRequest {
        var request = Mlops_V1_Registry_RegisterModelRequest()
        request.modelName = "legal-ko"
        request.version = "1.0.0"
        request.modelPath = "s3://models/legal-ko/1.0.0"
        return request
    }

    /// The field named by the INVALID_ARGUMENT that `body` throws.
    func field(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            let busError = error as? BusError
            #expect(busError?.code == .invalidArgument)
            return busError?.fieldViolations.first?.field
        }
    }

    @Test func aMinimalRegistrationGetsDefaults() throws {
        let model = try NewModel(validating: valid(), subject: "alice")
        #expect(model.modelFormat == "huggingface")
        #expect(model.createdBy == "alice", "the caller stands in for an empty created_by")
        #expect(model.source == .external(path: "s3://models/legal-ko/1.0.0"))
        #expect(model.modelPath == "s3://models/legal-ko/1.0.0")
        #expect(model.finetuningJobId == nil && model.project == nil && model.tags.isEmpty)
    }

    @Test func anArtifactAddressBecomesABlobPath() throws {
        var request = valid()
        request.modelPath = ""
        request.artifactSha256 = Self.sha.uppercased()
        let model = try NewModel(validating: request, subject: "")
        #expect(model.modelPath == "blob:sha256:" + Self.sha, "addresses are normalised to lower case")
        #expect(NewModel.sizeInGB(bytes: 2_500_000_000) == 2.5)
    }

    @Test func registrationRefusalsNameTheField() {
        typealias Mutation = (inout Mlops_V1_Registry_RegisterModelRequest) -> Void
        let cases: [(String, Mutation)] = [
            ("model_name", { r in r.modelName = "" }),
            ("model_name", { r in r.modelName = "has space" }),
            ("model_name", { r in r.modelName = String(repeating: "a", count: 256) }),
            ("model_name", { r in r.modelName = ".." }),
            ("version", { r in r.version = "" }),
            ("version", { r in r.version = String(repeating: "1", count: 51) }),
            ("version", { r in r.version = "1 0" }),
            ("base_model", { r in r.baseModel = String(repeating: "b", count: 256) }),
            ("finetuning_job_id", { r in r.finetuningJobID = -1 }),
            ("project", { r in r.project = "line\nbreak" }),
            ("model_type", { r in r.modelType = String(repeating: "t", count: 101) }),
            ("model_format", { r in r.modelFormat = "pickle" }),
            ("artifact_sha256", { r in r.modelPath = "" }),
            ("artifact_sha256", { r in r.modelPath = ""; r.artifactSha256 = "abc" }),
            ("model_path", { r in r.artifactSha256 = RequestValidationTests.sha }),
            ("model_path", { r in r.modelPath = "blob:sha256:" + RequestValidationTests.sha }),
            ("description", { r in r.description_p = String(repeating: "d", count: 10_001) }),
            ("tags", { r in r.tags = (0..<33).map { "t\($0)" } }),
            ("tags[1]", { r in r.tags = ["ok", ""] }),
            ("tags[0]", { r in r.tags = ["a,b"] }),
            ("tags[0]", { r in r.tags = [String(repeating: "x", count: 65)] }),
            ("tags[0]", { r in r.tags = [" padded"] }),
            ("deployment_config_json", { r in r.deploymentConfigJson = "[1,2]" }),
            ("deployment_config_json", { r in r.deploymentConfigJson = "{not json" }),
            ("deployment_config_json", { r in r.deploymentConfigJson = "42" }),
            ("mlflow_model_uri", { r in r.mlflowModelUri = "runs:/a b" }),
            ("created_by", { r in r.createdBy = String(repeating: "c", count: 256) }),
        ]
        for (expected, mutate) in cases {
            var request = valid()
            mutate(&request)
            #expect(field { _ = try NewModel(validating: request, subject: "") } == expected, "\(request)")
        }
    }

    @Test func tagsCollapseDuplicatesInOrder() throws {
        var request = valid()
        request.tags = ["korean", "7b", "korean"]
        #expect(try NewModel(validating: request, subject: "").tags == ["korean", "7b"])
    }

    @Test func listDefaultsAndLimits() throws {
        var request = Mlops_V1_Registry_ListModelsRequest()
        var query = try ModelListQuery(validating: request)
        #expect(query.limit == 50 && query.skip == 0)
        #expect(query.project == nil && query.isActive == nil && query.status == nil && query.tags == nil && query.searchPattern == nil)
        request.limit = 1000
        request.isActive = false
        request.status = .archived
        request.tags = ["a", "b"]
        query = try ModelListQuery(validating: request)
        #expect(query.limit == 1000 && query.isActive == false && query.status == .archived && query.tags == ["a", "b"])

        request.limit = 1001
        #expect(field { _ = try ModelListQuery(validating: request) } == "limit")
        request.limit = -1
        #expect(field { _ = try ModelListQuery(validating: request) } == "limit")
        request.limit = 10
        request.skip = -1
        #expect(field { _ = try ModelListQuery(validating: request) } == "skip")
        request.skip = 0
        request.status = .UNRECOGNIZED(7)
        #expect(field { _ = try ModelListQuery(validating: request) } == "status")
        request.status = .unspecified
        request.createdAfterUnixMs = -5
        #expect(field { _ = try ModelListQuery(validating: request) } == "created_after_unix_ms")
    }

    @Test func searchMatchesWildcardsLiterally() throws {
        #expect(ModelListQuery.escapeLike(#"50%_a\b"#) == #"50\%\_a\\b"#)
        var request = Mlops_V1_Registry_ListModelsRequest()
        request.search = "  legal_ko "
        #expect(try ModelListQuery(validating: request).searchPattern == #"%legal\_ko%"#)
        request.search = "   "
        #expect(try ModelListQuery(validating: request).searchPattern == nil)
    }

    @Test func expansionsParseListsAndRefuseUnknownNames() throws {
        #expect(try Expansion.parse([]) == [])
        #expect(try Expansion.parse(["metrics,versions", " evaluations "]) == [.metrics, .versions, .evaluations])
        #expect(field { _ = try Expansion.parse(["metrics", "bogus"]) } == "expand")
    }

    @Test func updatesSayWhatTheyChange() throws {
        var request = Mlops_V1_Registry_UpdateModelRequest()
        request.id = 4
        #expect(try ModelUpdate(validating: request).changesNothing)
        request.description_p = ""
        request.deploymentConfigJson = ""
        let clearing = try ModelUpdate(validating: request)
        #expect(clearing.description == .some(nil) && clearing.deploymentConfigJSON == .some(nil), "empty clears")
        request.replaceTags = true
        #expect(try ModelUpdate(validating: request).tags == [], "replace_tags with no tags clears them")
        request.replaceTags = false
        request.tags = ["x"]
        #expect(field { _ = try ModelUpdate(validating: request) } == "replace_tags")
        request.tags = []
        request.deploymentConfigJson = "[]"
        #expect(field { _ = try ModelUpdate(validating: request) } == "deployment_config_json")
        request.clearDeploymentConfigJson()
        request.id = 0
        #expect(field { _ = try ModelUpdate(validating: request) } == "id")
    }

    @Test func benchmarksUsageAndStageRequests() throws {
        var benchmark = Mlops_V1_Registry_AddBenchmarkRequest()
        benchmark.modelID = 1
        #expect(field { _ = try NewBenchmark(validating: benchmark) } == "benchmark_name")
        benchmark.benchmarkName = "kobest"
        benchmark.score = .nan
        #expect(field { _ = try NewBenchmark(validating: benchmark) } == "score")
        benchmark.score = 0.8
        benchmark.detailsJson = "\"text\""
        #expect(field { _ = try NewBenchmark(validating: benchmark) } == "details_json")
        benchmark.modelID = -2
        #expect(field { _ = try NewBenchmark(validating: benchmark) } == "model_id")

        var usage = Mlops_V1_Registry_RecordUsageRequest()
        usage.modelID = 1
        usage.kind = "delete"
        #expect(field { _ = try NewUsage(validating: usage, subject: "") } == "kind")
        usage.kind = "deploy"
        #expect(try NewUsage(validating: usage, subject: "bob").actor == "bob")

        var stage = Mlops_V1_Registry_StageRequest()
        #expect(field { _ = try StageChangeInput(validating: stage, subject: "") } == "id")
        stage.id = 1
        stage.reason = String(repeating: "r", count: 2_001)
        #expect(field { _ = try StageChangeInput(validating: stage, subject: "") } == "reason")
    }

    @Test func latestScoreOfEachBenchmarkWins() {
        func row(_ name: String, _ score: Double) -> Mlops_V1_Registry_Benchmark {
            var benchmark = Mlops_V1_Registry_Benchmark()
            benchmark.benchmarkName = name
            benchmark.score = score
            return benchmark
        }
        let newestFirst = [row("kobest", 0.9), row("mmlu_kr", 0.5), row("kobest", 0.7)]
        #expect(NewBenchmark.latestScores(newestFirst) == ["kobest": 0.9, "mmlu_kr": 0.5])
    }
}
