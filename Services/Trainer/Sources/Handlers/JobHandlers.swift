import Bus
import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import TrainerDomain

/// Fine-tuning jobs: create, get, list, stop, resume, logs, metrics,
/// checkpoints, the Axolotl export, and the device inventory.
struct JobHandlers: Sendable {
    let deps: ServiceDependencies
    let settings: TrainerSettings
    let supervisor: Supervisor
    let events: JobEvents

    func create(_ request: Mlops_V1_Trainer_CreateJobRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_Job {
        if let stored = try await deps.idempotency.storedResponse(context, request: request, as: Mlops_V1_Trainer_Job.self) {
            return stored
        }
        let spec = try JobRequests.spec(request)
        _ = try JobFiles.modelFolder(spec.baseModel, settings: settings, dataRoot: deps.settings.dataRoot)
        let known = try await LeaseStore.knownDevices(on: deps.postgres, logger: context.logger)
        if let reason = LeaseScheduler.unsatisfiableReason(spec.devices, inventory: Set(known)) {
            if case .ids = spec.devices { throw BusError.invalidArgument(field: "gpu_ids", reason) }
            throw BusError.invalidArgument(field: "gpu_count", reason)
        }
        let caller = CallerContext(context)
        let version = try await trainingVersion(spec, for: caller)
        let subject = request.createdBy.isEmpty ? context.subject : request.createdBy
        let job = try await deps.idempotency.once(context, request: request) { connection in
            let new = JobStore.NewJob(spec: spec, datasetVersion: version, createdBy: subject, caller: caller, jobsDir: JobFiles.jobsDir)
            guard let stored = try await JobStore.insert(new, on: connection, logger: context.logger) else {
                throw BusError.alreadyExists("a fine-tuning job named '\(spec.jobName)' already exists")
            }
            return stored.proto
        }
        events.state(job.id, .pending, reason: "created")
        supervisor.wake()
        return job
    }

    /// The dataset version to train on (TrainingVersion), from the dataset service.
    private func trainingVersion(_ spec: JobSpec, for caller: CallerContext) async throws -> String {
        var request = Mlops_V1_Dataset_ListVersionsRequest()
        request.datasetID = spec.datasetID
        let versions: [Mlops_V1_Dataset_DatasetVersion]
        do {
            versions = try await deps.bus.call(DatasetMethods.listVersions, request, for: caller).items
        } catch let error as BusError where error.code == .notFound {
            throw BusError.invalidArgument(field: "dataset_id", "dataset \(spec.datasetID) does not exist")
        }
        let summaries = versions.map {
            DatasetVersionSummary(id: $0.id, version: $0.version, hasSplit: $0.hasSplit_p, trainSamples: $0.trainSamples, valSamples: $0.valSamples)
        }
        do {
            return try TrainingVersion.choose(for: spec, from: summaries).version
        } catch {
            throw BusError.invalidArgument(field: error.field, error.message)
        }
    }

    func get(_ request: Mlops_V1_Trainer_GetJobRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_Job {
        try await JobStore.require(try FieldChecks.id(request.id, field: "id"), on: deps.postgres, logger: context.logger).proto
    }

    func list(_ request: Mlops_V1_Trainer_ListJobsRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_ListJobsReply {
        let query = try JobRequests.list(request)
        let (items, total) = try await JobStore.list(status: query.status?.rawValue, datasetId: query.datasetId, datasetVersion: query.datasetVersion, skip: query.skip, limit: query.limit, on: deps.postgres, logger: context.logger)
        var reply = Mlops_V1_Trainer_ListJobsReply()
        reply.items = items.map(\.proto)
        reply.total = total
        return reply
    }

    func stop(_ request: Mlops_V1_Trainer_StopJobRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_Job {
        let id = try FieldChecks.id(request.id, field: "id")
        let logger = context.logger
        let target = try await deps.postgres.transaction(logger: logger) { connection -> JobState in
            guard let state = try await JobStore.lockState(id, on: connection, logger: logger) else {
                throw BusError.notFound("fine-tuning job \(id) not found")
            }
            let next: JobState
            do { next = try state.applying(.requestStop) } catch { throw BusError.failedPrecondition("\(error)") }
            switch next {
            case .stopping where state == .running: try await JobStore.markStopping(id, on: connection, logger: logger)
            case .stopped: try await JobStore.finish(id, state: .stopped, reason: "stopped by request before it ran", on: connection, logger: logger)
            default: break
            }
            return next
        }
        if target == .stopping {
            supervisor.stopLocally(id)
            supervisor.wake()
            events.state(id, .stopping, reason: "stop requested: saving a checkpoint")
        } else if target == .stopped {
            events.state(id, .stopped, reason: "stopped by request before it ran")
            JobFiles.removeTrainingData(jobID: id, dataRoot: deps.settings.dataRoot)
        }
        return try await JobStore.require(id, on: deps.postgres, logger: logger).proto
    }

    func resume(_ request: Mlops_V1_Trainer_ResumeJobRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_Job {
        let (id, checkpointID) = try JobRequests.resume(request)
        let logger = context.logger
        let checkpoints = try await JobStore.checkpoints(id, on: deps.postgres, logger: logger)
        var from = "latest"
        var reason = "resumed from its latest checkpoint"
        if let checkpointID {
            guard let checkpoint = checkpoints.first(where: { $0.id == checkpointID }) else {
                throw BusError.invalidArgument(field: "checkpoint_id", "job \(id) has no checkpoint \(checkpointID)"
                                               + (checkpoints.isEmpty ? "" : " (it has \(checkpoints.map { String($0.id) }.joined(separator: ", ")))"))
            }
            guard (try? JobFiles.absolute(checkpoint.filePath, dataRoot: deps.settings.dataRoot)).map({ FileManager.default.fileExists(atPath: $0.path) }) == true else {
                throw BusError.failedPrecondition("checkpoint \(checkpoint.id) (\(checkpoint.checkpointName)) is no longer on disk")
            }
            from = checkpoint.filePath
            reason = "resumed from \(checkpoint.checkpointName) (step \(checkpoint.step))"
        }
        try await deps.postgres.transaction(logger: logger) { connection in
            guard let state = try await JobStore.lockState(id, on: connection, logger: logger) else {
                throw BusError.notFound("fine-tuning job \(id) not found")
            }
            do { _ = try state.applying(.resume) } catch { throw BusError.failedPrecondition("\(error)") }
            try await JobStore.requeue(id, resumeFrom: from, reason: reason, keepAge: false, caller: CallerContext(context), on: connection, logger: logger)
        }
        events.state(id, .queued, reason: reason)
        supervisor.wake()
        return try await JobStore.require(id, on: deps.postgres, logger: logger).proto
    }

    func logs(_ request: Mlops_V1_Trainer_GetLogsRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_GetLogsReply {
        let (id, lines) = try JobRequests.logs(request)
        let job = try await JobStore.require(id, on: deps.postgres, logger: context.logger)
        let path = try JobFiles.absolute(job.proto.logsPath, dataRoot: deps.settings.dataRoot).path
        var reply = Mlops_V1_Trainer_GetLogsReply()
        reply.lines = try JobLog.tail(path: path, count: lines)
        return reply
    }

    func metrics(_ request: Mlops_V1_Trainer_GetMetricsRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_GetMetricsReply {
        let id = try await JobStore.require(try FieldChecks.id(request.id, field: "id"), on: deps.postgres, logger: context.logger).id
        var reply = Mlops_V1_Trainer_GetMetricsReply()
        reply.points = try await JobStore.metrics(id, on: deps.postgres, logger: context.logger)
        return reply
    }

    func checkpoints(_ request: Mlops_V1_Trainer_ListCheckpointsRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_ListCheckpointsReply {
        let id = try await JobStore.require(try FieldChecks.id(request.id, field: "id"), on: deps.postgres, logger: context.logger).id
        var reply = Mlops_V1_Trainer_ListCheckpointsReply()
        reply.items = try await JobStore.checkpoints(id, on: deps.postgres, logger: context.logger)
        return reply
    }

    func axolotl(_ request: Mlops_V1_Trainer_AxolotlConfigRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_AxolotlConfigReply {
        let job = try await JobStore.require(try FieldChecks.id(request.id, field: "id"), on: deps.postgres, logger: context.logger)
        let root = deps.settings.dataRoot
        let spec = try job.spec()
        // Paths relative to DATA_ROOT (run axolotl from there): viewers see no server paths.
        let dataRoot = DataRoot(root)
        func shown(_ url: URL) -> String { dataRoot.relative(url.path) ?? url.lastPathComponent }
        let model = (try? JobFiles.modelFolder(spec.baseModel, settings: settings, dataRoot: root)).map(shown) ?? spec.baseModel
        let paths = JobPaths(
            baseModel: model,
            trainFile: shown(try JobFiles.absolute(job.trainFile ?? JobFiles.trainFile(job.id), dataRoot: root)),
            valFile: try job.valFile.map { shown(try JobFiles.absolute($0, dataRoot: root)) },
            outputDir: shown(try JobFiles.absolute(job.proto.outputDir, dataRoot: root))
        )
        var reply = Mlops_V1_Trainer_AxolotlConfigReply()
        reply.yaml = AxolotlConfig.render(spec, paths: paths)
        return reply
    }

    func devices(_ request: Mlops_V1_Trainer_ListDevicesRequest, _ context: BusContext) async throws -> Mlops_V1_Trainer_ListDevicesReply {
        var reply = Mlops_V1_Trainer_ListDevicesReply()
        reply.devices = try await LeaseStore.devices(on: deps.postgres, logger: context.logger)
        return reply
    }
}
