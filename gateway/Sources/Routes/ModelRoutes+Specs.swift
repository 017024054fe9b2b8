import Contracts
import JSON

/// /api/v1/admin/models…
enum ModelSpecs {
    typealias O = OpenAPI
    static let base = "/api/v1/admin/models"

    static let register = RouteSpec(.post, "\(base)/register", .role(.engineer), id: "registerModel", "Register a model version", tag: "models",
        body: .json(O.ref("RegisterModel")), responses: [.json(201, "registered", O.ref("Model"))])
    static let list = RouteSpec(.get, base, .role(.viewer), id: "listModels", "List models, newest first", tag: "models",
        query: [
            .string("project"), .string("model_type"), .boolean("is_active"), .choice("status", RegistryStage.self),
            .list("tags", .string(maxLength: 64), maxCount: 32, description: "comma-separated or repeated; all must match"),
            .timestamp("created_after"), .string("search"),
            .integer("finetuning_job_id", 1...Int.max, description: "models registered from this fine-tuning job"),
        ] + ListLimits.models,
        responses: [.list("models", item: "Model")])
    static let get = RouteSpec(.get, "\(base)/{id}", .role(.viewer), id: "getModel", "One model", tag: "models",
        query: [.list("expand", .choice(["metrics", "evaluations", "versions"]), maxCount: 3, description: "comma-separated")],
        responses: [.json(200, "the model", O.ref("Model"))])
    static let update = RouteSpec(.patch, "\(base)/{id}", .role(.engineer), id: "updateModel",
        "Update description, tags, is_active or deployment_config", tag: "models",
        body: .json(O.ref("UpdateModel")), responses: [.json(200, "updated", O.ref("Model"))])
    static let promote = stage("promote", id: "promoteModel", "Staging → production (the previous production version is archived)")
    static let archive = stage("archive", id: "archiveModel", "Archive")
    static let rollback = stage("rollback", id: "rollbackModel", "Make an earlier production version production again")
    static let listBenchmarks = RouteSpec(.get, "\(base)/{id}/benchmarks", .role(.viewer), id: "listBenchmarks", "Benchmarks of a model", tag: "models",
        query: ListLimits.models, responses: [.list("benchmarks", item: "Benchmark")])
    static let addBenchmark = RouteSpec(.post, "\(base)/{id}/benchmarks", .role(.engineer), id: "addBenchmark", "Record a benchmark score", tag: "models",
        body: .json(O.ref("BenchmarkCreate")), responses: [.json(201, "recorded", O.ref("Benchmark"))])
    static let evaluate = RouteSpec(.post, "\(base)/{id}/evaluate", .role(.engineer), id: "evaluateModel", "Evaluate a model (not implemented yet)", tag: "models",
        responses: [], callsBus: false, problems: [501])
    static let deploy = RouteSpec(.post, "\(base)/{id}/deploy", .role(.engineer), id: "deployModel", "Deploy a model (not implemented yet)", tag: "models",
        responses: [], callsBus: false, problems: [501])

    static func stage(_ action: String, id: String, _ summary: String) -> RouteSpec {
        RouteSpec(.post, "\(base)/{id}/\(action)", .role(.engineer), id: id, summary, tag: "models",
                  body: .json(O.ref("StageBody"), required: false), responses: [.json(200, "the model", O.ref("Model"))])
    }

    static let lineage = RouteSpec(.get, "\(base)/{id}/lineage", .role(.viewer), id: "getModelLineage",
        "Where the model came from: its fine-tuning job, the dataset version it trained on and that version's ancestors with their quality checks",
        tag: "models", responses: [.json(200, "the lineage", O.ref("ModelLineage"))])

    static let all = [register, list, get, update, promote, archive, rollback, listBenchmarks, addBenchmark, evaluate, deploy, lineage]
}
