import Bus
import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import JSON
import NIOCore

/// /api/v1/admin/finetuning/jobs… and /api/v1/admin/gpus: fine-tuning jobs on
/// the trainer service (seed 003 §6.2), with live events as Server-Sent Events.
struct JobRoutes {
    let calls: BusCalls
    let hub: JobEventHub
    let maxBodyBytes: Int
    /// How often an idle event stream re-checks its job (a dropped final event
    /// still ends the stream) and sends a keep-alive comment.
    var idleCheck: Duration = .seconds(5)

    static let base = "/api/v1/admin/finetuning/jobs"

    func register(_ table: RouteTable) {
        table.add(JobSpecs.create, create)
        table.add(JobSpecs.list, list)
        table.add(JobSpecs.get, get)
        table.add(JobSpecs.stop, stop)
        table.add(JobSpecs.resume, resume)
        table.add(JobSpecs.logs, logs)
        table.add(JobSpecs.metrics, metrics)
        table.add(JobSpecs.checkpoints, checkpoints)
        table.add(JobSpecs.events, events)
        table.add(JobSpecs.axolotl, axolotl)
        table.add(JobSpecs.gpus, gpus)
    }

    private func jobResponse(_ job: Mlops_V1_Trainer_Job, status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter(capacity: 2048)
        JobJSON.write(job, into: &writer)
        return jsonResponse(writer, status: status)
    }

    /// The body is the seed's FinetuningJobRequest; the trainer validates every
    /// field (TrainerDomain.JobSpecValidation) and names each bad one.
    @Sendable func create(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Trainer_CreateJobRequest()
        message.specJson = try await Body.objectText(request, limit: maxBodyBytes)
        message.createdBy = try context.caller().subject
        let job = try await calls.call(TrainerMethods.createJob, message, request, context)
        context.audit?.resource = "finetuning/jobs/\(job.id)"
        return jobResponse(job, status: .created)
    }

