import Testing
@testable import RegistryDomain

/// The request rules without a bus or database: every refusal names its field.
struct RegistrationRulesTests {
    static let sha = String(repeating: "ab", count: 32)

    func valid() -> RegistrationInput {
        var input = RegistrationInput()
        input.modelName = "legal-ko"
        input.version = "1.0.0"
        input.modelPath = "s3://models/legal-ko/1.0.0"
        return input
    }

    @Test func aMinimalRegistrationGetsDefaults() throws {
        let model = try NewModel(validating: valid(), subject: "alice")
        #expect(model.modelFormat == "huggingface")
        #expect(model.createdBy == "alice", "the caller stands in for an empty created_by")
        #expect(model.source == .external(path: "s3://models/legal-ko/1.0.0"))
        #expect(model.modelPath == "s3://models/legal-ko/1.0.0")
        #expect(model.finetuningJobId == nil && model.project == nil && model.tags.isEmpty)
    }

    @Test func everyAllowedModelURISchemeIsAccepted() throws {
        for scheme in FieldRules.modelURISchemes {
            var input = valid()
            input.mlflowModelURI = (Bool.random() ? scheme.uppercased() : scheme) + "abc/model"
            #expect(try NewModel(validating: input, subject: "").mlflowModelURI == input.mlflowModelURI)
        }
    }

    @Test func anArtifactAddressBecomesABlobPath() throws {
        var input = valid()
        input.modelPath = ""
        input.artifactSHA256 = Self.sha.uppercased()
        let model = try NewModel(validating: input, subject: "")
        #expect(model.source == .blob(sha256: Self.sha), "addresses are normalised to lower case")
        #expect(model.modelPath == "blob:sha256:" + Self.sha)
        #expect(NewModel.sizeInGB(bytes: 2_500_000_000) == 2.5)
    }

    @Test func registrationRefusalsNameTheField() {
        typealias Mutation = (inout RegistrationInput) -> Void
        let cases: [(String, Mutation)] = [
            ("model_name", { r in r.modelName = "" }),
            ("model_name", { r in r.modelName = "has space" }),
            ("model_name", { r in r.modelName = String(repeating: "a", count: 256) }),
            ("model_name", { r in r.modelName = ".." }),
            ("version", { r in r.version = "" }),
            ("version", { r in r.version = String(repeating: "1", count: 51) }),
            ("version", { r in r.version = "1 0" }),
            ("version", { r in r.version = "../../etc" }),
            ("version", { r in r.version = ".." }),
            ("version", { r in r.version = "1.0\u{0}" }),
            ("mlflow_model_uri", { r in r.mlflowModelURI = "javascript:alert(1)" }),
            ("mlflow_model_uri", { r in r.mlflowModelURI = "file:///etc/passwd" }),
            ("mlflow_model_uri", { r in r.mlflowModelURI = "runs:/" }),
            ("mlflow_model_uri", { r in r.mlflowModelURI = "runs:/abc /model" }),
            ("base_model", { r in r.baseModel = String(repeating: "b", count: 256) }),
            ("finetuning_job_id", { r in r.finetuningJobId = -1 }),
            ("project", { r in r.project = "line\nbreak" }),
            ("model_type", { r in r.modelType = String(repeating: "t", count: 101) }),
            ("artifact_sha256", { r in r.modelPath = "" }),
            ("artifact_sha256", { r in r.modelPath = ""; r.artifactSHA256 = "abc" }),
            ("artifact_sha256", { r in r.modelPath = ""; r.artifactSHA256 = String(repeating: "g", count: 64) }),
            ("model_path", { r in r.artifactSHA256 = RegistrationRulesTests.sha }),
            ("model_path", { r in r.modelPath = "blob:sha256:" + RegistrationRulesTests.sha }),
            ("description", { r in r.description = String(repeating: "d", count: 10_001) }),
            ("tags", { r in r.tags = (0..<33).map { "t\($0)" } }),
            ("tags[1]", { r in r.tags = ["ok", ""] }),
            ("tags[0]", { r in r.tags = ["a,b"] }),
            ("tags[0]", { r in r.tags = [String(repeating: "x", count: 65)] }),
            ("tags[0]", { r in r.tags = [" padded"] }),
            ("deployment_config_json", { r in r.deploymentConfigJSON = "[1,2]" }),
            ("deployment_config_json", { r in r.deploymentConfigJSON = "{not json" }),
            ("deployment_config_json", { r in r.deploymentConfigJSON = "42" }),
            ("mlflow_model_uri", { r in r.mlflowModelURI = "runs:/a b" }),
            ("created_by", { r in r.createdBy = String(repeating: "c", count: 256) }),
        ]
        for (expected, mutate) in cases {
            var input = valid()
            mutate(&input)
            #expect(refusedField { _ = try NewModel(validating: input, subject: "") } == expected, "\(input)")
        }
    }

    @Test func tagsCollapseDuplicatesInOrder() throws {
        var input = valid()
        input.tags = ["korean", "7b", "korean"]
        #expect(try NewModel(validating: input, subject: "").tags == ["korean", "7b"])
    }

