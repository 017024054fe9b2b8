import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One point of a metric series. MLflow keys a point by (key, timestamp, step, value), so
/// re-sending an identical point is harmless (the SQL store ignores the duplicate).
public struct MLflowMetric: Sendable, Hashable {
    public var key: String
    /// NaN and ±infinity are sent as the protobuf-JSON strings "NaN"/"Infinity"/"-Infinity".
    /// MLflow stores NaN as NaN but clamps ±infinity to ±Double.greatestFiniteMagnitude.
    public var value: Double
    public var timestampMs: Int64
    public var step: Int64

    public init(key: String, value: Double, timestampMs: Int64, step: Int64) {
        self.key = key
        self.value = value
        self.timestampMs = timestampMs
        self.step = step
    }
}

public enum MLflowRunStatus: String, Sendable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"
}

/// A non-2xx answer from MLflow (or an answer this client could not read).
/// Transport failures (connection refused, timeout) are thrown as `URLError` unchanged.
public struct MLflowError: Error, CustomStringConvertible, Sendable {
    /// The request, e.g. "POST runs/log-batch".
    public var endpoint: String
    /// HTTP status (a 2xx one when the body was unreadable: `errorCode` is `invalidResponse`).
    public var httpStatus: Int
    /// MLflow's `error_code`, e.g. RESOURCE_DOES_NOT_EXIST, INVALID_PARAMETER_VALUE.
    public var errorCode: String
    public var message: String

    /// The `errorCode` of answers that are not MLflow's JSON (a proxy's HTML page, a bad body).
    public static let invalidResponse = "INVALID_RESPONSE"

    public var description: String { "MLflow \(endpoint): HTTP \(httpStatus) \(errorCode): \(message)" }
}

/// A small client for MLflow's tracking REST API (/api/2.0/mlflow), enough to mirror
/// training runs: experiments, runs, batched logging and reading a run back.
public struct MLflowClient: Sendable {
    // MLflow's per-request limits for runs/log-batch (mlflow/utils/validation.py).
    public static let maxMetricsPerBatch = 1000
    public static let maxParamsPerBatch = 100
    public static let maxTagsPerBatch = 100
    public static let maxEntitiesPerBatch = 1000
    /// Longer param values are rejected by the server unless it truncates (its default); we
    /// truncate here so the outcome does not depend on the server's MLFLOW_TRUNCATE_LONG_VALUES.
    public static let maxParamValueLength = 6000
    public static let maxTagValueLength = 8000
    /// Under the documented 1 MB body limit (MLflow's server measures the wrong length and never
    /// enforces it; Databricks does), with room for JSON escaping our estimate does not count.
    static let maxBatchBytes = 800_000

    public let trackingURI: URL
    let session: URLSession
    let timeout: TimeInterval

    public init(trackingURI: URL, session: URLSession = .shared, timeout: TimeInterval = 10) {
        self.trackingURI = trackingURI
        self.session = session
        self.timeout = timeout
    }

    // MARK: Experiments

    /// The id of the experiment called `name`, created when it does not exist yet.
    public func experimentID(named name: String) async throws -> String {
        do {
            return try await experimentIDByName(name)
        } catch let error as MLflowError where error.errorCode == "RESOURCE_DOES_NOT_EXIST" {
            do {
                let created: MLflowWire.CreateExperimentResponse = try await call("POST", "experiments/create", body: MLflowWire.CreateExperiment(name: name))
                return created.experimentId
            } catch let error as MLflowError where error.errorCode == "RESOURCE_ALREADY_EXISTS" {
                // Another client created it between our get and create.
                return try await experimentIDByName(name)
            }
        }
    }

    private func experimentIDByName(_ name: String) async throws -> String {
        let answer: MLflowWire.GetExperimentResponse = try await call("GET", "experiments/get-by-name", query: ["experiment_name": name])
        return answer.experiment.experimentId
    }

    // MARK: Runs

