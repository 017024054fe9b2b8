import Bus
import Contracts
import DatasetDomain
import Logging
import PostgresNIO

/// The one transaction that records an ingested upload: the dataset row (new,
/// or the existing one locked) and its next major version, or a new dataset
/// rejected with its report.
enum UploadStore {
    static func record(_ upload: DatasetUpload, _ outcome: IngestOutcome, on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Dataset_CreateDatasetReply {
        var reply = Mlops_V1_Dataset_CreateDatasetReply()
        let datasetId: Int64
        switch (outcome, upload.target) {
        case (.rejected(let report), .newDataset(let name)):
            reply.report = report
            datasetId = try await insertDataset(name, upload, status: .rejected, rejectionJSON: IngestReportJSON.encode(report), on: connection, logger: logger)
        case (.rejected, .newVersion(let id)):
            // UploadIngest refuses these before any transaction.
            throw BusError.internal("a rejected upload for dataset \(id) reached the store")
        case (.stored(let file, let report, let statsJSON), let target):
            reply.report = report
            switch target {
            case .newDataset(let name):
                datasetId = try await insertDataset(name, upload, status: .active, rejectionJSON: nil, on: connection, logger: logger)
            case .newVersion(let id):
                datasetId = id
                _ = try await DatasetStore.lockDataset(id, on: connection, logger: logger)
            }
            let labels = try await DatasetStore.labels(datasetId: datasetId, on: connection, logger: logger)
            let version = try await DatasetStore.insertVersion(.init(
                datasetId: datasetId, label: VersionLabels.nextMajor(after: labels), sha256: file.plainSHA256, blobSHA256: file.blobSHA256,
                sizeBytes: Int64(file.plainSize), sourceFormat: upload.format.sourceFormat, totalSamples: file.samples, parentVersionId: nil,
                transformation: "ingest", parametersJSON: upload.parametersJSON, droppedLines: report.badLines, qualityScore: nil,
                statsJSON: statsJSON, validated: false, createdBy: upload.createdBy
            ), on: connection, logger: logger)
            reply.version = version.proto
        }
        guard let dataset = try await DatasetStore.dataset(id: datasetId, on: connection, logger: logger) else {
            throw BusError.internal("dataset \(datasetId) vanished")
        }
        reply.dataset = dataset
        return reply
    }

    private static func insertDataset(_ name: String, _ upload: DatasetUpload, status: Mlops_V1_Dataset_DatasetStatus, rejectionJSON: String?,
                                      on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        guard let id = try await DatasetStore.insertDataset(name: name, description: upload.description, status: status, rejectionJSON: rejectionJSON,
                                                            createdBy: upload.createdBy, on: connection, logger: logger) else {
            throw BusError.alreadyExists("a dataset named '\(name)' already exists")
        }
        return id
    }
}
