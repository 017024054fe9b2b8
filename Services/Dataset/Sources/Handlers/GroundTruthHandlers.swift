import Bus
import Contracts
import Foundation
import ServiceKit

/// Ground-truth datasets, versions and events (seed 002).
struct GroundTruthHandlers: Sendable {
    let deps: ServiceDependencies
    static let maxEventsPerVersion = 200_000

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
        guard request.events.count <= Self.maxEventsPerVersion else {
            throw BusError.invalidArgument(field: "events", "at most \(Self.maxEventsPerVersion) events per version (got \(request.events.count))")
        }
        var violations: [Mlops_V1_FieldViolation] = []
        var types: [String: Int] = [:]
        var dataBytes = 0
        var withUnit = 0
        var withMetadata = 0
        for (index, event) in request.events.enumerated() {
            func fail(_ field: String, _ reason: String) {
                if violations.count < 20 {
                    var violation = Mlops_V1_FieldViolation()
                    violation.field = "events[\(index)].\(field)"
                    violation.description_p = reason
                    violations.append(violation)
                }
            }
            if event.dataType.isEmpty || event.dataType.count > 50 || !event.dataType.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                fail("data_type", "must be 1 to 50 letters, digits, '_' or '-'")
            }
            if !Fields.isJSON(event.dataJson, objectOrArrayOnly: false) { fail("data", "must be valid JSON") }
            if !event.dataUnitJson.isEmpty {
                withUnit += 1
                if !Fields.isJSON(event.dataUnitJson, objectOrArrayOnly: true) { fail("data_unit", "must be a JSON object") }
            }
            if !event.metadataJson.isEmpty {
                withMetadata += 1
                if !Fields.isJSON(event.metadataJson, objectOrArrayOnly: true) { fail("metadata", "must be a JSON object") }
            }
            types[event.dataType, default: 0] += 1
            dataBytes += event.dataJson.utf8.count
        }
        if !violations.isEmpty {
            throw BusError(.invalidArgument, "\(violations.count) event field(s) are invalid", fieldViolations: violations)
        }
        let statistics: [String: Any] = [
            "event_count": request.events.count,
            "data_types": types,
            "mean_data_bytes": request.events.isEmpty ? 0 : Double(dataBytes) / Double(request.events.count),
            "with_data_unit": withUnit,
            "with_metadata": withMetadata,
        ]
        let statisticsJSON = String(decoding: try JSONSerialization.data(withJSONObject: statistics, options: [.sortedKeys]), as: UTF8.self)
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
