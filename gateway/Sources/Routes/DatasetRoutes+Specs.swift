import Contracts
import JSON

/// /api/v1/admin/training/datasets…
enum DatasetSpecs {
    typealias O = OpenAPI
    static let base = "/api/v1/admin/training/datasets"

    static let version = QueryParameter.string("version", maxLength: 50, description: "a version label such as v1.1; default the latest")
    static let label = O.type("string", ("pattern", O.s("^[A-Za-z0-9._-]{1,50}$")))
    static let createBody = RequestBodySpec(required: true, content: [("application/json", O.ref("DatasetCreate")), ("multipart/form-data", O.ref("DatasetUploadForm"))])
    static let rejectedNote = "A file with bad lines answers 422 with the report (on_bad_lines=reject) and is listed as a rejected dataset."

    static let create = RouteSpec(.post, base, .role(.engineer), id: "createDataset", "Upload a training dataset (multipart file or a completed upload id)",
        tag: "datasets", notes: rejectedNote, body: createBody, responses: [.json(201, "ingested", O.ref("DatasetCreated"))], problems: [422])
    static let list = RouteSpec(.get, base, .role(.viewer), id: "listDatasets", "List datasets, newest first", tag: "datasets",
        query: [.choice("status", Mlops_V1_Dataset_DatasetStatus.self), .string("search")] + ListLimits.datasets,
        responses: [.list("datasets", item: "Dataset")])
    static let get = RouteSpec(.get, "\(base)/{id}", .role(.viewer), id: "getDataset", "One dataset with its latest version", tag: "datasets",
        responses: [.json(200, "the dataset", O.ref("Dataset"))])
    static let update = RouteSpec(.patch, "\(base)/{id}", .role(.engineer), id: "updateDataset", "Change status (active, deprecated, archived) or description",
        tag: "datasets", body: .json(O.ref("DatasetUpdate")), responses: [.json(200, "updated", O.ref("Dataset"))])
    static let createVersion = RouteSpec(.post, "\(base)/{id}/versions", .role(.engineer), id: "createDatasetVersion",
        "Upload a file as the next major version of a dataset", tag: "datasets", notes: rejectedNote, body: createBody,
        responses: [.json(201, "ingested", O.ref("DatasetCreated"))], problems: [422])
    static let versions = RouteSpec(.get, "\(base)/{id}/versions", .role(.viewer), id: "listDatasetVersions", "Versions with lineage, oldest first",
        tag: "datasets", query: ListLimits.datasets, responses: [.list("versions", item: "DatasetVersion")])
    static let diff = RouteSpec(.get, "\(base)/{id}/versions/{from}/diff/{to}", .role(.viewer), id: "diffDatasetVersions",
        "Added, removed and changed samples between two versions", tag: "datasets", pathSchemas: ["from": label, "to": label],
        query: [.integer("samples", 0...50, default: 5)], responses: [.json(200, "the diff", O.ref("DatasetDiff"))])
    static let validate = RouteSpec(.post, "\(base)/{id}/validate", .role(.engineer), id: "validateDataset",
        "Run PII, duplicate, quality and toxicity checks; mask/dedup/filter into a derived version", tag: "datasets",
        body: .json(O.ref("DatasetValidate"), required: false), responses: [.json(200, "the checks", O.ref("DatasetValidation"))])
    static let quality = RouteSpec(.get, "\(base)/{id}/quality", .role(.viewer), id: "datasetQualityChecks", "The latest run of each check on a version",
        tag: "datasets", query: [version] + ListLimits.datasets, responses: [.list("checks", item: "QualityCheck")])
    static let split = RouteSpec(.post, "\(base)/{id}/split", .role(.engineer), id: "splitDataset", "Stratified, seeded train/val/test split of a version",
        tag: "datasets", body: .json(O.ref("DatasetSplitRequest"), required: false), responses: [.json(200, "the split", O.ref("DatasetSplit"))])
    static let stats = RouteSpec(.get, "\(base)/{id}/stats", .role(.viewer), id: "datasetStats", "Statistics of a version", tag: "datasets",
        query: [version, .string("tokenizer", maxLength: 1024, description: "a tokenizer folder inside DATA_ROOT")],
        responses: [.json(200, "statistics", O.ref("DatasetStats"))])
    static let report = RouteSpec(.get, "\(base)/{id}/report", .role(.viewer), id: "datasetReport",
        "Quality report (self-contained HTML with inline SVG charts, or JSON)", tag: "datasets",
        query: [version, .choice("format", ["html", "json"], default: "html")],
        responses: [ResponseSpec(status: 200, description: "the report", content: [("text/html; charset=utf-8", O.type("string")), ("application/json", O.anyObject)])])

    static let all = [create, list, get, update, createVersion, versions, diff, validate, quality, split, stats, report]
}