    @Test func jsonFieldsTakeOneObjectThatJSONBCanStore() throws {
        #expect(try FieldRules.optionalJSONObject("", field: "f") == nil, "empty is absent")
        let text = #"{"replicas": 2, "gpu": {"kind": "a100"}}"#
        #expect(try FieldRules.optionalJSONObject(text, field: "f") == text, "kept as sent")
        for refused in [#"{"a":1,"a":2}"#, #"{"a":"x\u0000y"}"#, #"{"\u0000":1}"#, "{} {}", "null"] {
            #expect(refusedField { _ = try FieldRules.optionalJSONObject(refused, field: "f") } == "f", "\(refused)")
        }
        // An escaped backslash before "u0000" is no NUL.
        #expect(try FieldRules.optionalJSONObject(#"{"path":"C:\\u0000"}"#, field: "f") != nil)
        let big = "{\"a\":\"" + String(repeating: "x", count: FieldRules.maxJSONBytes) + "\"}"
        #expect(refusedField { _ = try FieldRules.optionalJSONObject(big, field: "f") } == "f")
    }

    @Test func listDefaultsAndLimits() throws {
        var input = ModelListInput()
        var query = try ModelListQuery(validating: input)
        #expect(query.limit == 50 && query.skip == 0)
        #expect(query.project == nil && query.isActive == nil && query.status == nil && query.tags == nil && query.search == nil)
        input.limit = 1000
        input.isActive = false
        input.status = .archived
        input.tags = ["a", "b"]
        query = try ModelListQuery(validating: input)
        #expect(query.limit == 1000 && query.isActive == false && query.status == .archived && query.tags == ["a", "b"])

        input.limit = 1001
        #expect(refusedField { _ = try ModelListQuery(validating: input) } == "limit")
        input.limit = -1
        #expect(refusedField { _ = try ModelListQuery(validating: input) } == "limit")
        input.limit = 10
        input.skip = -1
        #expect(refusedField { _ = try ModelListQuery(validating: input) } == "skip")
        input.skip = 0
        input.createdAfterUnixMs = -5
        #expect(refusedField { _ = try ModelListQuery(validating: input) } == "created_after_unix_ms")
        input.createdAfterUnixMs = 0
        input.search = String(repeating: "s", count: 256)
        #expect(refusedField { _ = try ModelListQuery(validating: input) } == "search")
    }

    @Test func searchIsTrimmedAndBlankMeansNone() throws {
        var input = ModelListInput()
        input.search = "  legal_ko "
        #expect(try ModelListQuery(validating: input).search == "legal_ko")
        input.search = "   "
        #expect(try ModelListQuery(validating: input).search == nil)
    }

    @Test func expansionsParseListsAndRefuseUnknownNames() throws {
        #expect(try Expansion.parse([]) == [])
        #expect(try Expansion.parse(["metrics,versions", " evaluations "]) == [.metrics, .versions, .evaluations])
        #expect(refusedField { _ = try Expansion.parse(["metrics", "bogus"]) } == "expand")
    }

    @Test func updatesSayWhatTheyChange() throws {
        var input = ModelUpdateInput()
        input.id = 4
        #expect(try ModelUpdate(validating: input).changesNothing)
        input.description = ""
        input.deploymentConfigJSON = ""
        let clearing = try ModelUpdate(validating: input)
        #expect(clearing.description == .some(nil) && clearing.deploymentConfigJSON == .some(nil), "empty clears")
        input.replaceTags = true
        #expect(try ModelUpdate(validating: input).tags == [], "replace_tags with no tags clears them")
        input.replaceTags = false
        input.tags = ["x"]
        #expect(refusedField { _ = try ModelUpdate(validating: input) } == "replace_tags")
        input.tags = []
        input.deploymentConfigJSON = "[]"
        #expect(refusedField { _ = try ModelUpdate(validating: input) } == "deployment_config_json")
        input.deploymentConfigJSON = nil
        input.actor = "a\u{7}"
        #expect(refusedField { _ = try ModelUpdate(validating: input) } == "actor")
        input.actor = ""
        input.id = 0
        #expect(refusedField { _ = try ModelUpdate(validating: input) } == "id")
    }

    @Test func benchmarksUsageAndStageChanges() throws {
        var benchmark = BenchmarkInput()
        benchmark.modelId = 1
        #expect(refusedField { _ = try NewBenchmark(validating: benchmark) } == "benchmark_name")
        benchmark.name = "kobest"
        benchmark.score = .nan
        #expect(refusedField { _ = try NewBenchmark(validating: benchmark) } == "score")
        benchmark.score = 0.8
        benchmark.detailsJSON = "\"text\""
        #expect(refusedField { _ = try NewBenchmark(validating: benchmark) } == "details_json")
        benchmark.modelId = -2
        #expect(refusedField { _ = try NewBenchmark(validating: benchmark) } == "model_id")

        var usage = UsageInput()
        usage.modelId = 1
        usage.kind = "delete"
        #expect(refusedField { _ = try NewUsage(validating: usage, subject: "") } == "kind")
        usage.kind = "deploy"
        #expect(try NewUsage(validating: usage, subject: "bob").actor == "bob")

        var stage = StageChangeInput()
        #expect(refusedField { _ = try StageChange(validating: stage, subject: "") } == "id")
        stage.id = 1
        #expect(try StageChange(validating: stage, subject: "carol").actor == "carol")
        stage.reason = String(repeating: "r", count: 2_001)
        #expect(refusedField { _ = try StageChange(validating: stage, subject: "") } == "reason")
    }

    @Test func latestScoreOfEachBenchmarkWins() {
        let newestFirst = [("kobest", 0.9), ("mmlu_kr", 0.5), ("kobest", 0.7)].map { (name: $0.0, score: $0.1) }
        #expect(NewBenchmark.latestScores(newestFirst) == ["kobest": 0.9, "mmlu_kr": 0.5])
    }
}

/// The field named by the refusal that `body` throws; nil when it passes.
func refusedField(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        guard case .invalidField(let field, _)? = error as? RegistryRuleError else {
            Issue.record("expected a field refusal, got \(error)")
            return nil
        }
        return field
    }
}
