import Bus
import Contracts
import Foundation
import JSON
import Logging
import PostgresNIO
import ServiceKit
import Synchronization
import TrainerDomain

#if canImport(Glibc)
import Glibc
#endif

/// One runner process of one job, supervised by this trainer instance: every
/// stdout event goes to the bus at once (live logs), then to the rows (metric
/// points, checkpoints, progress) and the log file; the exit decides the
/// job's next state (JobState), in one transaction with the lease release.
final class JobRun: Sendable {
    let jobID: Int64
    let devices: [DeviceID]
    let process: RunnerProcess
    private let context: Context
    private let log: JobLog
    private let mirror: MLflowMirror?
    /// Opens the MLflow run (beside the runner's start, never delaying it).
    private let openMirror: (@Sendable () async -> Void)?
    private let state = Mutex(RunState())

    /// What a run needs from the service.
    struct Context: Sendable {
        let deps: ServiceDependencies
        let settings: TrainerSettings
        let events: JobEvents
        let logger: Logger
        var holder: String { settings.instanceID }
    }

    private struct RunState {
        var stopSignalledAt: ContinuousClock.Instant?
        var leaseLost = false
        var shuttingDown = false
        var result: RunnerEvent.Result?
        var failure: RunOutcome.Failure?
        var latestMetrics: [String: JSONValue] = [:]
        var lastProgressWrite: ContinuousClock.Instant?
        var lastStep = 0
    }

    init(jobID: Int64, devices: [DeviceID], process: RunnerProcess, log: JobLog, mirror: MLflowMirror?,
         openMirror: (@Sendable () async -> Void)?, context: Context) {
        self.openMirror = openMirror
        self.jobID = jobID
        self.devices = devices
        self.process = process
        self.log = log
        self.mirror = mirror
        self.context = context
    }

    // MARK: - Control

    /// SIGTERM: the runner checkpoints and exits 143. Sent once; `escalateAfter`
    /// later a runner that has not exited gets SIGKILL.
    func requestStop(escalateAfter grace: Duration) {
        let now = ContinuousClock.now
        let action: Int32? = state.withLock { state in
            if let sent = state.stopSignalledAt { return now - sent > grace ? SIGKILL : nil }
            state.stopSignalledAt = now
            return SIGTERM
        }
        if let action { process.signal(action) }
    }

    /// The lease is gone (another instance may take the device): kill at once.
    func leaseLost() {
        state.withLock { $0.leaseLost = true }
        process.signal(SIGKILL)
    }

    /// The trainer is shutting down: checkpoint and hand the job back to the queue.
    func shutdown() {
        state.withLock { $0.shuttingDown = true }
        requestStop(escalateAfter: .seconds(3600))
    }

    // MARK: - Supervision