    /// Creates a RUNNING run and returns its id.
    public func createRun(experimentID: String, runName: String, startTimeMs: Int64, tags: [String: String]) async throws -> String {
        let body = MLflowWire.CreateRun(experimentId: experimentID, runName: runName, startTime: startTimeMs,
                                  tags: Self.keyValues(tags, maxValueLength: Self.maxTagValueLength))
        let answer: MLflowWire.RunResponse = try await call("POST", "runs/create", body: body)
        return answer.run.info.runId
    }

    /// Sets the run's status and, when given, its end time. MLflow never clears an end time:
    /// a run set back to RUNNING keeps the end time of its previous finish.
    public func updateRun(runID: String, status: MLflowRunStatus, endTimeMs: Int64?) async throws {
        let _: MLflowWire.Empty = try await call("POST", "runs/update", body: MLflowWire.UpdateRun(runId: runID, status: status.rawValue, endTime: endTimeMs))
    }

    // MARK: Logging

    /// Logs params, tags and metrics, split into as many runs/log-batch requests as MLflow's
    /// limits need (params, then tags, then metrics, in order).
    ///
    /// Log each param once: MLflow refuses a second value for a param key
    /// (INVALID_PARAMETER_VALUE); the same value again is accepted. Tags may be overwritten.
    /// A failure leaves the earlier requests written; retrying the whole call is safe, since
    /// identical params, tags and metric points are idempotent.
    public func logBatch(runID: String, params: [String: String] = [:], metrics: [MLflowMetric] = [], tags: [String: String] = [:]) async throws {
        for batch in Self.batches(params: params, metrics: metrics, tags: tags) {
            let _: MLflowWire.Empty = try await call("POST", "runs/log-batch", body: batch.body(runID: runID))
        }
    }

    struct Batch {
        var params: [MLflowWire.KeyValue] = []
        var tags: [MLflowWire.KeyValue] = []
        var metrics: [MLflowWire.Metric] = []
        var bytes = 0
        var count: Int { params.count + tags.count + metrics.count }

        func body(runID: String) -> MLflowWire.LogBatch {
            MLflowWire.LogBatch(runId: runID, metrics: metrics.isEmpty ? nil : metrics,
                          params: params.isEmpty ? nil : params, tags: tags.isEmpty ? nil : tags)
        }
    }

    /// Splits into request bodies within MLflow's limits (sorted keys: deterministic requests).
    static func batches(params: [String: String], metrics: [MLflowMetric], tags: [String: String]) -> [Batch] {
        var batches: [Batch] = []
        var current = Batch()
        func makeRoom(kind count: Int, limit: Int, bytes: Int) {
            if count >= limit || current.count >= maxEntitiesPerBatch || (current.count > 0 && current.bytes + bytes > maxBatchBytes) {
                batches.append(current)
                current = Batch()
            }
            current.bytes += bytes
        }
        for param in keyValues(params, maxValueLength: maxParamValueLength) {
            makeRoom(kind: current.params.count, limit: maxParamsPerBatch, bytes: param.estimatedBytes)
            current.params.append(param)
        }
        for tag in keyValues(tags, maxValueLength: maxTagValueLength) {
            makeRoom(kind: current.tags.count, limit: maxTagsPerBatch, bytes: tag.estimatedBytes)
            current.tags.append(tag)
        }
        for metric in metrics {
            // Two int64s, a double and the field names: about 110 bytes besides the key.
            makeRoom(kind: current.metrics.count, limit: maxMetricsPerBatch, bytes: metric.key.utf8.count + 110)
            current.metrics.append(MLflowWire.Metric(metric))
        }
        if current.count > 0 { batches.append(current) }
        return batches
    }

    static func keyValues(_ values: [String: String], maxValueLength: Int) -> [MLflowWire.KeyValue] {
        values.sorted { $0.key < $1.key }.map { MLflowWire.KeyValue(key: $0.key, value: truncated($0.value, to: maxValueLength)) }
    }

    /// MLflow (Python) counts Unicode scalars, not grapheme clusters.
    static func truncated(_ value: String, to limit: Int) -> String {
        value.unicodeScalars.count <= limit ? value : String(String.UnicodeScalarView(value.unicodeScalars.prefix(limit)))
    }

    // MARK: Transport

