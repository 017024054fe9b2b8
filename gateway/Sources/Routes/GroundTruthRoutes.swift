import Bus
import Contracts
import Hummingbird

/// /api/v1/admin/ground-truth…: ground-truth datasets, versions and events
/// (seed 002's list_ground_truth_events / get_ground_truth_version).
struct GroundTruthRoutes {
    let calls: BusCalls
    let maxBodyBytes: Int

    static let base = "/api/v1/admin/ground-truth"
    /// `list_all=true` returns every matching event, fetched page by page, up to this many.
    static let listAllCap = 100_000

    func register(_ table: RouteTable) {
        table.add(.post, "\(Self.base)/datasets", createDataset)
        table.add(.get, "\(Self.base)/datasets", listDatasets)
        table.add(.post, "\(Self.base)/datasets/{id}/versions", createVersion)
        table.add(.get, "\(Self.base)/versions/{id}", getVersion)
        table.add(.get, "\(Self.base)/events", listEvents)
    }

    @Sendable func createDataset(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["name", "description"])
        var message = Mlops_V1_Dataset_CreateGroundTruthDatasetRequest()
        message.name = body.string("name", required: true, length: 1...255) ?? ""
        message.description_p = body.string("description", length: 0...10_000) ?? ""
        try body.finish()
        let options = try calls.options(request, context, mutating: true)
        message.createdBy = options.subject
        let dataset = try await calls.bus.call(DatasetMethods.createGroundTruthDataset, message, options: options)
        var writer = JSONWriter()
        DatasetJSON.writeGroundTruthDataset(dataset, into: &writer)
        return jsonResponse(writer, status: .created)
    }

    @Sendable func listDatasets(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request)
        var message = Mlops_V1_Dataset_ListGroundTruthDatasetsRequest()
        message.search = query.string("search") ?? ""
        message.skip = Int32(query.int("skip", default: 0, range: 0...Int(Int32.max)))
        message.limit = Int32(query.int("limit", default: 20, range: 1...500))
        try query.finish()
        let reply = try await calls.bus.call(DatasetMethods.listGroundTruthDatasets, message, options: try calls.options(request, context, mutating: false))
        var writer = JSONWriter(capacity: 512 + reply.items.count * 300)
        writer.beginObject()
        writer.key("items")
        writer.beginArray()
        for dataset in reply.items { DatasetJSON.writeGroundTruthDataset(dataset, into: &writer) }
        writer.endArray()
        writer.key("total"); writer.int(reply.total)
        writer.endObject()
        return jsonResponse(writer)
    }

    @Sendable func createVersion(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_CreateGroundTruthVersionRequest()
        message.groundTruthDatasetID = try pathId(context)
        var body = try await Body.object(request, limit: max(maxBodyBytes, 64 << 20))
        body.rejectUnknown(["version", "description", "events"])
        message.version = body.string("version", required: true, length: 1...50) ?? ""
        message.description_p = body.string("description", length: 0...10_000) ?? ""
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
        let options = try calls.options(request, context, mutating: true)
        message.createdBy = options.subject
        let version = try await calls.bus.call(DatasetMethods.createGroundTruthVersion, message, options: options)
        var writer = JSONWriter(capacity: 1024)
        DatasetJSON.writeGroundTruthVersion(version, into: &writer)
        return jsonResponse(writer, status: .created)
    }

    @Sendable func getVersion(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_GetGroundTruthVersionRequest()
        message.id = try pathId(context)
        let version = try await calls.bus.call(DatasetMethods.getGroundTruthVersion, message, options: try calls.options(request, context, mutating: false))
        var writer = JSONWriter(capacity: 1024)
        DatasetJSON.writeGroundTruthVersion(version, into: &writer)
        return jsonResponse(writer)
    }

    @Sendable func listEvents(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request)
        var message = Mlops_V1_Dataset_ListGroundTruthEventsRequest()
        for text in query.list("ground_truth_dataset_versions", maxCount: 100, maxLength: 20) {
            if let id = Int64(text), id > 0 { message.groundTruthDatasetVersions.append(id) } else {
                query.fail("ground_truth_dataset_versions", "must be positive integer ids, comma-separated or repeated")
            }
        }
        message.createdAfterUnixMs = query.timestamp("created_after") ?? 0
        message.dataType = query.string("data_type", maxLength: 50) ?? ""
        message.search = query.string("search", maxLength: 200) ?? ""
        let listAll = query.bool("list_all") ?? false
        let skip = query.int("skip", default: 0, range: 0...Int(Int32.max))
        let limit = query.int("limit", default: 100, range: 1...1000)
        try query.finish()
        let options = try calls.options(request, context, mutating: false)
        var items: [Mlops_V1_Dataset_GroundTruthEvent] = []
        var total: Int64 = 0
        if listAll {
            // Page through everything (seed 002: list_all handles pagination for the caller).
            message.limit = 1000
            var offset = 0
            repeat {
                message.skip = Int32(offset)
                let page = try await calls.bus.call(DatasetMethods.listGroundTruthEvents, message, options: options)
                items += page.items
                total = page.total
                offset += page.items.count
                if page.items.isEmpty { break }
            } while offset < total && items.count < Self.listAllCap
            if total > Self.listAllCap {
                throw GatewayError.unprocessable("list_all", "\(total) events match; list_all returns at most \(Self.listAllCap): narrow the filters or page with skip/limit")
            }
        } else {
            message.skip = Int32(skip)
            message.limit = Int32(limit)
            let page = try await calls.bus.call(DatasetMethods.listGroundTruthEvents, message, options: options)
            items = page.items
            total = page.total
        }
        var writer = JSONWriter(capacity: 1024 + items.count * 300)
        if listAll {
            writer.beginArray()
            for event in items { DatasetJSON.writeGroundTruthEvent(event, into: &writer) }
            writer.endArray()
        } else {
            writer.beginObject()
            writer.key("items")
            writer.beginArray()
            for event in items { DatasetJSON.writeGroundTruthEvent(event, into: &writer) }
            writer.endArray()
            writer.key("total"); writer.int(total)
            writer.key("skip"); writer.int(skip)
            writer.key("limit"); writer.int(limit)
            writer.endObject()
        }
        return jsonResponse(writer)
    }
}
