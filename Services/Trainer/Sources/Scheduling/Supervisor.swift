import Bus
import Contracts
import Foundation
import JSON
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Synchronization
import TrainerDomain

#if canImport(Glibc)
import Glibc
#endif

/// The trainer instance's work loop (a ServiceLifecycle service). Every
/// `TRAINER_POLL_MS`, or at once when woken, it:
/// 1. renews its leases (every TTL/3) and kills runs whose lease is gone;
/// 2. signals runs a user asked to stop (the request may have reached another instance);
/// 3. re-queues jobs of dead instances (no active lease left) to resume from their last checkpoint;
/// 4. prepares pending jobs (exports their split) and queues them;
/// 5. takes free devices for queued jobs (LeaseScheduler, rows locked with
///    FOR UPDATE SKIP LOCKED) and launches their runners.
/// The rows are the truth; this object only knows the runners it started.
public final class Supervisor: Service, Sendable {
    let context: JobRun.Context
    let inventory: DeviceInventory
    private let runs = Mutex<[Int64: JobRun]>([:])
    private let tasks = Mutex<[Int64: Task<Void, Never>]>([:])
    private let lastHeartbeat = Mutex<ContinuousClock.Instant>(.now)
    private let stopping = Atomic<Bool>(false)
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    /// How long a runner gets to checkpoint after SIGTERM before SIGKILL.
    static let stopGrace: Duration = .seconds(180)

