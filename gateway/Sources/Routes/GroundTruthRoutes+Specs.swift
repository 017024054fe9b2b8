import JSON

/// /api/v1/admin/ground-truth… (seed 002).
enum GroundTruthSpecs {
    typealias O = OpenAPI
    static let base = "/api/v1/admin/ground-truth"

    static let createDataset = RouteSpec(.post, "\(base)/datasets", .role(.engineer), id: "createGroundTruthDataset", "Create a ground-truth dataset",
        tag: "ground-truth", body: .json(O.ref("GroundTruthDatasetCreate")), responses: [.json(201, "created", O.ref("GroundTruthDataset"))])
    static let listDatasets = RouteSpec(.get, "\(base)/datasets", .role(.viewer), id: "listGroundTruthDatasets", "List ground-truth datasets",
        tag: "ground-truth", query: [.string("search")] + ListLimits.groundTruthDatasets, responses: [.list("datasets", item: "GroundTruthDataset")])
    static let createVersion = RouteSpec(.post, "\(base)/datasets/{id}/versions", .role(.engineer), id: "createGroundTruthVersion",
        "Create an immutable version with its events", tag: "ground-truth",
        body: .json(O.ref("GroundTruthVersionCreate")), responses: [.json(201, "created", O.ref("GroundTruthVersion"))])
    static let getVersion = RouteSpec(.get, "\(base)/versions/{id}", .role(.viewer), id: "getGroundTruthVersion",
        "One ground-truth version (event_count, statistics)", tag: "ground-truth", responses: [.json(200, "the version", O.ref("GroundTruthVersion"))])
    static let listEvents = RouteSpec(.get, "\(base)/events", .role(.viewer), id: "listGroundTruthEvents", "Ground-truth events with seed 002's filters",
        tag: "ground-truth",
        query: [
            .list("ground_truth_dataset_versions", .positiveInteger, maxCount: 100, description: "version ids, comma-separated or repeated"),
            .timestamp("created_after"), .string("data_type", maxLength: 50), .string("search", maxLength: 200),
            .boolean("list_all", description: "every match in one envelope (skip 0, limit the number of items); the gateway pages for the caller"),
        ] + ListLimits.groundTruthEvents,
        responses: [.list("events", item: "GroundTruthEvent")], problems: [422])

    static let all = [createDataset, listDatasets, createVersion, getVersion, listEvents]
}
