import Bus
import Contracts
import DatasetDomain
import JSON
import ServiceKit

/// A validated CreateDataset request: a new dataset (by name) or a new
/// version of an existing one, from a completed upload.
struct DatasetUpload: Sendable {
    enum Target: Sendable {
        case newDataset(name: String)
        case newVersion(of: Int64)
    }

    var target: Target
    var description: String
    var policy: BadLinePolicy
    var source: BlobAddress
    var format: DatasetFormat
    var options: IngestOptions
    /// CSV/Parquet column → role, as sent (also recorded in the version's parameters).
    var columns: [String: String]
    var createdBy: String
    /// Keep the plaintext upload after ingest (the default removes it).
    var keepSource: Bool

    /// Checks every field in request order; the upload must be in `blobs`.
    init(validating request: Mlops_V1_Dataset_CreateDatasetRequest, maxRecordBytes: Int, blobs: BlobStore) throws {
        target = request.datasetID == 0 ? .newDataset(name: try Fields.name(request.name, field: "name")) : .newVersion(of: request.datasetID)
        description = try Fields.text(request.description_p, field: "description", max: 10_000)
        switch request.onBadLines {
        case "", "reject": policy = .reject
        case "drop": policy = .drop
        default: throw BusError.invalidArgument(field: "on_bad_lines", "must be reject or drop")
        }
        guard let source = BlobAddress(sha256: request.sourceSha256) else {
            throw BusError.invalidArgument(field: "source_sha256", "must be the sha256 of a completed upload (64 lower-case hex digits)")
        }
        guard blobs.contains(source) else {
            throw BusError.invalidArgument(field: "source_sha256", "no uploaded file with this sha256")
        }
        self.source = source
        format = try IngestRequest.format(request.format)
        // Parquet reaches the parser as the JSONL the ml runtime converts it to.
        options = IngestOptions(format: format.domain)
        options.maxRecordBytes = maxRecordBytes
        options.csvMapping = try IngestRequest.mapping(request.columns)
        if !request.csvDelimiter.isEmpty {
            guard let byte = IngestOptions.csvDelimiter(from: request.csvDelimiter) else {
                throw BusError.invalidArgument(field: "csv_delimiter", "must be one punctuation character (, ; | …) or tab")
            }
            options.csvDelimiter = byte
        }
        columns = request.columns
        createdBy = request.createdBy
        keepSource = request.keepSource
    }

    var isNewDataset: Bool {
        if case .newDataset = target { return true }
        return false
    }

    /// The ingest version's `parameters`: how it was read.
    var parametersJSON: String {
        var parameters: [String: JSONValue] = ["format": .string(format.rawValue), "on_bad_lines": .string(policy.rawValue), "source_sha256": .string(source.sha256)]
        if !columns.isEmpty { parameters["columns"] = JSONValue(object: columns.mapValues(JSONValue.string)) }
        return JSONValue(object: parameters).serialized
    }
}
