import Foundation
import Logging

/// Mirrors one training job into an MLflow run, best effort: MLflow being down or refusing a
/// request must never fail or slow the training itself. Nothing here throws; failures are
/// logged, and what was not sent stays buffered for the next `flush()`.
///
/// Use: `start` once, `record` as metrics arrive, `flush` periodically, `finish` at the end.
/// The run id should be persisted with the job so that a restarted job re-opens the same run
/// (`existingRunID`): `onRunCreated` hears of it whenever it is created, also by a later flush
/// when MLflow was down at `start`.
public actor MLflowMirror {
    /// Metric points kept while MLflow is unreachable; the oldest go first beyond this.
    public static let maxBufferedPoints = 100_000

    private let client: MLflowClient
    private let experiment: String
    private let logger: Logger

    public private(set) var runID: String?
    private var runName = ""
    private var runTags: [String: String] = [:]
    private var reopenRunID: String?
    private var onRunCreated: (@Sendable (String) async -> Void)?
    private var flushing: Task<Void, Never>?
    private var started = false
    private var pendingParams: [String: String] = [:]
    private var pendingTags: [String: String] = [:]
    private var buffer: [MLflowMetric] = []
    private var droppedPoints = 0
    private var failing = false

    public init(client: MLflowClient, experiment: String, logger: Logger) {
        self.client = client
        self.experiment = experiment
        self.logger = logger
    }

    /// Creates the run (or sets `existingRunID` back to RUNNING; a run MLflow no longer has is
    /// replaced by a new one), logs `params` and `tags`, and returns the run id. Returns nil
    /// when MLflow could not be reached: the next `flush()` tries again. Params are logged once
    /// per run (MLflow refuses a changed value; such params are dropped with an error log).
    @discardableResult
    public func start(runName: String, existingRunID: String?, params: [String: String], tags: [String: String],
                      onRunCreated: (@Sendable (String) async -> Void)? = nil) async -> String? {
        self.runName = runName
        self.onRunCreated = onRunCreated
        runTags = tags
        reopenRunID = existingRunID
        pendingParams.merge(params) { _, new in new }
        started = true
        await flush()
        return runID
    }

    /// Buffers metric points for the next `flush()`.
    public func record(_ metrics: [MLflowMetric]) {
        buffer.append(contentsOf: metrics)
        trimBuffer()
    }

    /// Sends what is buffered. Points already sent are dropped from the buffer even when a
    /// later request fails, so a retry only resends the failed part. Flushes run one at a time:
    /// MLflow answers two concurrent writes of the same param with a 400 (a UNIQUE violation).
    public func flush() async {
        while let flushing { await flushing.value }
        let task = Task {
            await send()
            flushing = nil  // before any waiter resumes
        }
        flushing = task
        await task.value
    }

    private func send() async {
        guard let runID = await ensureRun() else { return }
        if !pendingParams.isEmpty || !pendingTags.isEmpty {
            let params = pendingParams, tags = pendingTags
            do {
                try await client.logBatch(runID: runID, params: params, tags: tags)
                pendingParams = pendingParams.filter { params[$0.key] != $0.value }
                pendingTags = pendingTags.filter { tags[$0.key] != $0.value }
            } catch let error as MLflowError where Self.isPermanent(error) {
                // A changed param value, a bad key: resending would fail the same way.
                logger.error("mlflow refused the run's params/tags, dropping them", metadata: ["mlflow.run_id": "\(runID)", "error": "\(error)"])
                pendingParams = [:]
                pendingTags = [:]
            } catch {
                failed("logging params/tags to mlflow", error)
                return
            }
        }
        while !buffer.isEmpty {
            // Taken out before the await: `record` may run meanwhile and trim the buffer.
            let batch = Array(buffer.prefix(MLflowClient.maxMetricsPerBatch))
            buffer.removeFirst(batch.count)
            do {
                try await client.logBatch(runID: runID, metrics: batch)
            } catch let error as MLflowError where Self.isPermanent(error) {
                logger.error("mlflow refused \(batch.count) metric points, dropping them", metadata: ["mlflow.run_id": "\(runID)", "error": "\(error)"])
            } catch {
                buffer.insert(contentsOf: batch, at: 0)
                trimBuffer()
                failed("logging metrics to mlflow", error)
                return
            }
        }
        recovered()
    }

    /// Flushes, then closes the run with `status` and the current time as its end.
    public func finish(status: MLflowRunStatus) async {
        await flush()
        guard let runID else {
            logger.warning("mlflow run was never created; \(buffer.count) metric points not mirrored")
            return
        }
        do {
            try await client.updateRun(runID: runID, status: status, endTimeMs: Self.nowMs())
        } catch {
            failed("closing the mlflow run", error)
        }
    }

    // MARK: -

    /// Only from `send`: flushes being serial, a periodic flush cannot open a second run.
    private func ensureRun() async -> String? {
        if let runID { return runID }
        guard started else { return nil }  // a flush before `start`: keep buffering
        if let id = reopenRunID {
            do {
                try await client.updateRun(runID: id, status: .running, endTimeMs: nil)
                runID = id
                reopenRunID = nil
                pendingTags.merge(runTags) { _, new in new }
                return id
            } catch let error as MLflowError where error.errorCode == "RESOURCE_DOES_NOT_EXIST" {
                logger.warning("mlflow run is gone, creating a new one", metadata: ["mlflow.run_id": "\(id)", "error": "\(error)"])
                reopenRunID = nil
            } catch {
                failed("re-opening the mlflow run", error)
                return nil
            }
        }
        do {
            let experimentID = try await client.experimentID(named: experiment)
            let id = try await client.createRun(experimentID: experimentID, runName: runName, startTimeMs: Self.nowMs(), tags: runTags)
            runID = id
            logger.info("mlflow run created", metadata: ["mlflow.run_id": "\(id)", "mlflow.experiment_id": "\(experimentID)"])
            await onRunCreated?(id)
            return id
        } catch {
            failed("creating the mlflow run", error)
            return nil
        }
    }

    private func trimBuffer() {
        let excess = buffer.count - Self.maxBufferedPoints
        guard excess > 0 else { return }
        buffer.removeFirst(excess)
        if droppedPoints == 0 {
            logger.warning("mlflow buffer full (\(Self.maxBufferedPoints) points), dropping the oldest until mlflow answers")
        }
        droppedPoints += excess
    }

    /// Warns once per outage, then stays quiet at debug level until `recovered`.
    private func failed(_ what: String, _ error: any Error) {
        let metadata: Logger.Metadata = ["error": "\(error)", "mlflow.buffered_points": "\(buffer.count)"]
        if failing {
            logger.debug("\(what) failed again", metadata: metadata)
        } else {
            failing = true
            logger.warning("\(what) failed; will retry at the next flush", metadata: metadata)
        }
    }

    private func recovered() {
        if failing || droppedPoints > 0 {
            logger.info("mlflow mirroring resumed", metadata: ["mlflow.dropped_points": "\(droppedPoints)"])
        }
        failing = false
        droppedPoints = 0
    }

    /// Refusals that the same request would get again (not auth, throttling or server trouble).
    private static func isPermanent(_ error: MLflowError) -> Bool {
        [400, 404, 413].contains(error.httpStatus)
    }

    private static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
