import Bus
import Contracts
import Hummingbird
import JSON

/// /api/v1/admin/models…: each route maps JSON to a registry request, calls
/// the registry over the bus as the caller, and maps the reply back.
struct ModelRoutes {
    let calls: BusCalls
    let maxBodyBytes: Int
    let listCache = ListPageCache()

    func register(_ table: RouteTable) {
        table.add(ModelSpecs.register, registerModel)
        table.add(ModelSpecs.list, listModels)
        table.add(ModelSpecs.get, getModel)
        table.add(ModelSpecs.lineage, lineage)
        table.add(ModelSpecs.update, updateModel)
        table.add(ModelSpecs.promote) { try await stage(RegistryMethods.promoteModel, $0, $1) }
        table.add(ModelSpecs.archive) { try await stage(RegistryMethods.archiveModel, $0, $1) }
        table.add(ModelSpecs.rollback) { try await stage(RegistryMethods.rollbackModel, $0, $1) }
        table.add(ModelSpecs.listBenchmarks, listBenchmarks)
        table.add(ModelSpecs.addBenchmark, addBenchmark)
        table.add(ModelSpecs.evaluate) { _, context in
            _ = try pathId(context)
            throw GatewayError.notImplemented("model evaluation arrives with the evaluator service")
        }
        table.add(ModelSpecs.deploy) { _, context in
            _ = try pathId(context)
            throw GatewayError.notImplemented("deployment arrives with the serving work")
        }
    }

    static let registerFields: Set<String> = [
        "model_name", "version", "base_model", "finetuning_job_id", "project", "model_type", "model_format",
        "artifact_sha256", "model_path", "description", "tags", "deployment_config", "mlflow_model_uri",
    ]

    @Sendable func registerModel(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(Self.registerFields)
        var message = Mlops_V1_Registry_RegisterModelRequest()
        // Types and presence here; lengths, charsets and "one of artifact_sha256
        // or model_path" are the registry's rules (RegistryDomain.NewModel).
        message.modelName = body.string("model_name", required: true) ?? ""
        message.version = body.string("version", required: true) ?? ""
        message.baseModel = body.string("base_model") ?? ""
        message.finetuningJobID = body.int("finetuning_job_id", range: 1...Int64.max) ?? 0
        message.project = body.string("project") ?? ""
        message.modelType = body.string("model_type") ?? ""
        message.modelFormat = body.named("model_format", Mlops_V1_Registry_ModelFormat.self) ?? .unspecified
        message.artifactSha256 = body.string("artifact_sha256") ?? ""
        message.modelPath = body.string("model_path") ?? ""
        message.description_p = body.string("description") ?? ""
        message.tags = body.strings("tags", maxCount: 1_000, length: 0...10_000) ?? []
        message.deploymentConfigJson = body.object("deployment_config") ?? ""
        message.mlflowModelUri = body.string("mlflow_model_uri") ?? ""
        try body.finish()
        message.createdBy = try context.caller().subject
        let model = try await calls.call(RegistryMethods.registerModel, message, request, context)
        context.audit?.resource = "models/\(model.id)"
        return modelResponse(model, status: .created)
    }

