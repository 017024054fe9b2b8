import Bus
import Contracts
import Foundation
import ServiceKit

/// Ground-truth datasets, versions and events (seed 002).
struct GroundTruthHandlers: Sendable {
    let deps: ServiceDependencies

    func createDataset(_ request: Mlops_V1_Dataset_CreateGroundTruthDatasetRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_GroundTruthDataset {
        let name = try Fields.name(request.name, field: "name")
        let description = try Fields.text(request.description_p, field: "description", max: 10_000)
        return try await deps.idempotency.once(context, request: request) { connection in
            guard let dataset = try await GroundTruthStore.createDataset(name: name, description: description, createdBy: request.createdBy, on: connection, logger: context.logger) else {
                throw BusError.alreadyExists("a ground-truth dataset named '\(name)' already exists")
            }
            return dataset
        }
    }

    func listDatasets(_ request: Mlops_V1_Dataset_ListGroundTruthDatasetsRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ListGroundTruthDatasetsReply {
        let page = try Fields.page(skip: request.skip, limit: request.limit)
        let (items, total) = try await GroundTruthStore.listDatasets(search: request.search.isEmpty ? nil : request.search, skip: page.skip, limit: page.limit, on: deps.postgres, logger: context.logger)
        var reply = Mlops_V1_Dataset_ListGroundTruthDatasetsReply()
        reply.items = items
        reply.total = total
        return reply
    }

    func createVersion(_ request: Mlops_V1_Dataset_CreateGroundTruthVersionRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_GroundTruthVersion {
        let datasetId = try Fields.id(request.groundTruthDatasetID, field: "ground_truth_dataset_id")
        let label = try Fields.versionLabel(request.version, field: "version")
        let description = try Fields.text(request.description_p, field: "description", max: 10_000)
        let statisticsJSON = try GroundTruthEvents.validate(request.events)
        return try await deps.idempotency.once(context, request: request) { connection in
            guard try await GroundTruthStore.dataset(id: datasetId, on: connection, logger: context.logger) != nil else {
                throw BusError.notFound("ground-truth dataset \(datasetId) not found")
            }
            guard let id = try await GroundTruthStore.createVersion(datasetId: datasetId, label: label, description: description, events: request.events,
                                                                    statisticsJSON: statisticsJSON, createdBy: request.createdBy, on: connection, logger: context.logger) else {
                throw BusError.alreadyExists("ground-truth dataset \(datasetId) already has a version '\(label)'")
            }
            guard let version = try await GroundTruthStore.version(id: id, on: connection, logger: context.logger) else {
                throw BusError.internal("version \(id) vanished")
            }
            return version
        }
    }

    func getVersion(_ request: Mlops_V1_Dataset_GetGroundTruthVersionRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_GroundTruthVersion {
        let id = try Fields.id(request.id, field: "id")
        return try await deps.postgres.withConnection { connection in
            guard let version = try await GroundTruthStore.version(id: id, on: connection, logger: context.logger) else {
                throw BusError.notFound("ground-truth version \(id) not found")
            }
            return version
        }
    }

    func listEvents(_ request: Mlops_V1_Dataset_ListGroundTruthEventsRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ListGroundTruthEventsReply {
        let page = try Fields.page(skip: request.skip, limit: request.limit, maxLimit: 1000)
        for id in request.groundTruthDatasetVersions where id <= 0 {
            throw BusError.invalidArgument(field: "ground_truth_dataset_versions", "ids must be positive integers (got \(id))")
        }
        let query = GroundTruthStore.EventQuery(
            versionIds: request.groundTruthDatasetVersions,
            createdAfterUnixMs: request.createdAfterUnixMs == 0 ? nil : request.createdAfterUnixMs,
            dataType: request.dataType.isEmpty ? nil : request.dataType,
            search: request.search.isEmpty ? nil : request.search,
            skip: page.skip, limit: page.limit
        )
        let (items, total) = try await GroundTruthStore.events(query, on: deps.postgres, logger: context.logger)
        var reply = Mlops_V1_Dataset_ListGroundTruthEventsReply()
        reply.items = items
        reply.total = total
        return reply
    }
}
