import Contracts
import DatasetDomain
import Logging
import PostgresNIO

/// The one transaction that records a validation: the source's statistics and
/// score, a quality-log row per check, and the derived version when the run
/// changed anything (under the dataset's lock, so labels stay distinct).
enum ValidationStore {
    static func record(_ result: ValidationResult, of source: StoredVersion, plan: ValidationPlan, derivedFile: StoredFile?, actor: String,
                       on connection: PostgresConnection, logger: Logger) async throws -> Mlops_V1_Dataset_ValidateReply {
        var reply = Mlops_V1_Dataset_ValidateReply()
        let datasetId = source.proto.datasetID
        _ = try await DatasetStore.lockDataset(datasetId, on: connection, logger: logger)
        try await DatasetStore.recordValidation(versionId: source.id, statsJSON: result.sourceStatsJSON, qualityScore: result.sourceQuality, on: connection, logger: logger)
        var refreshed = source.proto
        refreshed.validated = true
        if let score = result.sourceQuality { refreshed.hasQualityScore_p = true; refreshed.qualityScore = score }
        reply.source = refreshed
        for check in result.checks {
            reply.checks.append(try await QualityStore.insert(datasetId: datasetId, versionId: source.id, checkType: check.kind.rawValue, passed: check.passed,
                                                              issuesJSON: check.issuesJSON, on: connection, logger: logger))
        }
        if let derivedFile {
            let labels = try await DatasetStore.labels(datasetId: datasetId, on: connection, logger: logger)
            let version = try await DatasetStore.insertVersion(.init(
                datasetId: datasetId, label: VersionLabels.nextMinor(of: source.proto.version, among: labels), sha256: derivedFile.plainSHA256,
                blobSHA256: derivedFile.blobSHA256, sizeBytes: Int64(derivedFile.plainSize), sourceFormat: .derived, totalSamples: derivedFile.samples,
                parentVersionId: source.id, transformation: "validate", parametersJSON: plan.parametersJSON, droppedLines: 0,
                qualityScore: result.derivedQuality, statsJSON: result.derivedStatsJSON, validated: true, createdBy: actor
            ), on: connection, logger: logger)
            reply.derived = version.proto
        }
        reply.seconds = result.seconds
        return reply
    }
}
