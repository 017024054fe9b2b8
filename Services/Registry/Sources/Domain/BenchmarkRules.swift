import Bus
import Contracts

/// A validated AddBenchmark request.
public struct NewBenchmark: Sendable, Equatable {
    public var modelId: Int64
    public var name: String
    public var score: Double
    public var detailsJSON: String?

    public init(validating request: Mlops_V1_Registry_AddBenchmarkRequest) throws(BusError) {
        modelId = try FieldRules.id(request.modelID, field: "model_id")
        guard let name = try FieldRules.optionalText(request.benchmarkName, field: "benchmark_name") else {
            throw .invalidArgument(field: "benchmark_name", "is required")
        }
        self.name = name
        guard request.score.isFinite else { throw .invalidArgument(field: "score", "must be a finite number") }
        score = request.score
        detailsJSON = try FieldRules.optionalJSONObject(request.detailsJson, field: "details_json")
    }

    /// The latest score of each benchmark name, given rows newest first.
    public static func latestScores(_ newestFirst: [Mlops_V1_Registry_Benchmark]) -> [String: Double] {
        var latest: [String: Double] = [:]
        for benchmark in newestFirst where latest[benchmark.benchmarkName] == nil {
            latest[benchmark.benchmarkName] = benchmark.score
        }
        return latest
    }
}
