import Bus
import Contracts
import Hummingbird
import JSON

/// /api/v1/admin/ground-truth…: ground-truth datasets, versions and events
/// (seed 002's list_ground_truth_events / get_ground_truth_version).
struct GroundTruthRoutes {
    let calls: BusCalls
    let maxBodyBytes: Int

    static let base = "/api/v1/admin/ground-truth"
    /// `list_all=true` returns every matching event, fetched page by page, up to this many.
    static let listAllCap = 100_000

    func register(_ table: RouteTable) {
        table.add(GroundTruthSpecs.createDataset, createDataset)
        table.add(GroundTruthSpecs.listDatasets, listDatasets)
        table.add(GroundTruthSpecs.createVersion, createVersion)
        table.add(GroundTruthSpecs.getVersion, getVersion)
        table.add(GroundTruthSpecs.listEvents, listEvents)
    }

    @Sendable func createDataset(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["name", "description"])
        var message = Mlops_V1_Dataset_CreateGroundTruthDatasetRequest()
        // Types here; the name and length rules are the dataset service's.
        message.name = body.string("name", required: true) ?? ""
        message.description_p = body.string("description") ?? ""
        try body.finish()
        message.createdBy = try context.caller().subject
        let dataset = try await calls.call(DatasetMethods.createGroundTruthDataset, message, request, context)
        var writer = JSONWriter()
        DatasetJSON.writeGroundTruthDataset(dataset, into: &writer)
        return jsonResponse(writer, status: .created)
    }

    @Sendable func listDatasets(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, GroundTruthSpecs.listDatasets)
        var message = Mlops_V1_Dataset_ListGroundTruthDatasetsRequest()
        message.search = query.string("search") ?? ""
        let page = query.page()
        try query.finish()
        message.skip = Int32(page.skip)
        message.limit = Int32(page.limit)
        let reply = try await calls.call(DatasetMethods.listGroundTruthDatasets, message, request, context)
        return ListEnvelope.response(reply.items, total: reply.total, page: page, bytesPerItem: 300) {
            DatasetJSON.writeGroundTruthDataset($0, into: &$1)
        }
    }

    @Sendable func createVersion(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_CreateGroundTruthVersionRequest()
        message.groundTruthDatasetID = try pathId(context)
        var body = try await Body.object(request, limit: max(maxBodyBytes, 64 << 20))
        body.rejectUnknown(["version", "description", "events"])
        message.version = body.string("version", required: true) ?? ""
        message.description_p = body.string("description") ?? ""
        let events = body.array("events", maxCount: 200_000, required: true) ?? []
        for (index, item) in events.enumerated() {
            guard case .object(let members) = item else {
                body.fail("events[\(index)]", "must be an object with data_type, data, data_unit, metadata")
                continue
            }
            var event = Mlops_V1_Dataset_GroundTruthEvent()
            var hasData = false
            for (key, value) in members {
                switch key {
                case "data_type":
                    if case .string(let type) = value { event.dataType = type } else { body.fail("events[\(index)].data_type", "must be a string") }
                case "data":
                    hasData = true
                    event.dataJson = value.serialized
                case "data_unit":
                    if case .null = value { continue }
                    if case .object = value { event.dataUnitJson = value.serialized } else { body.fail("events[\(index)].data_unit", "must be an object") }
                case "metadata":
                    if case .null = value { continue }
                    if case .object = value { event.metadataJson = value.serialized } else { body.fail("events[\(index)].metadata", "must be an object") }
                default:
                    body.fail("events[\(index)].\(key)", "is not a known field")
                }
            }
            if !hasData { body.fail("events[\(index)].data", "is required") }
            if event.dataType.isEmpty { event.dataType = "text" }
            message.events.append(event)
        }
        try body.finish()
        message.createdBy = try context.caller().subject
        let version = try await calls.call(DatasetMethods.createGroundTruthVersion, message, request, context)
        var writer = JSONWriter(capacity: 1024)
        DatasetJSON.writeGroundTruthVersion(version, into: &writer)
        return jsonResponse(writer, status: .created)
    }

    @Sendable func getVersion(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_GetGroundTruthVersionRequest()
        message.id = try pathId(context)
        let version = try await calls.call(DatasetMethods.getGroundTruthVersion, message, request, context)
        var writer = JSONWriter(capacity: 1024)
        DatasetJSON.writeGroundTruthVersion(version, into: &writer)
        return jsonResponse(writer)
    }

    @Sendable func listEvents(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, GroundTruthSpecs.listEvents)
        var message = Mlops_V1_Dataset_ListGroundTruthEventsRequest()
        message.groundTruthDatasetVersions = query.list("ground_truth_dataset_versions").compactMap { Int64($0) }
        message.createdAfterUnixMs = query.timestamp("created_after") ?? 0
        message.dataType = query.string("data_type") ?? ""
        message.search = query.string("search") ?? ""
        let listAll = query.bool("list_all") ?? false
        var page = query.page()
        try query.finish()
        let options = try calls.options(for: DatasetMethods.listGroundTruthEvents, request, context)
        var items: [Mlops_V1_Dataset_GroundTruthEvent] = []
        var total: Int64 = 0
        if listAll {
            // Page through everything (seed 002: list_all handles pagination for the caller).
            message.limit = 1000
            var offset = 0
            repeat {
                message.skip = Int32(offset)
                let reply = try await calls.bus.call(DatasetMethods.listGroundTruthEvents, message, options: options)
                items += reply.items
                total = reply.total
                offset += reply.items.count
                if reply.items.isEmpty { break }
            } while offset < total && items.count < Self.listAllCap
            if total > Self.listAllCap {
                throw GatewayError.unprocessable("list_all", "\(total) events match; list_all returns at most \(Self.listAllCap): narrow the filters or page with skip/limit")
            }
            page = ListPage(skip: 0, limit: items.count)
        } else {
            message.skip = Int32(page.skip)
            message.limit = Int32(page.limit)
            let reply = try await calls.bus.call(DatasetMethods.listGroundTruthEvents, message, options: options)
            items = reply.items
            total = reply.total
        }
        return ListEnvelope.response(items, total: total, page: page, bytesPerItem: 300) { DatasetJSON.writeGroundTruthEvent($0, into: &$1) }
    }
}
