/// An AddBenchmark request's fields as sent.
public struct BenchmarkInput: Sendable {
    public var modelId: Int64 = 0
    public var name = ""
    public var score: Double = 0
    public var detailsJSON = ""

    public init() {}
}

/// A validated AddBenchmark request.
public struct NewBenchmark: Sendable, Equatable {
    public var modelId: Int64
    public var name: String
    public var score: Double
    public var detailsJSON: String?

    public init(validating input: BenchmarkInput) throws(RegistryRuleError) {
        modelId = try FieldRules.id(input.modelId, field: "model_id")
        guard let name = try FieldRules.optionalText(input.name, field: "benchmark_name") else {
            throw .invalidField(field: "benchmark_name", reason: "is required")
        }
        self.name = name
        guard input.score.isFinite else { throw .invalidField(field: "score", reason: "must be a finite number") }
        score = input.score
        detailsJSON = try FieldRules.optionalJSONObject(input.detailsJSON, field: "details_json")
    }

    /// The latest score of each benchmark name, given (name, score) rows newest first.
    public static func latestScores(_ newestFirst: some Sequence<(name: String, score: Double)>) -> [String: Double] {
        var latest: [String: Double] = [:]
        for benchmark in newestFirst where latest[benchmark.name] == nil {
            latest[benchmark.name] = benchmark.score
        }
        return latest
    }
}
