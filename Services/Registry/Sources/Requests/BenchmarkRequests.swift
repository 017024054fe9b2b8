import Bus
import Contracts
import RegistryDomain

/// AddBenchmark, ListBenchmarks and RecordUsage requests → domain values.
extension NewBenchmark {
    init(validating request: Mlops_V1_Registry_AddBenchmarkRequest) throws(BusError) {
        var input = BenchmarkInput()
        input.modelId = request.modelID
        input.name = request.benchmarkName
        input.score = request.score
        input.detailsJSON = request.detailsJson
        self = try applyingRules { () throws(RegistryRuleError) in try NewBenchmark(validating: input) }
    }
}

/// The model a ListBenchmarks request names.
func benchmarkModelId(_ request: Mlops_V1_Registry_ListBenchmarksRequest) throws(BusError) -> Int64 {
    try applyingRules { () throws(RegistryRuleError) in try FieldRules.id(request.modelID, field: "model_id") }
}

extension NewUsage {
    init(validating request: Mlops_V1_Registry_RecordUsageRequest, subject: String) throws(BusError) {
        var input = UsageInput()
        input.modelId = request.modelID
        input.kind = request.kind
        input.actor = request.actor
        input.detailsJSON = request.detailsJson
        self = try applyingRules { () throws(RegistryRuleError) in try NewUsage(validating: input, subject: subject) }
    }
}