    @Sendable func list(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, JobSpecs.list)
        var message = Mlops_V1_Trainer_ListJobsRequest()
        message.status = query.choice("status").flatMap(Mlops_V1_Trainer_JobStatus.init(name:)) ?? .unspecified
        message.datasetID = Int64(query.int("dataset_id") ?? 0)
        message.datasetVersion = query.string("dataset_version") ?? ""
        let page = query.page()
        try query.finish()
        message.skip = Int32(page.skip)
        message.limit = Int32(page.limit)
        let reply = try await calls.call(TrainerMethods.listJobs, message, request, context)
        return ListEnvelope.response(reply.items, total: reply.total, page: page, bytesPerItem: 1500) { JobJSON.write($0, into: &$1) }
    }

    @Sendable func get(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Trainer_GetJobRequest()
        message.id = try pathId(context)
        return jobResponse(try await calls.call(TrainerMethods.getJob, message, request, context))
    }

    @Sendable func stop(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Trainer_StopJobRequest()
        message.id = try pathId(context)
        context.audit?.resource = "finetuning/jobs/\(message.id)"
        return jobResponse(try await calls.call(TrainerMethods.stopJob, message, request, context))
    }

    /// Body (optional): `{"checkpoint_id": N}`; also accepted as `?checkpoint_id=N` (the seed's spelling).
    @Sendable func resume(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Trainer_ResumeJobRequest()
        message.id = try pathId(context)
        var query = QueryReader(request, JobSpecs.resume)
        let fromQuery = query.int("checkpoint_id")
        try query.finish()
        var body = try await Body.object(request, limit: maxBodyBytes, allowEmpty: true)
        body.rejectUnknown(["checkpoint_id"])
        let fromBody = body.int("checkpoint_id", range: 1...Int64.max)
        try body.finish()
        message.checkpointID = fromBody ?? fromQuery.map(Int64.init) ?? 0
        context.audit?.resource = "finetuning/jobs/\(message.id)"
        return jobResponse(try await calls.call(TrainerMethods.resumeJob, message, request, context))
    }

    @Sendable func logs(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Trainer_GetLogsRequest()
        message.id = try pathId(context)
        var query = QueryReader(request, JobSpecs.logs)
        message.lines = Int32(query.int("lines") ?? 0)
        try query.finish()
        let reply = try await calls.call(TrainerMethods.getLogs, message, request, context)
        var writer = JSONWriter(capacity: 256 + reply.lines.reduce(0) { $0 + $1.utf8.count + 8 })
        writer.beginObject()
        writer.key("job_id"); writer.int(message.id)
        writer.key("lines"); writer.strings(reply.lines)
        writer.endObject()
        return jsonResponse(writer)
    }

    @Sendable func metrics(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Trainer_GetMetricsRequest()
        message.id = try pathId(context)
        let reply = try await calls.call(TrainerMethods.getMetrics, message, request, context)
        var writer = JSONWriter(capacity: 256 + reply.points.count * 300)
        writer.beginObject()
        writer.key("job_id"); writer.int(message.id)
        writer.key("points")
        writer.beginArray()
        for point in reply.points { JobJSON.writePoint(point, into: &writer) }
        writer.endArray()
        writer.endObject()
        return jsonResponse(writer)
    }

    @Sendable func checkpoints(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Trainer_ListCheckpointsRequest()
        message.id = try pathId(context)
        var query = QueryReader(request, JobSpecs.checkpoints)
        let page = query.page()
        try query.finish()
        let reply = try await calls.call(TrainerMethods.listCheckpoints, message, request, context)
        return ListEnvelope.paged(reply.items, page: page, bytesPerItem: 400) { JobJSON.writeCheckpoint($0, into: &$1) }
    }

    @Sendable func axolotl(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Trainer_AxolotlConfigRequest()
        message.id = try pathId(context)
        let reply = try await calls.call(TrainerMethods.axolotlConfig, message, request, context)
        return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: reply.yaml)))
    }

    @Sendable func gpus(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let reply = try await calls.call(TrainerMethods.listDevices, Mlops_V1_Trainer_ListDevicesRequest(), request, context)
        var writer = JSONWriter(capacity: 256 + reply.devices.count * 400)
        writer.beginObject()
        writer.key("devices")
        writer.beginArray()
        for device in reply.devices { JobJSON.writeDevice(device, into: &writer) }
        writer.endArray()
        writer.endObject()
        return jsonResponse(writer)
    }

    /// Server-Sent Events: `snapshot` (the job), then `log`, `progress`,
    /// `metrics`, `checkpoint` and `state` as they happen, each with an `id`;
    /// the stream ends after a state event with a final status. Subscribed
    /// before the snapshot is read, so nothing between the two is missed. A
    /// client reconnecting with `Last-Event-ID` gets the events it missed
    /// instead of a snapshot, while the gateway still keeps them.
    @Sendable func events(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try pathId(context)
        let options = try calls.options(for: TrainerMethods.getJob, request, context)
        let lastEventID = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        let (watch, missed) = hub.watch(job: id, idleEvery: idleCheck, after: lastEventID)
        var message = Mlops_V1_Trainer_GetJobRequest()
        message.id = id
        let job: Mlops_V1_Trainer_Job
        do {
            job = try await calls.bus.call(TrainerMethods.getJob, message, options: options)
        } catch {
            watch.end()
            throw error
        }
        let calls = self.calls, lookup = message
        var opening = "retry: 2000\n"
        var sentThrough = lastEventID ?? 0
        var ended = false
        if let missed {
            for event in missed where !ended {
                opening += Self.frame(event)
                sentThrough = event.id
                ended = Self.isFinalState(event)
            }
            // The job ended but its final event was dropped (pub/sub may): say so now,
            // not at the next idle check.
            if !ended, job.status.isTerminal {
                opening += Self.finalStateFrame(job, id: id)
                ended = true
            }
        } else {
            var snapshot = JSONWriter(capacity: 2048)
            JobJSON.write(job, into: &snapshot)
            opening += Self.frame("snapshot", String(buffer: snapshot.buffer))
            ended = job.status.isTerminal
        }
        let first = opening, alreadyEnded = ended, replayedThrough = sentThrough
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: ResponseBody { writer in
                defer { watch.end() }
                try await writer.write(ByteBuffer(string: first))
                if alreadyEnded {
                    try await writer.finish(nil)
                    return
                }
                for await item in watch.messages {
                    switch item {
                    case .event(let event):
                        // Replayed already (the watch began before the replay was read).
                        if event.id <= replayedThrough { continue }
                        try await writer.write(ByteBuffer(string: Self.frame(event)))
                        if Self.isFinalState(event) {
                            try await writer.finish(nil)
                            return
                        }
                    case .idle:
                        // A dropped final event must not leave the client waiting forever.
                        let now = try? await calls.bus.call(TrainerMethods.getJob, lookup, options: options)
                        if let now, now.status.isTerminal {
                            try await writer.write(ByteBuffer(string: Self.finalStateFrame(now, id: id)))
                            try await writer.finish(nil)
                            return
                        }
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try await writer.finish(nil)
            }
        )
    }

    static func frame(_ event: JobEventHub.Event) -> String {
        "id: \(event.id)\n" + frame(event.kind, event.json)
    }

    /// A `state` event for a job found ended by asking the trainer.
    private static func finalStateFrame(_ job: Mlops_V1_Trainer_Job, id: Int64) -> String {
        var state = JSONWriter(capacity: 256)
        state.beginObject()
        state.key("job_id"); state.int(id)
        state.key("status"); state.stringOrNull(job.status.name ?? "")
        state.key("reason"); state.string(job.statusReason)
        state.endObject()
        return frame("state", String(buffer: state.buffer))
    }

    private static func isFinalState(_ event: JobEventHub.Event) -> Bool {
        event.kind == "state" && status(in: event.json).flatMap(Mlops_V1_Trainer_JobStatus.init(name:))?.isTerminal == true
    }

    static func frame(_ kind: String, _ json: String) -> String {
        "event: \(kind)\ndata: \(json)\n\n"
    }

    private static func status(in json: String) -> String? {
        (try? JSONValue.parse(json))?["status"]?.stringValue
    }
}
