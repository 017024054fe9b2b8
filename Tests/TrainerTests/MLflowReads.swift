import Foundation
@testable import TrainerService

/// A run as MLflow has it: its info, params, tags and the latest point of each metric.
struct MLflowRun: Sendable, Hashable {
    var runID: String
    var experimentID: String
    var runName: String?
    var status: MLflowRunStatus?
    var startTimeMs: Int64?
    var endTimeMs: Int64?
    var params: [String: String]
    var tags: [String: String]
    var metrics: [String: MLflowMetric]
}

/// MLflow's read API, which the trainer never calls (it only writes runs): what
/// the tests check a mirrored run against, through the client's own transport.
extension MLflowClient {
    func getRun(runID: String) async throws -> MLflowRun {
        let answer: MLflowReadWire.RunResponse = try await call("GET", "runs/get", query: ["run_id": runID])
        let info = answer.run.info, data = answer.run.data
        var metrics: [String: MLflowMetric] = [:]
        for metric in data?.metrics ?? [] { metrics[metric.key] = MLflowReadWire.point(metric) }
        return MLflowRun(
            runID: info.runId, experimentID: info.experimentId, runName: info.runName,
            status: info.status.flatMap(MLflowRunStatus.init(rawValue:)), startTimeMs: info.startTime?.value, endTimeMs: info.endTime?.value,
            params: MLflowReadWire.dictionary(data?.params), tags: MLflowReadWire.dictionary(data?.tags), metrics: metrics
        )
    }

    /// Every point of one metric, following MLflow's pagination.
    func metricHistory(runID: String, key: String) async throws -> [MLflowMetric] {
        var points: [MLflowMetric] = []
        var pageToken: String?
        repeat {
            var query = ["run_id": runID, "metric_key": key, "max_results": "25000"]
            if let pageToken { query["page_token"] = pageToken }
            let answer: MLflowReadWire.MetricHistoryResponse = try await call("GET", "metrics/get-history", query: query)
            points += (answer.metrics ?? []).map(MLflowReadWire.point)
            pageToken = answer.nextPageToken.flatMap { $0.isEmpty ? nil : $0 }
        } while pageToken != nil
        return points
    }
}

private enum MLflowReadWire {
    struct RunResponse: Decodable {
        struct Info: Decodable {
            var runId: String
            var experimentId: String
            var runName: String?
            var status: String?
            var startTime: MLflowWire.Int64Value?
            var endTime: MLflowWire.Int64Value?
        }
        struct Data: Decodable {
            var metrics: [MLflowWire.Metric]?
            var params: [MLflowWire.KeyValue]?
            var tags: [MLflowWire.KeyValue]?
        }
        struct Run: Decodable {
            var info: Info
            var data: Data?
        }
        var run: Run
    }

    struct MetricHistoryResponse: Decodable {
        var metrics: [MLflowWire.Metric]?
        var nextPageToken: String?
    }

    /// An absent step or timestamp is protobuf's default, 0.
    static func point(_ metric: MLflowWire.Metric) -> MLflowMetric {
        MLflowMetric(key: metric.key, value: metric.value, timestampMs: metric.timestamp?.value ?? 0, step: metric.step?.value ?? 0)
    }

    static func dictionary(_ pairs: [MLflowWire.KeyValue]?) -> [String: String] {
        Dictionary((pairs ?? []).map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
    }
}
