import Bus
import Contracts
import DatasetDomain
import Foundation
import PostgresNIO
import ServiceKit

/// Datasets: create (ingest), get, list, status, versions, diff, stats, report.
struct DatasetHandlers: Sendable {
    let deps: ServiceDependencies
    let settings: DatasetSettings

    static let statuses: Set<String> = ["active", "deprecated", "archived"]

    func create(_ request: Mlops_V1_Dataset_CreateDatasetRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_CreateDatasetReply {
        if let stored = try await deps.idempotency.storedResponse(context, request: request, as: Mlops_V1_Dataset_CreateDatasetReply.self) {
            return stored
        }
        let isNewDataset = request.datasetID == 0
        let name = isNewDataset ? try Fields.name(request.name, field: "name") : ""
        let description = try Fields.text(request.description_p, field: "description", max: 10_000)
        let policy: BadLinePolicy
        switch request.onBadLines {
        case "", "reject": policy = .reject
        case "drop": policy = .drop
        default: throw BusError.invalidArgument(field: "on_bad_lines", "must be reject or drop")
        }
        guard let sourceAddress = BlobAddress(sha256: request.sourceSha256) else {
            throw BusError.invalidArgument(field: "source_sha256", "must be the sha256 of a completed upload (64 lower-case hex digits)")
        }
        guard deps.blobs.contains(sourceAddress) else {
            throw BusError.invalidArgument(field: "source_sha256", "no uploaded file with this sha256")
        }
        let format = try IngestRequest.format(request.format)
        var options = IngestOptions(format: format == .parquet ? .jsonl : format.domain)
        options.maxRecordBytes = settings.maxRecordBytes
        options.csvMapping = try IngestRequest.mapping(request.columns)
        if !request.csvDelimiter.isEmpty {
            guard let byte = IngestOptions.csvDelimiter(from: request.csvDelimiter) else {
                throw BusError.invalidArgument(field: "csv_delimiter", "must be one punctuation character (, ; | …) or tab")
            }
            options.csvDelimiter = byte
        }
        if !isNewDataset {
            guard let existing = try await DatasetStore.dataset(id: request.datasetID, on: deps.postgres, logger: context.logger) else {
                throw BusError.notFound("dataset \(request.datasetID) not found")
            }
            guard existing.status != "rejected" else { throw BusError.failedPrecondition("dataset \(request.datasetID) was rejected; upload it again as a new dataset") }
        } else if try await DatasetStore.datasetId(named: name, on: deps.postgres, logger: context.logger) != nil {
            throw BusError.alreadyExists("a dataset named '\(name)' already exists")
        }

        var source = deps.blobs.url(for: sourceAddress)
        var converted: URL?
        defer { if let converted { try? FileManager.default.removeItem(at: converted) } }
        if format == .parquet {
            let target = deps.blobs.stagingURL().appendingPathExtension("jsonl")
            try await MLRuntime(python: settings.mlPython).convertParquet(source, to: target, columns: request.columns)
            converted = target
            source = target
        }
        let outcome: IngestOutcome
        let started = ContinuousClock.now
        defer { context.logger.info("ingest finished", metadata: ["seconds": "\((ContinuousClock.now - started).seconds)", "peak_rss_mb": "\(ProcessMemory.peakMB)"]) }
        do {
            outcome = try await Ingest(options: options, policy: policy).run(source: source, blobs: deps.blobs, key: settings.key) { sha in
                try await DatasetStore.blobForContent(sha256: sha, on: deps.postgres, logger: context.logger)
            }
        } catch let failure as IngestFailure {
            throw BusError.invalidArgument(field: failure.field, failure.reason)
        }

        let reply = try await deps.idempotency.once(context, request: request) { connection in
            var reply = Mlops_V1_Dataset_CreateDatasetReply()
            switch outcome {
            case .rejected(let report):
                reply.report = report
                guard isNewDataset else {
                    throw BusError(.invalidArgument, "\(report.badLines) bad line(s); first: line \(report.errors.first?.line ?? 0): \(report.errors.first?.reason ?? "")",
                                   fieldViolations: report.errors.prefix(20).map(Self.violation))
                }
                guard let id = try await DatasetStore.insertDataset(name: name, description: description, status: "rejected",
                                                                    rejectionJSON: IngestReportJSON.encode(report), createdBy: request.createdBy,
                                                                    on: connection, logger: context.logger) else {
                    throw BusError.alreadyExists("a dataset named '\(name)' already exists")
                }
                reply.dataset = try await datasetRow(id, connection, context)
            case .stored(let file, let report, let statsJSON):
                reply.report = report
                let datasetId: Int64
                if isNewDataset {
                    guard let id = try await DatasetStore.insertDataset(name: name, description: description, status: "active", rejectionJSON: nil,
                                                                        createdBy: request.createdBy, on: connection, logger: context.logger) else {
                        throw BusError.alreadyExists("a dataset named '\(name)' already exists")
                    }
                    datasetId = id
                } else {
                    datasetId = request.datasetID
                    _ = try await DatasetStore.lockDataset(datasetId, on: connection, logger: context.logger)
                }
                let labels = try await DatasetStore.labels(datasetId: datasetId, on: connection, logger: context.logger)
                var parameters: [String: Any] = ["format": format.rawValue, "on_bad_lines": policy.rawValue, "source_sha256": request.sourceSha256]
                if !request.columns.isEmpty { parameters["columns"] = request.columns }
                let version = try await DatasetStore.insertVersion(.init(
                    datasetId: datasetId, label: VersionLabels.nextMajor(after: labels), sha256: file.plainSHA256, blobSHA256: file.blobSHA256,
                    sizeBytes: Int64(file.plainSize), sourceFormat: format.rawValue, totalSamples: file.samples, parentVersionId: nil,
                    transformation: "ingest", parametersJSON: jsonText(parameters), droppedLines: report.badLines, qualityScore: nil,
                    statsJSON: statsJSON, validated: false, createdBy: request.createdBy
                ), on: connection, logger: context.logger)
                reply.version = version.proto
                reply.dataset = try await datasetRow(datasetId, connection, context)
            }
            return reply
        }
        // The plaintext upload goes once its encrypted version (or its rejection) is committed.
        if !request.keepSource { try? deps.blobs.remove(sourceAddress) }
        return reply
    }

    private func datasetRow(_ id: Int64, _ connection: PostgresConnection, _ context: BusContext) async throws -> Mlops_V1_Dataset_Dataset {
        let rows = try await connection.query("SELECT \(unescaped: DatasetStore.datasetColumns) FROM dataset.training_datasets d WHERE d.id = \(id)", logger: context.logger)
        guard var dataset = try await DatasetStore.decodeDatasets(rows).first else { throw BusError.internal("dataset \(id) vanished") }
        let latest = try await connection.query("""
            SELECT \(unescaped: VersionRow.columns) FROM \(unescaped: VersionRow.from) WHERE v.dataset_id = \(id) ORDER BY v.id DESC LIMIT 1
            """, logger: context.logger)
        if let version = try await VersionRow.decodeAll(latest).first { dataset.latest = version.proto }
        return dataset
    }

    static func violation(_ error: Mlops_V1_Dataset_LineError) -> Mlops_V1_FieldViolation {
        var violation = Mlops_V1_FieldViolation()
        violation.field = "line \(error.line)" + (error.field.isEmpty ? "" : ": \(error.field)")
        violation.description_p = error.reason
        return violation
    }

    func get(_ request: Mlops_V1_Dataset_GetDatasetRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_Dataset {
        let id = try Fields.id(request.id, field: "id")
        guard let dataset = try await DatasetStore.dataset(id: id, on: deps.postgres, logger: context.logger) else {
            throw BusError.notFound("dataset \(id) not found")
        }
        return dataset
    }

    func list(_ request: Mlops_V1_Dataset_ListDatasetsRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ListDatasetsReply {
        if !request.status.isEmpty, !Self.statuses.contains(request.status), request.status != "rejected" {
            throw BusError.invalidArgument(field: "status", "must be one of active, deprecated, archived, rejected")
        }
        let page = try Fields.page(skip: request.skip, limit: request.limit)
        let (items, total) = try await DatasetStore.list(status: request.status.isEmpty ? nil : request.status, search: request.search.isEmpty ? nil : request.search,
                                                          skip: page.skip, limit: page.limit, on: deps.postgres, logger: context.logger)
        var reply = Mlops_V1_Dataset_ListDatasetsReply()
        reply.items = items
        reply.total = total
        return reply
    }

    func update(_ request: Mlops_V1_Dataset_UpdateDatasetRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_Dataset {
        let id = try Fields.id(request.id, field: "id")
        if !request.status.isEmpty, !Self.statuses.contains(request.status) {
            throw BusError.invalidArgument(field: "status", "must be one of active, deprecated, archived")
        }
        let description: String?? = request.setDescription ? .some(try Fields.text(request.description_p, field: "description", max: 10_000)) : nil
        return try await deps.idempotency.once(context, request: request) { connection in
            guard try await DatasetStore.updateStatus(id: id, status: request.status.isEmpty ? nil : request.status, description: description, on: connection, logger: context.logger) else {
                if try await DatasetStore.lockDataset(id, on: connection, logger: context.logger) == "rejected" {
                    throw BusError.failedPrecondition("dataset \(id) was rejected at upload; its status cannot change")
                }
                throw BusError.notFound("dataset \(id) not found")
            }
            return try await datasetRow(id, connection, context)
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
        reply.changedSamplesJson = "[" + output.changedSamples.map { #"{"id":\#(jsonString($0.id)),"before":\#($0.before),"after":\#($0.after)}"# }.joined(separator: ",") + "]"
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
            let blobs = deps.blobs, key = settings.key
            let plain = deps.blobs.stagingURL().appendingPathExtension("jsonl")
            defer { try? FileManager.default.removeItem(at: plain) }
            _ = try await runOnThread { try Export.plaintext(blobs: blobs, blobSHA256: version.blobSHA256, key: key, to: plain) }
            let tokens = try await MLRuntime(python: settings.mlPython).tokenStats(tokenizer: tokenizer, input: plain)
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
            let checksJSON = checks.map { #"{"check_type":\#(jsonString($0.checkType)),"passed":\#($0.passed),"result":\#($0.issuesJson)}"# }
            reply.body = Data(#"{"dataset":\#(jsonString(dataset.name)),"version":\#(jsonString(version.proto.version)),"stats":\#(stats),"checks":[\#(checksJSON.joined(separator: ","))]}"#.utf8)
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
