import Contracts
import JSON

typealias RegistryModel = Mlops_V1_Registry_Model
typealias RegistryStage = Mlops_V1_Registry_Stage

/// Registry protos → REST JSON (gateway/API.md's Model object), written
/// straight into the response buffer.
enum ModelJSON {
    /// Which expansions to include (the list route has none).
    struct Expand: OptionSet, Sendable {
        let rawValue: Int
        static let metrics = Expand(rawValue: 1)
        static let versions = Expand(rawValue: 2)
        static let evaluations = Expand(rawValue: 4)
    }

    static func write(_ model: RegistryModel, expand: Expand = [], into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(model.id)
        w.key("model_name"); w.string(model.modelName)
        w.key("version"); w.string(model.version)
        w.key("base_model"); w.stringOrNull(model.baseModel)
        w.key("finetuning_job_id")
        if model.finetuningJobID > 0 { w.int(model.finetuningJobID) } else { w.null() }
        w.key("project"); w.stringOrNull(model.project)
        w.key("model_type"); w.stringOrNull(model.modelType)
        w.key("model_path"); w.stringOrNull(model.modelPath)
        w.key("model_format"); w.stringOrNull(model.modelFormat.name ?? "")
        w.key("model_size_gb"); w.double(model.modelSizeGb)
        w.key("status"); w.stringOrNull(model.status.name ?? "")
        w.key("is_active"); w.bool(model.isActive)
        w.key("deployment_config"); rawObject(model.deploymentConfigJson, into: &w)
        w.key("mlflow_model_uri"); w.stringOrNull(model.mlflowModelUri)
        w.key("description"); w.stringOrNull(model.description_p)
        w.key("tags"); w.strings(model.tags)
        w.key("created_by"); w.string(model.createdBy)
        w.key("created_at"); w.timestamp(unixMs: model.createdAtUnixMs)
        w.key("updated_at"); w.timestamp(unixMs: model.updatedAtUnixMs)
        w.key("artifact")
        if model.hasArtifact, !model.artifact.sha256.isEmpty {
            w.beginObject()
            w.key("sha256"); w.string(model.artifact.sha256)
            w.key("format"); w.stringOrNull(model.artifact.format.name ?? "")
            w.key("size_bytes"); w.int(model.artifact.sizeBytes)
            w.endObject()
        } else {
            w.null()
        }
        if expand.contains(.metrics) {
            w.key("metrics")
            w.beginObject()
            for name in model.metrics.keys.sorted() {
                w.key(name); w.double(model.metrics[name]!)
            }
            w.endObject()
            w.key("benchmarks")
            w.beginArray()
            for benchmark in model.benchmarks { writeBenchmark(benchmark, into: &w) }
            w.endArray()
        }
        if expand.contains(.versions) {
            w.key("versions")
            w.beginArray()
            for version in model.versions { write(version, into: &w) }
            w.endArray()
        }
        if expand.contains(.evaluations) {
            w.key("stage_history")
            w.beginArray()
            for change in model.stageHistory {
                w.beginObject()
                w.key("id"); w.int(change.id)
                w.key("model_id"); w.int(change.modelID)
                w.key("from_stage"); stageOrNull(change.fromStage, into: &w)
                w.key("to_stage"); stageOrNull(change.toStage, into: &w)
                w.key("actor"); w.string(change.actor)
                w.key("reason"); w.stringOrNull(change.reason)
                w.key("changed_at"); w.timestamp(unixMs: change.changedAtUnixMs)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
    }

    static func writeBenchmark(_ benchmark: Mlops_V1_Registry_Benchmark, into w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.int(benchmark.id)
        w.key("model_id"); w.int(benchmark.modelID)
        w.key("benchmark_name"); w.string(benchmark.benchmarkName)
        w.key("score"); w.double(benchmark.score)
        w.key("details"); rawObject(benchmark.detailsJson, into: &w)
        w.key("benchmark_date"); w.timestamp(unixMs: benchmark.benchmarkDateUnixMs)
        w.endObject()
    }

    private static func stageOrNull(_ stage: RegistryStage, into w: inout JSONWriter) {
        w.stringOrNull(stage.name ?? "")
    }

    /// A JSON object stored as text by the registry (validated when it was
    /// written); `{}` when empty or not an object.
    private static func rawObject(_ json: String, into w: inout JSONWriter) {
        let trimmed = json.utf8.first == UInt8(ascii: "{") && json.utf8.last == UInt8(ascii: "}")
        if trimmed { w.raw(json) } else { w.beginObject(); w.endObject() }
    }
}