    func supervise() async {
        let opening = openMirror.map { open in Task { await open() } }
        let flusher: Task<Void, Never>? = mirror.map { mirror in
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(2))
                    await mirror.flush()
                }
            }
        }
        var exit = RunnerExit.crashed(code: -1)
        for await output in process.output {
            switch output {
            case .line(let line): await handle(line)
            case .exit(let code): exit = code
            }
        }
        flusher?.cancel()
        await opening?.value
        await finish(exit)
    }

    private func handle(_ line: String) async {
        let event = RunnerEvent.parse(line: line)
        let deps = context.deps, logger = context.logger, events = context.events
        do {
            switch event {
            case .log(let e):
                events.publish(jobID, "log", ["level": .string(e.level), "message": .string(e.message), "time": time(e.time)])
                log.write(e.level, e.message, time: e.time)
            case .progress(let e):
                events.publish(jobID, "progress", ["step": .int(Int64(e.step)), "total": e.total.map { .int(Int64($0)) } ?? JSONValue.null,
                                                   "epoch": e.epoch.map(JSONValue.double) ?? JSONValue.null, "time": time(e.time)])
                let now = ContinuousClock.now
                let due = state.withLock { state -> Bool in
                    state.lastStep = e.step
                    // One row write a second is plenty for the API; the stream has every step.
                    guard state.lastProgressWrite.map({ now - $0 >= .seconds(1) }) ?? true else { return false }
                    state.lastProgressWrite = now
                    return true
                }
                if due || e.step == e.total {
                    try await JobStore.setProgress(jobID, step: e.step, total: e.total, epoch: e.epoch, on: deps.postgres, logger: logger)
                }
            case .metrics(let m):
                let step = m.step ?? state.withLock { $0.lastStep }
                let fields = metricFields(m, step: step)
                events.publish(jobID, "metrics", fields)
                state.withLock { $0.latestMetrics = fields.filter { $0.value != .null && $0.key != "time" } }
                try await JobStore.insertMetrics(jobID, m, step: step, on: deps.postgres, logger: logger)
                if let mirror { await mirror.record(MLflowMetrics.points(m, step: step)) }
            case .checkpoint(var c):
                c.path = relativeToDataRoot(c.path)
                events.publish(jobID, "checkpoint", ["step": .int(Int64(c.step)), "path": .string(c.path), "name": .string(c.name),
                                                     "size": c.size.map(JSONValue.int) ?? JSONValue.null, "time": time(c.time)])
                log.write("info", "checkpoint \(c.name) saved (step \(c.step))", time: c.time)
                let metrics = state.withLock { $0.latestMetrics }
                let metricsJSON = JSONValue(object: metrics).serialized
                try await JobStore.upsertCheckpoint(jobID, c, metricsJSON: metricsJSON, on: deps.postgres, logger: logger)
            case .stopped(let e):
                log.write("info", e.message, time: e.time)
                events.publish(jobID, "log", ["level": .string("info"), "message": .string(e.message), "time": time(e.time)])
            case .result(let r):
                state.withLock { $0.result = r }
                if let step = r.step {
                    try await JobStore.setProgress(jobID, step: step, total: r.total, epoch: r.epoch, on: deps.postgres, logger: logger)
                }
                log.write("info", "finished: \(r.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))", time: r.time)
            case .error(let e):
                // Stored on the job and shown to viewers: no server paths (the log keeps the whole text).
                let message = DataRoot(context.deps.settings.dataRoot).redacting(e.message, limit: 1_000)
                state.withLock { $0.failure = RunOutcome.Failure(message: message, field: e.field) }
                let text = e.field.map { "\($0): \(e.message)" } ?? e.message
                log.write("error", text, time: e.time)
                events.publish(jobID, "log", ["level": .string("error"), "message": .string(text), "time": time(e.time)])
            case .other:
                break
            }
        } catch {
            logger.warning("could not record a runner event", metadata: ["job": "\(jobID)", "error": "\(String(reflecting: error))"])
        }
    }

    private func time(_ value: Double?) -> JSONValue { .double(value ?? Date().timeIntervalSince1970) }

    private func metricFields(_ m: RunnerEvent.Metrics, step: Int) -> [String: JSONValue] {
        func number(_ v: Double?) -> JSONValue { v.map(JSONValue.double) ?? .null }
        return ["step": .int(Int64(step)), "epoch": number(m.epoch), "loss": number(m.loss), "eval_loss": number(m.evalLoss),
                "perplexity": number(m.perplexity), "learning_rate": number(m.learningRate), "grad_norm": number(m.gradNorm),
                "tokens_per_second": number(m.tokensPerSecond), "gpu_memory_gb": number(m.gpuMemoryGB), "time": time(m.time)]
    }

    func relativeToDataRoot(_ path: String) -> String {
        DataRoot(context.deps.settings.dataRoot).relative(path) ?? path
    }

    // MARK: - Exit

    private func outcome(_ exit: RunnerExit, current: JobState) -> RunOutcome {
        let observed = state.withLock {
            RunOutcome.Observed(result: $0.result, failure: $0.failure, shuttingDown: $0.shuttingDown, leaseLost: $0.leaseLost)
        }
        return RunOutcome.decide(exit, current: current, observed: observed)
    }

    private func finish(_ exit: RunnerExit) async {
        let deps = context.deps, logger = context.logger, holder = context.holder, jobID = self.jobID
        var next: JobState?
        var reason = ""
        do {
            try await deps.postgres.transaction(logger: logger) { connection in
                guard let (current, owner) = try await JobStore.lockStateAndOwner(jobID, on: connection, logger: logger),
                      owner == holder, current.holdsDevices else {
                    // Another instance already re-queued it (our lease had expired).
                    try await LeaseStore.release(job: jobID, holder: holder, reason: "lost", on: connection, logger: logger)
                    return
                }
                let decided = outcome(exit, current: current)
                let target = try current.applying(decided.event)
                reason = decided.reason
                switch target {
                case .queued:
                    try await JobStore.requeue(jobID, resumeFrom: "latest", reason: reason, keepAge: true, on: connection, logger: logger)
                default:
                    // Shown to viewers: the runner's absolute output_dir becomes relative to DATA_ROOT.
                    let resultJSON = state.withLock { $0.result }.map { result in
                        var fields = result.fields
                        if case .string(let path)? = fields["output_dir"] { fields["output_dir"] = .string(relativeToDataRoot(path)) }
                        return JSONValue(object: fields).serialized
                    }
                    try await JobStore.finish(jobID, state: target, reason: reason, errorMessage: decided.error?.message,
                                              errorField: decided.error?.field, resultJSON: resultJSON, on: connection, logger: logger)
                }
                try await LeaseStore.release(job: jobID, holder: holder, reason: target.rawValue, on: connection, logger: logger)
                next = target
            }
        } catch {
            // The leases expire and another pass re-queues the job: nothing is lost.
            logger.error("could not record the end of a run", metadata: ["job": "\(jobID)", "error": "\(String(reflecting: error))"])
        }
        guard let next else { return }
        log.write(next == .failed ? "error" : "info", "[trainer] \(next.rawValue): \(reason)")
        context.events.state(jobID, next, reason: reason)
        if let mirror {
            switch next {
            case .completed: await mirror.finish(status: .finished)
            case .failed: await mirror.finish(status: .failed)
            case .stopped: await mirror.finish(status: .killed)
            default: await mirror.flush()
            }
        }
        if next.isTerminal { JobFiles.removeTrainingData(jobID: jobID, dataRoot: deps.settings.dataRoot) }
    }
}
