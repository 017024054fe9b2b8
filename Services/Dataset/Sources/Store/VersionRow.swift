import Contracts
import PostgresNIO

/// The version columns every query selects (alias `v`, with the split `s`
/// left-joined), and their decoding into the proto plus the stored blob.
enum VersionRow {
    static let columns = """
        v.id, v.dataset_id, v.version, v.sha256, v.blob_sha256, v.size_bytes, v.source_format, v.total_samples, \
        v.parent_version_id, v.transformation, v.parameters::text AS parameters, v.dropped_lines, v.quality_score, \
        v.validated, v.created_by, floor(extract(epoch FROM v.created_at) * 1000)::int8 AS created_ms, \
        s.train_samples, s.val_samples, s.test_samples
        """
    static let from = "dataset.dataset_versions v LEFT JOIN dataset.dataset_splits s ON s.version_id = v.id"

    static func decode(_ row: PostgresRandomAccessRow) throws -> StoredVersion {
        var version = Mlops_V1_Dataset_DatasetVersion()
        version.id = try row["id"].decode(Int64.self)
        version.datasetID = try row["dataset_id"].decode(Int64.self)
        version.version = try row["version"].decode(String.self)
        version.sha256 = try row["sha256"].decode(String.self)
        version.sizeBytes = try row["size_bytes"].decode(Int64.self)
        version.sourceFormat = try .stored(try row["source_format"].decode(String.self), column: "dataset_versions.source_format")
        version.totalSamples = Int64(try row["total_samples"].decode(Int32.self))
        version.parentVersionID = try row["parent_version_id"].decode(Int64?.self) ?? 0
        version.transformation = try row["transformation"].decode(String.self)
        version.parametersJson = try row["parameters"].decode(String.self)
        version.droppedLines = try row["dropped_lines"].decode(Int64.self)
        if let score = try row["quality_score"].decode(Double?.self) {
            version.hasQualityScore_p = true
            version.qualityScore = score
        }
        version.validated = try row["validated"].decode(Bool.self)
        version.createdBy = try row["created_by"].decode(String?.self) ?? ""
        version.createdAtUnixMs = try row["created_ms"].decode(Int64.self)
        if let train = try row["train_samples"].decode(Int32?.self) {
            version.hasSplit_p = true
            version.trainSamples = Int64(train)
            version.valSamples = Int64(try row["val_samples"].decode(Int32.self))
            version.testSamples = Int64(try row["test_samples"].decode(Int32.self))
        }
        return StoredVersion(proto: version, blobSHA256: try row["blob_sha256"].decode(String.self))
    }

    static func decodeAll(_ rows: PostgresRowSequence) async throws -> [StoredVersion] {
        var out: [StoredVersion] = []
        for try await row in rows { out.append(try decode(row.makeRandomAccess())) }
        return out
    }
}

/// A version as stored: the API's view plus where its encrypted file is.
struct StoredVersion: Sendable {
    var proto: Mlops_V1_Dataset_DatasetVersion
    var blobSHA256: String
    var id: Int64 { proto.id }
}
