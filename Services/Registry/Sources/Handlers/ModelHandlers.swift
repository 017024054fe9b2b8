import Bus
import Contracts
import RegistryDomain
import ServiceKit

/// RegisterModel, GetModel, ListModels, UpdateModel: decode (Requests), store (Store), answer.
struct ModelHandlers: Sendable {
    let deps: ServiceDependencies

    func register(_ request: Mlops_V1_Registry_RegisterModelRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_Model {
        let model = try NewModel(validating: request, subject: context.subject)
        return try await deps.idempotency.once(context, request: request) { connection in
            // Inside `once`: a retry of an applied key answers as before, whatever the store holds now.
            var sizeBytes: Int64?
            if case .blob(let sha256) = model.source {
                sizeBytes = try ArtifactLookup.sizeBytes(sha256: sha256, in: deps.blobs)
            }
            guard let stored = try await ModelStore.insert(model, artifactSizeBytes: sizeBytes, on: connection, logger: context.logger) else {
                throw BusError.alreadyExists("model '\(model.modelName)' version '\(model.version)' is already registered")
            }
            return stored
        }
    }

    func get(_ request: Mlops_V1_Registry_GetModelRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_Model {
        let lookup = try ModelLookup(validating: request)
        let id = lookup.id, expansions = lookup.expansions
        return try await deps.postgres.withConnection { connection in
            guard var model = try await ModelStore.get(id: id, on: connection, logger: context.logger) else {
                throw BusError.notFound("model \(id) not found")
            }
            if expansions.contains(.metrics) {
                let benchmarks = try await BenchmarkStore.list(modelId: id, on: connection, logger: context.logger) ?? []
                model.benchmarks = benchmarks
                model.metrics = NewBenchmark.latestScores(benchmarks.lazy.map { ($0.benchmarkName, $0.score) })
            }
            if expansions.contains(.evaluations) {
                model.stageHistory = try await StageStore.history(of: id, on: connection, logger: context.logger)
            }
            if expansions.contains(.versions) {
                model.versions = try await ModelStore.versions(of: model.modelName, on: connection, logger: context.logger)
            }
            return model
        }
    }

    func list(_ request: Mlops_V1_Registry_ListModelsRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_ListModelsReply {
        let query = try ModelListQuery(validating: request)
        var reply = Mlops_V1_Registry_ListModelsReply()
        if request.ifCatalogVersion != 0 {
            let current = try await ModelListing.catalogVersion(on: deps.postgres, logger: context.logger)
            if current == request.ifCatalogVersion {
                reply.catalogVersion = current
                reply.notModified = true
                return reply
            }
        }
        let page = try await ModelListing.list(query, on: deps.postgres, logger: context.logger)
        reply.items = page.items
        reply.total = page.total
        reply.catalogVersion = page.catalogVersion
        return reply
    }

    func update(_ request: Mlops_V1_Registry_UpdateModelRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_Model {
        let update = try ModelUpdate(validating: request)
        return try await deps.idempotency.once(context, request: request) { connection in
            // An empty update answers the model as it is, without touching updated_at.
            let stored = update.changesNothing
                ? try await ModelStore.get(id: update.id, on: connection, logger: context.logger)
                : try await ModelStore.update(update, on: connection, logger: context.logger)
            guard let stored else { throw BusError.notFound("model \(update.id) not found") }
            return stored
        }
    }
}
