import Bus
import Contracts
import Foundation
import ServiceKit

/// Where a registered model's files are.
public enum ModelSource: Sendable, Equatable {
    /// An uploaded blob in the store (content-addressed).
    case blob(BlobAddress)
    /// An external location (object store URI, shared path) we do not manage.
    case external(path: String)
}

/// A validated RegisterModel request, ready to store.
public struct NewModel: Sendable, Equatable {
    public static let formats = ["huggingface", "gguf", "awq", "safetensors"]
    public static let defaultFormat = "huggingface"
    /// model_path of blob-store artifacts: "blob:sha256:<hex>".
    public static let blobPathPrefix = "blob:sha256:"

    public var modelName: String
    public var version: String
    public var baseModel: String?
    public var finetuningJobId: Int64?
    public var project: String?
    public var modelType: String?
    public var modelFormat: String
    public var source: ModelSource
    public var description: String?
    public var tags: [String]
    public var deploymentConfigJSON: String?
    public var mlflowModelURI: String?
    public var createdBy: String?

    /// What is stored in model_path.
    public var modelPath: String {
        switch source {
        case .blob(let address): Self.blobPathPrefix + address.sha256
        case .external(let path): path
        }
    }

    /// Validates every field; `subject` (the caller) stands in for an empty created_by.
    public init(validating request: Mlops_V1_Registry_RegisterModelRequest, subject: String) throws(BusError) {
        modelName = try FieldRules.modelName(request.modelName)
        version = try FieldRules.version(request.version)
        baseModel = try FieldRules.optionalText(request.baseModel, field: "base_model")
        guard request.finetuningJobID >= 0 else { throw .invalidArgument(field: "finetuning_job_id", "must be a positive id, or 0 for none") }
        finetuningJobId = request.finetuningJobID == 0 ? nil : request.finetuningJobID
        project = try FieldRules.optionalText(request.project, field: "project")
        modelType = try FieldRules.optionalText(request.modelType, field: "model_type", max: 100)
        if request.modelFormat.isEmpty {
            modelFormat = Self.defaultFormat
        } else {
            guard Self.formats.contains(request.modelFormat) else {
                throw .invalidArgument(field: "model_format", "must be one of \(Self.formats.joined(separator: ", "))")
            }
            modelFormat = request.modelFormat
        }
        source = try Self.parseSource(sha256: request.artifactSha256, path: request.modelPath)
        description = try FieldRules.optionalMultilineText(request.description_p, field: "description")
        tags = try FieldRules.tags(request.tags)
        deploymentConfigJSON = try FieldRules.optionalJSONObject(request.deploymentConfigJson, field: "deployment_config_json")
        mlflowModelURI = try FieldRules.optionalText(request.mlflowModelUri, field: "mlflow_model_uri", max: FieldRules.maxURI)
        if let uri = mlflowModelURI, uri.contains(where: \.isWhitespace) {
            throw .invalidArgument(field: "mlflow_model_uri", "must not contain whitespace")
        }
        let creator = request.createdBy.isEmpty ? subject : request.createdBy
        createdBy = try FieldRules.optionalText(creator, field: "created_by")
    }

    /// Exactly one of an uploaded blob's address or an external path.
    static func parseSource(sha256: String, path: String) throws(BusError) -> ModelSource {
        switch (sha256.isEmpty, path.isEmpty) {
        case (true, true):
            throw .invalidArgument(field: "artifact_sha256", "one of artifact_sha256 or model_path is required")
        case (false, false):
            throw .invalidArgument(field: "model_path", "give either artifact_sha256 or model_path, not both")
        case (false, true):
            guard let address = BlobAddress(sha256: sha256.lowercased()) else {
                throw .invalidArgument(field: "artifact_sha256", "must be 64 hexadecimal digits (a sha256)")
            }
            return .blob(address)
        case (true, false):
            guard path.count <= 4_096 else { throw .invalidArgument(field: "model_path", "must be at most 4096 characters") }
            guard !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidArgument(field: "model_path", "must not contain control characters")
            }
            // Blob addresses are vouched for by the store; a path may not claim to be one.
            guard !path.hasPrefix("blob:") else {
                throw .invalidArgument(field: "model_path", "blob-store artifacts are registered with artifact_sha256")
            }
            return .external(path: path)
        }
    }

    /// Sizes are reported in decimal gigabytes, as model hubs do.
    public static func sizeInGB(bytes: Int64) -> Double { Double(bytes) / 1_000_000_000 }
}
