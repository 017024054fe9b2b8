import Bus
import Contracts
import DatasetDomain
import Foundation
import JSON
import ServiceKit

/// Datasets: create (ingest), get, list, status, versions, diff, stats, report.
struct DatasetHandlers: Sendable {
    let deps: ServiceDependencies
    let settings: DatasetSettings

    func create(_ request: Mlops_V1_Dataset_CreateDatasetRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_CreateDatasetReply {
        if let stored = try await deps.idempotency.storedResponse(context, request: request, as: Mlops_V1_Dataset_CreateDatasetReply.self) {
            return stored
        }
        let upload = try DatasetUpload(validating: request, maxRecordBytes: settings.maxRecordBytes, blobs: deps.blobs)
        let outcome = try await UploadIngest(deps: deps, settings: settings).run(upload, logger: context.logger)
        let reply = try await deps.idempotency.once(context, request: request) { connection in
            try await UploadStore.record(upload, outcome, on: connection, logger: context.logger)
        }
        // The plaintext upload goes once its encrypted version (or its rejection) is committed.
        if !upload.keepSource { try? deps.blobs.remove(upload.source) }
        return reply
    }

    func get(_ request: Mlops_V1_Dataset_GetDatasetRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_Dataset {
        let id = try Fields.id(request.id, field: "id")
        guard let dataset = try await DatasetStore.dataset(id: id, on: deps.postgres, logger: context.logger) else {
            throw BusError.notFound("dataset \(id) not found")
        }
        return dataset
    }

    func list(_ request: Mlops_V1_Dataset_ListDatasetsRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ListDatasetsReply {
        let query = try DatasetListQuery(validating: request)
        let (items, total) = try await DatasetStore.list(status: query.status, search: query.search, skip: query.skip, limit: query.limit,
                                                          on: deps.postgres, logger: context.logger)
        var reply = Mlops_V1_Dataset_ListDatasetsReply()
        reply.items = items
        reply.total = total
        return reply
    }

    func update(_ request: Mlops_V1_Dataset_UpdateDatasetRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_Dataset {
        let update = try DatasetUpdate(validating: request)
        let id = update.id
        return try await deps.idempotency.once(context, request: request) { connection in
            guard try await DatasetStore.updateStatus(id: id, status: update.status, description: update.description, on: connection, logger: context.logger) else {
                if try await DatasetStore.lockDataset(id, on: connection, logger: context.logger) == .rejected {
                    throw BusError.failedPrecondition("dataset \(id) was rejected at upload; its status cannot change")
                }
                throw BusError.notFound("dataset \(id) not found")
            }
            guard let dataset = try await DatasetStore.dataset(id: id, on: connection, logger: context.logger) else {
                throw BusError.internal("dataset \(id) vanished")
            }
            return dataset
        }
    }

    func versions(_ request: Mlops_V1_Dataset_ListVersionsRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ListVersionsReply {
        let id = try Fields.id(request.datasetID, field: "dataset_id")
        guard try await DatasetStore.dataset(id: id, on: deps.postgres, logger: context.logger) != nil else {
            throw BusError.notFound("dataset \(id) not found")
        }
        var reply = Mlops_V1_Dataset_ListVersionsReply()
        reply.items = try await DatasetStore.versions(datasetId: id, on: deps.postgres, logger: context.logger).map(\.proto)
        return reply
    }

    func diff(_ request: Mlops_V1_Dataset_DiffRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_DiffReply {
        let id = try Fields.id(request.datasetID, field: "dataset_id")
        guard !request.fromVersion.isEmpty else { throw BusError.invalidArgument(field: "from_version", "is required") }
        guard !request.toVersion.isEmpty else { throw BusError.invalidArgument(field: "to_version", "is required") }
        guard (0...50).contains(request.sampleLimit) else { throw BusError.invalidArgument(field: "sample_limit", "must be 0 to 50") }
        var fromRef = Mlops_V1_Dataset_VersionRef(), toRef = Mlops_V1_Dataset_VersionRef()
        fromRef.datasetID = id; fromRef.version = request.fromVersion
        toRef.datasetID = id; toRef.version = request.toVersion
        let from = try await DatasetStore.version(fromRef, on: deps.postgres, logger: context.logger)
        let to = try await DatasetStore.version(toRef, on: deps.postgres, logger: context.logger)
        let limit = request.sampleLimit == 0 ? 5 : Int(request.sampleLimit)
        let blobs = deps.blobs, key = settings.key
        let output = try await runOnThread { try VersionDiff(sampleLimit: limit).run(blobs: blobs, from: from.blobSHA256, to: to.blobSHA256, key: key) }
        var reply = Mlops_V1_Dataset_DiffReply()
        reply.from = from.proto
        reply.to = to.proto
        reply.added = Int64(output.added)
        reply.removed = Int64(output.removed)
        reply.changed = Int64(output.changed)
        reply.unchanged = Int64(output.unchanged)
        reply.addedSamplesJson = "[" + output.addedSamples.joined(separator: ",") + "]"
        reply.removedSamplesJson = "[" + output.removedSamples.joined(separator: ",") + "]"
        var changed = JSONWriter()
        changed.beginArray()
        for sample in output.changedSamples {
            changed.beginObject()
            changed.key("id"); changed.string(sample.id)
            changed.key("before"); changed.raw(sample.before)
            changed.key("after"); changed.raw(sample.after)
            changed.endObject()
        }
        changed.endArray()
        reply.changedSamplesJson = changed.string
        return reply
    }

    func stats(_ request: Mlops_V1_Dataset_StatsRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_StatsReply {
        let version = try await DatasetStore.version(request.ref, on: deps.postgres, logger: context.logger)
        var statsJSON = try await DatasetStore.stats(versionId: version.id, on: deps.postgres, logger: context.logger) ?? "{}"
        if !request.tokenizerPath.isEmpty {
            let tokenizer: URL
            do { tokenizer = try DataRoot(deps.settings.dataRoot).resolve(request.tokenizerPath) } catch {
                throw BusError.invalidArgument(field: "tokenizer", "\(error)")
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: tokenizer.path, isDirectory: &isFolder), isFolder.boolValue else {
                throw BusError.invalidArgument(field: "tokenizer", "no tokenizer folder '\(request.tokenizerPath)' inside DATA_ROOT")
            }
            // Refused before seconds of decrypting and starting Python: a folder without a tokenizer's files.
            let markers = ["tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json", "vocab.txt", "spiece.model"]
            guard markers.contains(where: { FileManager.default.fileExists(atPath: tokenizer.appendingPathComponent($0).path) }) else {
                throw BusError.invalidArgument(field: "tokenizer", "'\(request.tokenizerPath)' holds no tokenizer (none of \(markers.joined(separator: ", ")))")
            }
            let blobs = deps.blobs, key = settings.key
            let plain = deps.blobs.stagingURL().appendingPathExtension("jsonl")
            defer { try? FileManager.default.removeItem(at: plain) }
            _ = try await runOnThread { try Export.plaintext(blobs: blobs, blobSHA256: version.blobSHA256, key: key, to: plain) }
            let tokens = try await MLRuntime(python: settings.mlPython, dataRoot: DataRoot(deps.settings.dataRoot), logger: context.logger).tokenStats(tokenizer: tokenizer, input: plain)
            statsJSON = mergeJSON(statsJSON, key: "tokens_real", valueJSON: tokens)
        }
        var reply = Mlops_V1_Dataset_StatsReply()
        reply.version = version.proto
        reply.statsJson = statsJSON
        return reply
    }

    func report(_ request: Mlops_V1_Dataset_ReportRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ReportReply {
        let format = request.format.isEmpty ? "html" : request.format
        guard format == "html" || format == "json" else { throw BusError.invalidArgument(field: "format", "must be html or json") }
        let version = try await DatasetStore.version(request.ref, on: deps.postgres, logger: context.logger)
        guard let dataset = try await DatasetStore.dataset(id: version.proto.datasetID, on: deps.postgres, logger: context.logger) else {
            throw BusError.notFound("dataset \(version.proto.datasetID) not found")
        }
        let stats = try await DatasetStore.stats(versionId: version.id, on: deps.postgres, logger: context.logger) ?? "{}"
        let checks = try await QualityStore.latest(versionId: version.id, on: deps.postgres, logger: context.logger)
        var reply = Mlops_V1_Dataset_ReportReply()
        if format == "json" {
            reply.contentType = "application/json"
            reply.body = Data(ReportJSON.body(dataset: dataset, version: version.proto, statsJSON: stats, checks: checks))
        } else {
            reply.contentType = "text/html; charset=utf-8"
            reply.body = Data(ReportPage(dataset: dataset, version: version.proto, statsJSON: stats, checks: checks).render().utf8)
        }
        return reply
    }

    func qualityChecks(_ request: Mlops_V1_Dataset_ListQualityChecksRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ListQualityChecksReply {
        let version = try await DatasetStore.version(request.ref, on: deps.postgres, logger: context.logger)
        var reply = Mlops_V1_Dataset_ListQualityChecksReply()
        reply.items = try await QualityStore.latest(versionId: version.id, on: deps.postgres, logger: context.logger)
        return reply
    }
}