    @Sendable func listModels(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, ModelSpecs.list)
        var message = Mlops_V1_Registry_ListModelsRequest()
        message.project = query.string("project") ?? ""
        message.modelType = query.string("model_type") ?? ""
        if let active = query.bool("is_active") { message.isActive = active }
        message.status = query.choice("status").flatMap(RegistryStage.init(name:)) ?? .unspecified
        message.tags = query.list("tags")
        message.createdAfterUnixMs = query.timestamp("created_after") ?? 0
        message.search = query.string("search") ?? ""
        message.finetuningJobID = Int64(query.int("finetuning_job_id") ?? 0)
        let page = query.page()
        try query.finish()
        message.skip = Int32(page.skip)
        message.limit = Int32(page.limit)
        let cached = listCache.lookup(message)
        var asked = message
        asked.ifCatalogVersion = cached?.catalogVersion ?? 0
        let options = try calls.options(for: RegistryMethods.listModels, request, context)
        var reply = try await calls.bus.call(RegistryMethods.listModels, asked, options: options)
        if reply.notModified {
            if let cached, cached.catalogVersion == reply.catalogVersion { return ListEnvelope.response(body: cached.body) }
            reply = try await calls.bus.call(RegistryMethods.listModels, message, options: options)
        }
        let body = ListEnvelope.render(reply.items, count: reply.items.count, total: reply.total, page: page, bytesPerItem: 900) {
            ModelJSON.write($0, into: &$1)
        }
        listCache.store(message, .init(catalogVersion: reply.catalogVersion, body: body))
        return ListEnvelope.response(body: body)
    }

    @Sendable func getModel(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try pathId(context)
        var query = QueryReader(request, ModelSpecs.get)
        let names = query.list("expand")
        try query.finish()
        var expand: ModelJSON.Expand = []
        if names.contains("metrics") { expand.insert(.metrics) }
        if names.contains("versions") { expand.insert(.versions) }
        if names.contains("evaluations") { expand.insert(.evaluations) }
        var message = Mlops_V1_Registry_GetModelRequest()
        message.id = id
        message.expand = names
        let model = try await calls.call(RegistryMethods.getModel, message, request, context)
        return modelResponse(model, expand: expand)
    }

    @Sendable func updateModel(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try pathId(context)
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["description", "tags", "is_active", "deployment_config"])
        var message = Mlops_V1_Registry_UpdateModelRequest()
        message.id = id
        // Types here; lengths and tag rules are the registry's (ModelUpdate).
        if let description = body.string("description") { message.description_p = description }
        if let tags = body.strings("tags", maxCount: 1_000, length: 0...10_000) {
            message.replaceTags = true
            message.tags = tags
        }
        if let active = body.bool("is_active") { message.isActive = active }
        if let config = body.object("deployment_config") { message.deploymentConfigJson = config }
        if !["description", "tags", "is_active", "deployment_config"].contains(where: body.has) {
            body.fail("body", "give at least one of description, tags, is_active, deployment_config")
        }
        try body.finish()
        message.actor = try context.caller().subject
        return modelResponse(try await calls.call(RegistryMethods.updateModel, message, request, context))
    }

    func stage(_ method: BusMethod<Mlops_V1_Registry_StageRequest, RegistryModel>, _ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try pathId(context)
        var body = try await Body.object(request, limit: maxBodyBytes, allowEmpty: true)
        body.rejectUnknown(["reason"])
        var message = Mlops_V1_Registry_StageRequest()
        message.id = id
        message.reason = body.string("reason") ?? ""
        try body.finish()
        message.actor = try context.caller().subject
        return modelResponse(try await calls.call(method, message, request, context))
    }

    @Sendable func listBenchmarks(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Registry_ListBenchmarksRequest()
        message.modelID = try pathId(context)
        var query = QueryReader(request, ModelSpecs.listBenchmarks)
        let page = query.page()
        try query.finish()
        let reply = try await calls.call(RegistryMethods.listBenchmarks, message, request, context)
        return ListEnvelope.paged(reply.items, page: page, bytesPerItem: 200) { ModelJSON.writeBenchmark($0, into: &$1) }
    }

    @Sendable func addBenchmark(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Registry_AddBenchmarkRequest()
        message.modelID = try pathId(context)
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["benchmark_name", "score", "details"])
        message.benchmarkName = body.string("benchmark_name", required: true) ?? ""
        message.score = body.double("score", required: true) ?? 0
        message.detailsJson = body.object("details") ?? ""
        try body.finish()
        let benchmark = try await calls.call(RegistryMethods.addBenchmark, message, request, context)
        var writer = JSONWriter()
        ModelJSON.writeBenchmark(benchmark, into: &writer)
        return jsonResponse(writer, status: .created)
    }

    private func modelResponse(_ model: RegistryModel, expand: ModelJSON.Expand = [], status: HTTPResponse.Status = .ok) -> Response {
        var writer = JSONWriter(capacity: 1024)
        ModelJSON.write(model, expand: expand, into: &writer)
        return jsonResponse(writer, status: status)
    }
}