    init(context: JobRun.Context, inventory: DeviceInventory) {
        self.context = context
        self.inventory = inventory
        (wakeStream, wakeContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    private var deps: ServiceDependencies { context.deps }
    private var logger: Logger { context.logger }
    private var holder: String { context.holder }

    /// Runs the loop now (after a create, a resume, a run's end).
    public func wake() { wakeContinuation.yield() }

    public func run() async throws {
        try await ServiceMain.retryingUntil(deps.settings.startupTimeout, logger: logger, what: "device inventory") {
            try await LeaseStore.report(inventory, instance: holder, on: deps.postgres, logger: logger)
        }
        logger.info("trainer ready", metadata: ["instance": "\(holder)", "devices": "\(inventory.ids.map(\.description).joined(separator: ","))"])
        let timer = Task { [wakeContinuation, poll = context.settings.pollInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: poll)
                wakeContinuation.yield()
            }
        }
        await withGracefulShutdownHandler {
            var nextBeat = ContinuousClock.now
            for await _ in wakeStream {
                if stopping.load(ordering: .relaxed) { break }
                if ContinuousClock.now >= nextBeat {
                    await heartbeat()
                    nextBeat = ContinuousClock.now + context.settings.heartbeatInterval
                }
                await step("stop requests", signalStops)
                await step("orphans", reclaimOrphans)
                await step("pending jobs", preparePending)
                await step("scheduling", schedule)
            }
        } onGracefulShutdown: { [self] in
            stopping.store(true, ordering: .relaxed)
            wakeContinuation.finish()
        }
        timer.cancel()
        await drain()
    }

    private func step(_ name: String, _ body: () async throws -> Void) async {
        do { try await body() } catch {
            logger.warning("supervisor step failed", metadata: ["step": "\(name)", "error": "\(String(reflecting: error))"])
        }
    }

    /// On shutdown: every runner checkpoints and its job goes back to the queue
    /// for another instance (or this one, restarted).
    private func drain() async {
        let active = runs.withLock { Array($0.values) }
        for run in active { run.shutdown() }
        let pending = tasks.withLock { Array($0.values) }
        for task in pending { await task.value }
        logger.info("trainer drained", metadata: ["runs": "\(active.count)"])
    }

    // MARK: - Leases

    private func heartbeat() async {
        let local = runs.withLock { $0.values.map { RunningJob(id: $0.jobID, devices: $0.devices) } }
        guard !local.isEmpty else {
            lastHeartbeat.withLock { $0 = .now }
            return
        }
        do {
            let held = try await LeaseStore.heartbeat(holder: holder, jobs: local.map(\.id), ttl: context.settings.leaseTTL, on: deps.postgres, logger: logger)
            lastHeartbeat.withLock { $0 = .now }
            for id in LeaseScheduler.lostJobs(running: local, leases: held, now: Date()) {
                logger.error("lease lost; killing the runner", metadata: ["job": "\(id)"])
                runs.withLock { $0[id] }?.leaseLost()
            }
        } catch {
            let since = lastHeartbeat.withLock { $0 }
            logger.error("heartbeat failed", metadata: ["error": "\(String(reflecting: error))"])
            // Past the TTL our leases are gone for everyone else: stop using the devices.
            if ContinuousClock.now - since > context.settings.leaseTTL {
                for run in runs.withLock({ Array($0.values) }) { run.leaseLost() }
            }
        }
    }

    private func signalStops() async throws {
        let local = runs.withLock { Set($0.keys) }
        guard !local.isEmpty else { return }
        for id in try await JobStore.stopRequests(owner: holder, on: deps.postgres, logger: logger) where local.contains(id) {
            runs.withLock { $0[id] }?.requestStop(escalateAfter: Self.stopGrace)
        }
    }

    /// Sends SIGTERM now when this instance runs the job (the stop handler's fast path).
    func stopLocally(_ id: Int64) {
        runs.withLock { $0[id] }?.requestStop(escalateAfter: Self.stopGrace)
    }

    private func reclaimOrphans() async throws {
        let reclaimed = try await deps.postgres.transaction(logger: logger) { connection -> [(Int64, JobState, String)] in
            var out: [(Int64, JobState, String)] = []
            for orphan in try await LeaseStore.lockOrphans(except: holder, on: connection, logger: logger) {
                let target = try orphan.state.applying(.leaseLost)
                let reason = "the lease of trainer \(orphan.owner.isEmpty ? "?" : orphan.owner) expired"
                    + (target == .queued ? "; resumes from its last checkpoint" : "; it was being stopped")
                if target == .queued {
                    try await JobStore.requeue(orphan.id, resumeFrom: "latest", reason: reason, keepAge: true, on: connection, logger: logger)
                } else {
                    try await JobStore.finish(orphan.id, state: target, reason: reason, on: connection, logger: logger)
                }
                try await LeaseStore.expire(job: orphan.id, on: connection, logger: logger)
                out.append((orphan.id, target, reason))
            }
            return out
        }
        for (id, state, reason) in reclaimed {
            logger.warning("re-queued a job of a dead trainer", metadata: ["job": "\(id)", "state": "\(state.rawValue)"])
            context.events.state(id, state, reason: reason)
            JobLog(path: (try? JobFiles.absolute(JobFiles.jobDir(id) + "/train.log", dataRoot: deps.settings.dataRoot).path) ?? "/dev/null")
                .write("warning", "[trainer] \(reason)")
        }
    }

    // MARK: - Queue

    /// pending → queued once the training data is exported.
    private func preparePending() async throws {
        for id in try await JobStore.pendingJobs(limit: 8, on: deps.postgres, logger: logger) { try await prepare(id) }
    }

    private func prepare(_ id: Int64) async throws {
        guard let job = try await JobStore.get(id, on: deps.postgres, logger: logger), job.state == .pending else { return }
        do {
            let files = try await JobFiles.exportSplit(job, bus: deps.bus)
            let queued = try await deps.postgres.transaction(logger: logger) { connection -> Bool in
                guard let state = try await JobStore.lockState(id, on: connection, logger: logger), state == .pending else { return false }
                _ = try state.applying(.enqueue)
                try await JobStore.markQueued(id, trainFile: files.train, valFile: files.val, on: connection, logger: logger)
                return true
            }
            if queued { context.events.state(id, .queued, reason: "waiting for a device") }
        } catch let error as BusError where [.unavailable, .deadlineExceeded].contains(error.code) {
            logger.warning("dataset service unavailable; the job stays pending", metadata: ["job": "\(id)", "error": "\(error)"])
        } catch let error as BusError {
            try await fail(id, from: [.pending], reason: "its training data could not be prepared: \(error.message)", field: "dataset_id")
        }
    }

    /// Marks a job failed (when still in one of `states`), releasing any lease it holds here.
    func fail(_ id: Int64, from states: Set<JobState>, reason: String, field: String? = nil) async throws {
        let failed = try await deps.postgres.transaction(logger: logger) { connection -> Bool in
            guard let state = try await JobStore.lockState(id, on: connection, logger: logger), states.contains(state) else { return false }
            _ = try state.applying(.fail)
            try await JobStore.finish(id, state: .failed, reason: reason, errorMessage: reason, errorField: field, on: connection, logger: logger)
            try await LeaseStore.release(job: id, holder: holder, reason: "failed", on: connection, logger: logger)
            return true
        }
        if failed {
            context.events.state(id, .failed, reason: reason)
            JobFiles.removeTrainingData(jobID: id, dataRoot: deps.settings.dataRoot)
        }
    }

    private func schedule() async throws {
        guard !stopping.load(ordering: .relaxed) else { return }
        let ids = inventory.ids
        let known = Set(try await LeaseStore.knownDevices(on: deps.postgres, logger: logger))
        let (starts, impossible) = try await deps.postgres.transaction(logger: logger) { connection -> ([SchedulePlan.Start], [(jobID: Int64, reason: String)]) in
            let locked = try await LeaseStore.lockLeases(ids, on: connection, logger: logger)
            let lockedIDs = Set(locked.map(\.device))
            // Rows another pass holds count as busy for this one.
            let leases = locked.filter(\.active).map { Lease(device: $0.device, jobID: $0.jobID ?? -1, expiresAt: .distantFuture) }
                + ids.filter { !lockedIDs.contains($0) }.map { Lease(device: $0, jobID: -1, expiresAt: .distantFuture) }
            if LeaseScheduler.freeDevices(inventory: ids, leases: leases, now: Date()).isEmpty { return ([], []) }
            let queue = try await LeaseStore.lockQueue(limit: 200, on: connection, logger: logger)
            if queue.isEmpty { return ([], []) }
            let plan = LeaseScheduler.plan(inventory: ids, leases: leases, queue: queue, now: Date())
            for start in plan.starts {
                try await LeaseStore.grant(job: start.jobID, devices: start.devices, holder: holder, ttl: context.settings.leaseTTL, on: connection, logger: logger)
            }
            // Unsatisfiable here may still suit another instance's devices: only
            // what no reported device can serve fails.
            let requests = Dictionary(queue.map { ($0.id, $0.request) }, uniquingKeysWith: { a, _ in a })
            let impossible = plan.unsatisfiable.compactMap { item -> (jobID: Int64, reason: String)? in
                guard let request = requests[item.jobID], let reason = LeaseScheduler.unsatisfiableReason(request, inventory: known) else { return nil }
                return (item.jobID, reason)
            }
            return (plan.starts, impossible)
        }
        for item in impossible {
            try await fail(item.jobID, from: [.queued], reason: "no device can run it: \(item.reason)", field: "gpu_ids")
        }
        for start in starts {
            do {
                try await launch(start.jobID, devices: start.devices)
            } catch {
                logger.error("could not launch a runner", metadata: ["job": "\(start.jobID)", "error": "\(String(reflecting: error))"])
                try? await fail(start.jobID, from: [.running], reason: "the runner could not be started: \(error)")
            }
        }
    }

    // MARK: - Launch

    private func launch(_ id: Int64, devices: [DeviceID]) async throws {
        guard let job = try await JobStore.get(id, on: deps.postgres, logger: logger) else { return }
        let spec = try job.spec()
        let root = deps.settings.dataRoot
        let model = try JobFiles.modelFolder(spec.baseModel, settings: context.settings, dataRoot: root)
        var train = job.trainFile, val = job.valFile
        let trainMissing = train.map { (try? JobFiles.absolute($0, dataRoot: root)).map { !FileManager.default.fileExists(atPath: $0.path) } ?? true } ?? true
        if trainMissing {
            let files = try await JobFiles.exportSplit(job, bus: deps.bus)
            (train, val) = (files.train, files.val)
            try await JobStore.setTrainingFiles(id, trainFile: files.train, valFile: files.val, on: deps.postgres, logger: logger)
        }
        let output = try JobFiles.absolute(job.proto.outputDir, dataRoot: root)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let paths = JobPaths(baseModel: model.path, trainFile: try JobFiles.absolute(train ?? "", dataRoot: root).path,
                             valFile: try val.map { try JobFiles.absolute($0, dataRoot: root).path }, outputDir: output.path)
        let resume: String? = switch job.proto.resumeFrom {
        case "": nil
        case "latest": "latest"
        case let path: try JobFiles.absolute(path, dataRoot: root).path
        }
        let specFile = try JobFiles.absolute(JobFiles.specFile(id), dataRoot: root)
        try RunnerJobFile.data(jobID: RunnerJobFile.jobID(id), spec: spec, paths: paths, resumeFrom: resume).write(to: specFile, options: .atomic)

        var environment = ProcessInfo.processInfo.environment
        environment["CUDA_VISIBLE_DEVICES"] = DeviceID.cudaVisibleDevices(devices)
        environment["PYTHONUNBUFFERED"] = "1"
        environment["TOKENIZERS_PARALLELISM"] = "false"
        environment["MLOPS_JOB_ID"] = RunnerJobFile.jobID(id)
        if devices.allSatisfy({ $0.kind == .cpu }) {
            let threads = String(context.settings.cpuThreads * devices.count)
            environment["OMP_NUM_THREADS"] = threads
            environment["MKL_NUM_THREADS"] = threads
        }
        let logPath = try JobFiles.absolute(job.proto.logsPath, dataRoot: root).path
        let log = JobLog(path: logPath)
        let attempt = job.proto.attempts
        log.write("info", "[trainer] attempt \(attempt) on \(devices.map(\.description).joined(separator: ",")) by \(holder)"
                  + (resume.map { ", resuming from \($0 == "latest" ? "the latest checkpoint" : $0)" } ?? ""))
        let process = try RunnerProcess(executable: context.settings.mlPython, arguments: RunnerJobFile.arguments(specPath: specFile.path),
                                        environment: environment, stderrPath: logPath)
        let mirror = context.settings.mlflowTrackingURI.map {
            MLflowMirror(client: MLflowClient(trackingURI: $0), experiment: context.settings.mlflowExperiment, logger: logger)
        }
        let open = mirror.map { mirror in { @Sendable [self] in await openMirror(mirror, job: job, spec: spec, devices: devices) } }
        let run = JobRun(jobID: id, devices: devices, process: process, log: log, mirror: mirror, openMirror: open, context: context)
        runs.withLock { $0[id] = run }
        context.events.state(id, .running, reason: "running on \(devices.map(\.description).joined(separator: ", "))")
        let task = Task { [self] in
            await run.supervise()
            runs.withLock { _ = $0.removeValue(forKey: id) }
            tasks.withLock { _ = $0.removeValue(forKey: id) }
            wake()
        }
        tasks.withLock { $0[id] = task }
    }

    private func openMirror(_ mirror: MLflowMirror, job: StoredJob, spec: JobSpec, devices: [DeviceID]) async {
        var params: [String: String] = [
            "method": spec.method.rawValue, "base_model": spec.baseModel, "dataset_id": String(spec.datasetID),
            "dataset_version": job.proto.datasetVersion,
        ]
        for (key, value) in spec.hyperparameters.jsonObject where !value.isNull {
            params[key] = value.stringValue ?? value.serialized
        }
        let tags = ["mlops.job_id": String(job.id), "mlops.job_name": job.proto.jobName, "mlops.created_by": job.proto.createdBy,
                    "mlops.devices": devices.map(\.description).joined(separator: ",")]
        let existing = job.proto.mlflowRunID.isEmpty ? nil : job.proto.mlflowRunID
        // A resumed job logs into its existing run (params were logged the first time). The
        // run may be created later than this, by a flush once MLflow answers.
        let deps = deps, logger = logger, jobID = job.id
        await mirror.start(runName: job.proto.jobName, existingRunID: existing, params: existing == nil ? params : [:], tags: tags) { runID in
            do {
                try await JobStore.setMLflowRun(jobID, runID: runID, on: deps.postgres, logger: logger)
            } catch {
                logger.warning("could not save the job's mlflow run id", metadata: ["job": "\(jobID)", "error": "\(String(reflecting: error))"])
            }
        }
    }
}
