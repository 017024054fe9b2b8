/// Where a registered model's files are.
public enum ModelSource: Sendable, Equatable {
    /// An uploaded blob in the store, by its content's sha256 (64 lower-case hex digits).
    case blob(sha256: String)
    /// An external location (object store URI, shared path) we do not manage.
    case external(path: String)
}

/// A RegisterModel request's fields as sent; empty and 0: not given.
public struct RegistrationInput: Sendable {
    public var modelName = ""
    public var version = ""
    public var baseModel = ""
    public var finetuningJobId: Int64 = 0
    public var project = ""
    public var modelType = ""
    /// A known format's name (the bus contract's enum; the request layer maps it).
    public var modelFormat = "huggingface"
    public var artifactSHA256 = ""
    public var modelPath = ""
    public var description = ""
    public var tags: [String] = []
    public var deploymentConfigJSON = ""
    public var mlflowModelURI = ""
    public var createdBy = ""

    public init() {}
}

/// A validated RegisterModel request, ready to store.
public struct NewModel: Sendable, Equatable {
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
        case .blob(let sha256): Self.blobPathPrefix + sha256
        case .external(let path): path
        }
    }

    /// Validates every field; `subject` (the caller) stands in for an empty created_by.
    public init(validating input: RegistrationInput, subject: String) throws(RegistryRuleError) {
        modelName = try FieldRules.modelName(input.modelName)
        version = try FieldRules.version(input.version)
        baseModel = try FieldRules.optionalText(input.baseModel, field: "base_model")
        guard input.finetuningJobId >= 0 else {
            throw .invalidField(field: "finetuning_job_id", reason: "must be a positive id, or 0 for none")
        }
        finetuningJobId = input.finetuningJobId == 0 ? nil : input.finetuningJobId
        project = try FieldRules.optionalText(input.project, field: "project")
        modelType = try FieldRules.optionalText(input.modelType, field: "model_type", max: 100)
        modelFormat = input.modelFormat
        source = try Self.parseSource(sha256: input.artifactSHA256, path: input.modelPath)
        description = try FieldRules.optionalMultilineText(input.description, field: "description")
        tags = try FieldRules.tags(input.tags)
        deploymentConfigJSON = try FieldRules.optionalJSONObject(input.deploymentConfigJSON, field: "deployment_config_json")
        mlflowModelURI = try FieldRules.optionalModelURI(input.mlflowModelURI)
        let creator = input.createdBy.isEmpty ? subject : input.createdBy
        createdBy = try FieldRules.optionalText(creator, field: "created_by")
    }

    /// Exactly one of an uploaded blob's address or an external path.
    static func parseSource(sha256: String, path: String) throws(RegistryRuleError) -> ModelSource {
        switch (sha256.isEmpty, path.isEmpty) {
        case (true, true):
            throw .invalidField(field: "artifact_sha256", reason: "one of artifact_sha256 or model_path is required")
        case (false, false):
            throw .invalidField(field: "model_path", reason: "give either artifact_sha256 or model_path, not both")
        case (false, true):
            // Addresses are normalised to lower case, the blob store's spelling.
            let address = sha256.lowercased()
            guard address.utf8.count == 64, address.utf8.allSatisfy(Self.isLowerHexDigit) else {
                throw .invalidField(field: "artifact_sha256", reason: "must be 64 hexadecimal digits (a sha256)")
            }
            return .blob(sha256: address)
        case (true, false):
            guard path.count <= 4_096 else { throw .invalidField(field: "model_path", reason: "must be at most 4096 characters") }
            guard !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidField(field: "model_path", reason: "must not contain control characters")
            }
            // Blob addresses are vouched for by the store; a path may not claim to be one.
            guard !path.hasPrefix("blob:") else {
                throw .invalidField(field: "model_path", reason: "blob-store artifacts are registered with artifact_sha256")
            }
            return .external(path: path)
        }
    }

    private static func isLowerHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// Sizes are reported in decimal gigabytes, as model hubs do.
    public static func sizeInGB(bytes: Int64) -> Double { Double(bytes) / 1_000_000_000 }
}
