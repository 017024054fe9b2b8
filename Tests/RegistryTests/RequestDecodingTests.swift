import Bus
import Contracts
import RegistryDomain
import Testing
@testable import RegistryService

/// Requests/: every proto field reaches the domain rules, and their refusals
/// reach the bus as the status the gateway maps (the rules themselves are
/// tested in RegistryDomainTests).
struct RequestDecodingTests {
    static let sha = String(repeating: "ab", count: 32)

    /// The bus error that `body` throws.
    func busError(_ body: () throws -> Void) -> BusError? {
        do {
            try body()
            return nil
        } catch {
            return error as? BusError
        }
    }

    @Test func everyRegistrationFieldIsCarried() throws {
        var request = Mlops_V1_Registry_RegisterModelRequest()
        request.modelName = "legal-ko"
        request.version = "1.0.0"
        request.baseModel = "base"
        request.finetuningJobID = 12
        request.project = "legal"
        request.modelType = "causal-lm"
        request.modelFormat = .gguf
        request.artifactSha256 = Self.sha
        request.description_p = "about"
        request.tags = ["korean"]
        request.deploymentConfigJson = #"{"replicas":2}"#
        request.mlflowModelUri = "runs:/1/model"
        request.createdBy = "bob"
        let model = try NewModel(validating: request, subject: "alice")
        #expect(model.modelName == "legal-ko" && model.version == "1.0.0" && model.baseModel == "base")
        #expect(model.finetuningJobId == 12 && model.project == "legal" && model.modelType == "causal-lm" && model.modelFormat == "gguf")
        #expect(model.source == .blob(sha256: Self.sha) && model.description == "about" && model.tags == ["korean"])
        #expect(model.deploymentConfigJSON == #"{"replicas":2}"# && model.mlflowModelURI == "runs:/1/model" && model.createdBy == "bob")

        request.artifactSha256 = ""
        request.modelPath = "/shared/legal-ko"
        #expect(try NewModel(validating: request, subject: "").source == .external(path: "/shared/legal-ko"))
    }

    @Test func aRefusedFieldIsAnInvalidArgumentNamingIt() {
        var request = Mlops_V1_Registry_RegisterModelRequest()
        request.modelName = "legal-ko"
        request.version = "1 0"
        request.modelPath = "s3://x"
        let error = busError { _ = try NewModel(validating: request, subject: "") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.fieldViolations.map(\.field) == ["version"])
        #expect(error?.message.hasPrefix("version: ") == true)
    }

    @Test func theModelFormatDefaultsAndAnUnknownOneIsRefused() throws {
        var request = Mlops_V1_Registry_RegisterModelRequest()
        request.modelName = "legal-ko"
        request.version = "1"
        request.modelPath = "s3://x"
        #expect(try NewModel(validating: request, subject: "").modelFormat == Mlops_V1_Registry_ModelFormat.standard.name)
        for format in Mlops_V1_Registry_ModelFormat.named.map(\.value) {
            request.modelFormat = format
            #expect(try NewModel(validating: request, subject: "").modelFormat == format.name)
        }
        request.modelFormat = .UNRECOGNIZED(99)
        #expect(busError { _ = try NewModel(validating: request, subject: "") }?.fieldViolations.map(\.field) == ["model_format"])
    }

    @Test func updatePresenceFlagsBecomeKeepOrSet() throws {
        var request = Mlops_V1_Registry_UpdateModelRequest()
        request.id = 4
        #expect(try ModelUpdate(validating: request).changesNothing, "absent fields keep")
        request.description_p = ""
        request.isActive = false
        request.deploymentConfigJson = #"{"a":1}"#
        request.replaceTags = true
        request.tags = ["x"]
        let update = try ModelUpdate(validating: request)
        #expect(update.description == .some(nil) && update.isActive == false && update.tags == ["x"])
        #expect(update.deploymentConfigJSON == .some(#"{"a":1}"#))
        request.actor = "a\u{7}"
        #expect(busError { _ = try ModelUpdate(validating: request) }?.fieldViolations.first?.field == "actor")
    }

    @Test func listFiltersAreCarriedAndUnknownStagesRefused() throws {
        var request = Mlops_V1_Registry_ListModelsRequest()
        request.project = "legal"
        request.modelType = "causal-lm"
        request.isActive = true
        request.status = .production
        request.tags = ["korean"]
        request.createdAfterUnixMs = 5
        request.search = " ko "
        request.skip = 3
        request.limit = 7
        let query = try ModelListQuery(validating: request)
        #expect(query.project == "legal" && query.modelType == "causal-lm" && query.isActive == true && query.status == .production)
        #expect(query.tags == ["korean"] && query.createdAfterUnixMs == 5 && query.search == "ko" && query.skip == 3 && query.limit == 7)
        request.status = .UNRECOGNIZED(7)
        #expect(busError { _ = try ModelListQuery(validating: request) }?.fieldViolations.first?.field == "status")
        request.status = .unspecified
        #expect(try ModelListQuery(validating: request).status == nil)
    }

    @Test func lookupsBenchmarksUsageAndStageRequests() throws {
        var get = Mlops_V1_Registry_GetModelRequest()
        get.id = 3
        get.expand = ["metrics,versions"]
        let lookup = try ModelLookup(validating: get)
        #expect(lookup.id == 3 && lookup.expansions == [.metrics, .versions])
        get.expand = ["bogus"]
        #expect(busError { _ = try ModelLookup(validating: get) }?.fieldViolations.first?.field == "expand")

        var list = Mlops_V1_Registry_ListBenchmarksRequest()
        #expect(busError { _ = try benchmarkModelId(list) }?.fieldViolations.first?.field == "model_id")
        list.modelID = 9
        #expect(try benchmarkModelId(list) == 9)

        var benchmark = Mlops_V1_Registry_AddBenchmarkRequest()
        benchmark.modelID = 1
        benchmark.benchmarkName = "kobest"
        benchmark.score = 0.8
        benchmark.detailsJson = #"{"shots":5}"#
        let added = try NewBenchmark(validating: benchmark)
        #expect(added.modelId == 1 && added.name == "kobest" && added.score == 0.8 && added.detailsJSON == #"{"shots":5}"#)

        var usage = Mlops_V1_Registry_RecordUsageRequest()
        usage.modelID = 2
        usage.kind = "download"
        usage.detailsJson = #"{"via":"cli"}"#
        let used = try NewUsage(validating: usage, subject: "bob")
        #expect(used.modelId == 2 && used.kind == .download && used.actor == "bob" && used.detailsJSON == #"{"via":"cli"}"#)

        var stage = Mlops_V1_Registry_StageRequest()
        stage.id = 5
        stage.actor = "carol"
        stage.reason = "eval passed"
        let change = try StageChange(validating: stage, subject: "x")
        #expect(change.id == 5 && change.actor == "carol" && change.reason == "eval passed")
    }

    @Test func stagePreconditionsBecomeFailedPrecondition() {
        let error = busError {
            _ = try applyingRules { () throws(RegistryRuleError) in
                try StageRules.plan(.promote, modelId: 7, current: .archived, wasProductionBefore: true)
            }
        }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message == "model 7 is archived; only a staging model can be promoted")
    }

    @Test func stagesMapToTheProtoAndBack() {
        for stage in ModelStage.allCases { #expect(ModelStage(proto: stage.proto) == stage) }
        #expect(ModelStage(proto: .unspecified) == nil)
        #expect(ModelStage(proto: .UNRECOGNIZED(9)) == nil)
    }
}