    /// JSON has no NaN or infinity; MLflow reads and writes them as protobuf JSON's strings.
    /// (A bare NaN token is not refused: MLflow stores the point as 0 at timestamp 0.)
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    // JSONDecoder rather than JSONSerialization: the latter misreads the last digit of some
    // doubles on Linux (25.733333333333334 comes back as 25.733333333333338).
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }()

    /// One REST call. Internal rather than private: the tests read runs back
    /// through it (Tests/TrainerTests/MLflowReads.swift); the trainer only writes.
    func call<Answer: Decodable>(_ method: String, _ path: String, query: [String: String] = [:], body: (some Encodable)? = MLflowWire.Empty?.none) async throws -> Answer {
        let endpoint = "\(method) \(path)"
        var components = URLComponents(url: trackingURI.appendingPathComponent("api/2.0/mlflow/" + path), resolvingAgainstBaseURL: false)
        if !query.isEmpty {
            // Encoded by hand: URLQueryItem leaves "+" alone, which the server reads as a space.
            components?.percentEncodedQuery = query.sorted { $0.key < $1.key }
                .map { "\(Self.queryEscaped($0.key))=\(Self.queryEscaped($0.value))" }
                .joined(separator: "&")
        }
        guard let url = components?.url else {
            throw MLflowError(endpoint: endpoint, httpStatus: 0, errorCode: "INVALID_URL", message: "cannot build a URL from \(trackingURI)")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try Self.encoder.encode(body)
        }
        let (data, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let error = try? Self.decoder.decode(MLflowWire.ErrorResponse.self, from: data)
            throw MLflowError(endpoint: endpoint, httpStatus: status,
                              errorCode: error?.errorCode ?? MLflowError.invalidResponse,
                              message: error?.message ?? String(decoding: data.prefix(500), as: UTF8.self))
        }
        do {
            return try Self.decoder.decode(Answer.self, from: data)
        } catch {
            throw MLflowError(endpoint: endpoint, httpStatus: status, errorCode: MLflowError.invalidResponse,
                              message: "\(error); body: \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }

    private static let queryAllowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? text
    }
}

/// MLflow's JSON bodies (snake_case on the wire through the coders' key strategies).
enum MLflowWire {
    struct Empty: Codable {}

    struct KeyValue: Codable, Equatable {
        var key: String
        var value: String?
        var estimatedBytes: Int { key.utf8.count + (value?.utf8.count ?? 0) + 30 }
    }

    struct Metric: Codable, Equatable {
        var key: String
        var value: Double
        var timestamp: Int64Value?
        var step: Int64Value?

        init(_ metric: MLflowMetric) {
            key = metric.key
            value = metric.value
            timestamp = Int64Value(metric.timestampMs)
            step = Int64Value(metric.step)
        }
    }

    /// MLflow writes int64 as a JSON number; protobuf JSON proper writes a string. Read both.
    struct Int64Value: Codable, Equatable {
        var value: Int64
        init(_ value: Int64) { self.value = value }
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                value = number
            } else if let number = Int64(try container.decode(String.self)) {
                value = number
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an int64")
            }
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    struct CreateExperiment: Encodable { var name: String }
    struct CreateExperimentResponse: Decodable { var experimentId: String }
    struct GetExperimentResponse: Decodable {
        struct Experiment: Decodable { var experimentId: String }
        var experiment: Experiment
    }

    struct CreateRun: Encodable {
        var experimentId: String
        var runName: String
        var startTime: Int64
        var tags: [KeyValue]
    }

    struct UpdateRun: Encodable {
        var runId: String
        var status: String
        var endTime: Int64?
    }

    struct LogBatch: Encodable {
        var runId: String
        var metrics: [Metric]?
        var params: [KeyValue]?
        var tags: [KeyValue]?
    }

    /// runs/create's answer: the trainer only needs the new run's id.
    struct RunResponse: Decodable {
        struct Info: Decodable { var runId: String }
        struct Run: Decodable { var info: Info }
        var run: Run
    }

    struct ErrorResponse: Decodable {
        var errorCode: String?
        var message: String?
    }
}
