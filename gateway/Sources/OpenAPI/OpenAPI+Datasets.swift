/// The dataset and ground-truth part of the OpenAPI document.
extension OpenAPI {
    static func datasetPaths() -> [(String, JSONValue)] {
        let base = DatasetRoutes.base
        let gt = GroundTruthRoutes.base
        let versionQuery = parameter("version", in: "query", type("string", ("minLength", .int(1)), ("maxLength", .int(50))), description: "a version label such as v1.1; default the latest")
        let statusSchema = obj(("type", s("string")), ("enum", .array(["active", "deprecated", "archived", "rejected"].map(s))))
        let label = type("string", ("pattern", s("^[A-Za-z0-9._-]{1,50}$")))
        let multipart = obj(("multipart/form-data", obj(("schema", ref("DatasetUploadForm")))))
        let createBody = obj(("required", .bool(true)), ("content", .object([("application/json", obj(("schema", ref("DatasetCreate"))))] + multipartMembers(multipart))))
        func create(_ id: String, _ summary: String, _ path: String, extraParameters: [JSONValue]) -> JSONValue {
            var members: [(String, JSONValue)] = [
                ("operationId", s(id)), ("summary", s(summary)), ("tags", .array([s("datasets")])),
                ("description", s("Requires the engineer role or higher. A file with bad lines answers 422 with the report (on_bad_lines=reject) and is listed as a rejected dataset.")),
                ("security", .array([obj(("bearerAuth", .array([])))])),
                ("parameters", .array(extraParameters + [idempotencyParameter])),
                ("requestBody", createBody),
            ]
            members.append(("responses", .object([("201", ok("ingested", ref("DatasetCreated")))] + problems(public: false, body: true, bus: true, extra: [422]))))
            return .object(members)
        }
        return [
            (base, obj(
                ("post", create("createDataset", "Upload a training dataset (multipart file or a completed upload id)", base, extraParameters: [])),
                ("get", operation("listDatasets", "List datasets, newest first", tag: "datasets", access: access("GET", base),
                    parameters: [parameter("status", in: "query", statusSchema), parameter("search", in: "query", type("string", ("maxLength", .int(255)))),
                                 skipParameter, parameter("limit", in: "query", type("integer", ("minimum", .int(1)), ("maximum", .int(500)), ("default", .int(20))))],
                    success: [("200", ok("datasets", ref("DatasetList")))], bus: true)))),
            ("\(base)/{id}", obj(
                ("get", operation("getDataset", "One dataset with its latest version", tag: "datasets", access: access("GET", "\(base)/{id}"),
                    parameters: [idParameter], success: [("200", ok("the dataset", ref("Dataset")))], bus: true)),
                ("patch", operation("updateDataset", "Change status (active, deprecated, archived) or description", tag: "datasets",
                    access: access("PATCH", "\(base)/{id}"), parameters: [idParameter, idempotencyParameter], body: ref("DatasetUpdate"),
                    success: [("200", ok("updated", ref("Dataset")))], bus: true)))),
            ("\(base)/{id}/versions", obj(
                ("post", create("createDatasetVersion", "Upload a file as the next major version of a dataset", "\(base)/{id}/versions", extraParameters: [idParameter])),
                ("get", operation("listDatasetVersions", "Versions with lineage, oldest first", tag: "datasets", access: access("GET", "\(base)/{id}/versions"),
                    parameters: [idParameter], success: [("200", ok("versions", ref("DatasetVersionList")))], bus: true)))),
            ("\(base)/{id}/versions/{from}/diff/{to}", obj(
                ("get", operation("diffDatasetVersions", "Added, removed and changed samples between two versions", tag: "datasets",
                    access: access("GET", "\(base)/{id}/versions/{from}/diff/{to}"),
                    parameters: [idParameter, parameter("from", in: "path", label, required: true), parameter("to", in: "path", label, required: true),
                                 parameter("samples", in: "query", type("integer", ("minimum", .int(0)), ("maximum", .int(50)), ("default", .int(5))))],
                    success: [("200", ok("the diff", ref("DatasetDiff")))], bus: true)))),
            ("\(base)/{id}/validate", obj(
                ("post", operation("validateDataset", "Run PII, duplicate, quality and toxicity checks; mask/dedup/filter into a derived version", tag: "datasets",
                    access: access("POST", "\(base)/{id}/validate"), parameters: [idParameter, idempotencyParameter], body: ref("DatasetValidate"),
                    bodyRequired: false, success: [("200", ok("the checks", ref("DatasetValidation")))], bus: true)))),
            ("\(base)/{id}/quality", obj(
                ("get", operation("datasetQualityChecks", "The latest run of each check on a version", tag: "datasets", access: access("GET", "\(base)/{id}/quality"),
                    parameters: [idParameter, versionQuery], success: [("200", ok("checks", ref("QualityCheckList")))], bus: true)))),
            ("\(base)/{id}/split", obj(
                ("post", operation("splitDataset", "Stratified, seeded train/val/test split of a version", tag: "datasets",
                    access: access("POST", "\(base)/{id}/split"), parameters: [idParameter, idempotencyParameter], body: ref("DatasetSplitRequest"),
                    bodyRequired: false, success: [("200", ok("the split", ref("DatasetSplit")))], bus: true)))),
            ("\(base)/{id}/stats", obj(
                ("get", operation("datasetStats", "Statistics of a version", tag: "datasets", access: access("GET", "\(base)/{id}/stats"),
                    parameters: [idParameter, versionQuery, parameter("tokenizer", in: "query", type("string", ("maxLength", .int(1024))), description: "a tokenizer folder inside DATA_ROOT")],
                    success: [("200", ok("statistics", ref("DatasetStats")))], bus: true)))),
            ("\(base)/{id}/report", obj(
                ("get", obj(
                    ("operationId", s("datasetReport")), ("summary", s("Quality report (self-contained HTML with inline SVG charts, or JSON)")),
                    ("tags", .array([s("datasets")])), ("description", s("Requires the viewer role or higher.")),
                    ("security", .array([obj(("bearerAuth", .array([])))])),
                    ("parameters", .array([idParameter, versionQuery, parameter("format", in: "query", obj(("type", s("string")), ("enum", .array([s("html"), s("json")])), ("default", s("html"))))])),
                    ("responses", .object([("200", obj(("description", s("the report")), ("content", obj(
                        ("text/html; charset=utf-8", obj(("schema", type("string")))), ("application/json", obj(("schema", anyObject)))
                    ))))] + problems(public: false, body: false, bus: true))))))),
            ("\(gt)/datasets", obj(
                ("post", operation("createGroundTruthDataset", "Create a ground-truth dataset", tag: "ground-truth", access: access("POST", "\(gt)/datasets"),
                    parameters: [idempotencyParameter], body: ref("GroundTruthDatasetCreate"), success: [("201", ok("created", ref("GroundTruthDataset")))], bus: true)),
                ("get", operation("listGroundTruthDatasets", "List ground-truth datasets", tag: "ground-truth", access: access("GET", "\(gt)/datasets"),
                    parameters: [parameter("search", in: "query", type("string", ("maxLength", .int(255)))), skipParameter,
                                 parameter("limit", in: "query", type("integer", ("minimum", .int(1)), ("maximum", .int(500)), ("default", .int(20))))],
                    success: [("200", ok("datasets", ref("GroundTruthDatasetList")))], bus: true)))),
            ("\(gt)/datasets/{id}/versions", obj(
                ("post", operation("createGroundTruthVersion", "Create an immutable version with its events", tag: "ground-truth",
                    access: access("POST", "\(gt)/datasets/{id}/versions"), parameters: [idParameter, idempotencyParameter],
                    body: ref("GroundTruthVersionCreate"), success: [("201", ok("created", ref("GroundTruthVersion")))], bus: true)))),
            ("\(gt)/versions/{id}", obj(
                ("get", operation("getGroundTruthVersion", "One ground-truth version (event_count, statistics)", tag: "ground-truth",
                    access: access("GET", "\(gt)/versions/{id}"), parameters: [idParameter], success: [("200", ok("the version", ref("GroundTruthVersion")))], bus: true)))),
            ("\(gt)/events", obj(
                ("get", operation("listGroundTruthEvents", "Ground-truth events with seed 002's filters", tag: "ground-truth", access: access("GET", "\(gt)/events"),
                    parameters: [
                        parameter("ground_truth_dataset_versions", in: "query", array(type("integer", ("minimum", .int(1))), maxItems: 100), description: "version ids, comma-separated or repeated"),
                        parameter("created_after", in: "query", dateTime),
                        parameter("data_type", in: "query", type("string", ("maxLength", .int(50)))),
                        parameter("search", in: "query", type("string", ("maxLength", .int(200)))),
                        parameter("list_all", in: "query", type("boolean"), description: "every match as one array (pagination handled by the gateway)"),
                        skipParameter, limitParameter(default: 100),
                    ],
                    success: [("200", ok("events: a page object, or an array with list_all=true", obj(("oneOf", .array([ref("GroundTruthEventPage"), array(ref("GroundTruthEvent"))])))))],
                    bus: true, extra: [422])))),
        ]
    }

    private static func multipartMembers(_ content: JSONValue) -> [(String, JSONValue)] {
        if case .object(let members) = content { return members }
        return []
    }

    static func datasetSchemas() -> [(String, JSONValue)] {
        let int64 = type("integer", ("format", s("int64")))
        let nullableInt = type("integer", nullable: true)
        let openObject = anyObject
        let version = object([
            ("id", int64), ("dataset_id", int64), ("version", type("string")), ("sha256", type("string")), ("format", type("string")),
            ("total_samples", type("integer")), ("size_bytes", type("integer")), ("parent_version_id", nullableInt),
            ("transformation", type("string")), ("parameters", openObject), ("dropped_lines", type("integer")),
            ("quality_score", type("number", nullable: true)), ("validated", type("boolean")),
            ("train_samples", nullableInt), ("val_samples", nullableInt), ("test_samples", nullableInt),
            ("created_by", type("string", nullable: true)), ("created_at", dateTime),
        ], required: ["id", "dataset_id", "version", "sha256", "total_samples", "transformation", "created_at"])
        let report = object([
            ("good_lines", type("integer")), ("bad_lines", type("integer")),
            ("errors", array(object([("line", type("integer")), ("field", type("string", nullable: true)), ("reason", type("string"))], required: ["line", "reason"]))),
        ], required: ["good_lines", "bad_lines", "errors"])
        let dataset = object([
            ("id", int64), ("name", type("string")), ("description", type("string", nullable: true)),
            ("status", obj(("type", s("string")), ("enum", .array(["active", "deprecated", "archived", "rejected"].map(s))))),
            ("created_by", type("string", nullable: true)), ("created_at", dateTime), ("updated_at", dateTime), ("version_count", type("integer")),
            ("latest_version", obj(("oneOf", .array([ref("DatasetVersion"), type("null")])))), ("rejection", ref("IngestReport")),
        ], required: ["id", "name", "status", "created_at", "version_count", "latest_version"])
        let check = object([("id", int64), ("check_type", type("string")), ("passed", type("boolean")), ("version_id", int64),
                            ("result", openObject), ("created_at", dateTime)], required: ["id", "check_type", "passed", "result"])
        let columns = obj(("type", s("object")), ("additionalProperties", type("string", ("minLength", .int(1)), ("maxLength", .int(255)))),
                          ("description", s("role → column name; roles: question, answer, system, category, source, id, quality_score")))
        let gtDataset = object([("id", int64), ("name", type("string")), ("description", type("string", nullable: true)),
                                ("created_by", type("string", nullable: true)), ("created_at", dateTime), ("version_count", type("integer"))],
                               required: ["id", "name", "created_at", "version_count"])
        let gtEvent = object([("id", int64), ("ground_truth_dataset_version", int64), ("data_type", type("string")), ("data", obj()),
                              ("data_unit", type("object", nullable: true)), ("metadata", type("object", nullable: true)), ("created_at", dateTime)],
                             required: ["id", "ground_truth_dataset_version", "data_type", "data", "created_at"])
        return [
            ("DatasetVersion", version),
            ("IngestReport", report),
            ("Dataset", dataset),
            ("DatasetList", object([("items", array(ref("Dataset"))), ("total", type("integer")), ("skip", type("integer")), ("limit", type("integer"))],
                                   required: ["items", "total"])),
            ("DatasetCreate", object([
                ("name", type("string", ("minLength", .int(1)), ("maxLength", .int(255)))),
                ("description", type("string", ("maxLength", .int(10000)))),
                ("format", obj(("type", s("string")), ("enum", .array(["jsonl", "json", "csv", "parquet"].map(s))))),
                ("upload_id", type("string", ("format", s("uuid")))),
                ("on_bad_lines", obj(("type", s("string")), ("enum", .array([s("reject"), s("drop")])))),
                ("columns", columns), ("csv_delimiter", type("string", ("minLength", .int(1)), ("maxLength", .int(1)))),
                ("keep_source", type("boolean")),
            ], required: ["upload_id"])),
            ("DatasetUploadForm", object([
                ("file", type("string", ("format", s("binary")))), ("name", type("string")), ("description", type("string")),
                ("format", type("string")), ("on_bad_lines", type("string")), ("columns", type("string", ("description", s("a JSON object")))),
                ("csv_delimiter", type("string")),
            ], required: ["file"], additional: true)),
            ("DatasetCreated", object([("dataset", ref("Dataset")), ("version", obj(("oneOf", .array([ref("DatasetVersion"), type("null")])))),
                                       ("report", ref("IngestReport"))], required: ["dataset", "version", "report"])),
            ("DatasetUpdate", object([("status", obj(("type", s("string")), ("enum", .array(["active", "deprecated", "archived"].map(s))))),
                                      ("description", type("string", ("maxLength", .int(10000))))], required: [])),
            ("DatasetVersionList", object([("items", array(ref("DatasetVersion"))), ("total", type("integer"))], required: ["items", "total"])),
            ("DatasetDiff", object([("from", ref("DatasetVersion")), ("to", ref("DatasetVersion")), ("added", type("integer")),
                                    ("removed", type("integer")), ("changed", type("integer")), ("unchanged", type("integer")), ("samples", openObject)],
                                   required: ["from", "to", "added", "removed", "changed", "unchanged", "samples"])),
            ("DatasetValidate", object([
                ("version", type("string", ("maxLength", .int(50)))),
                ("checks", array(obj(("type", s("string")), ("enum", .array(["pii", "exact_duplicates", "near_duplicates", "quality", "toxicity"].map(s)))), maxItems: 8)),
                ("mask_pii", type("boolean")), ("remove_duplicates", type("boolean")),
                ("min_score", type("number", ("minimum", .int(0)), ("maximum", .int(1)))),
                ("near_duplicate_threshold", type("number", ("exclusiveMinimum", .int(0)), ("exclusiveMaximum", .int(1)))),
                ("minhash_permutations", type("integer", ("minimum", .int(16)), ("maximum", .int(1024)))),
                ("shingle_size", type("integer", ("minimum", .int(1)), ("maximum", .int(16)))),
                ("extra_terms", obj(("type", s("object")), ("additionalProperties", array(type("string", ("minLength", .int(1)), ("maxLength", .int(200))))))),
            ], required: [])),
            ("QualityCheck", check),
            ("QualityCheckList", object([("items", array(ref("QualityCheck")))], required: ["items"])),
            ("DatasetValidation", object([("version", ref("DatasetVersion")), ("derived_version", obj(("oneOf", .array([ref("DatasetVersion"), type("null")])))),
                                          ("checks", array(ref("QualityCheck"))), ("seconds", type("number"))],
                                         required: ["version", "derived_version", "checks"])),
            ("DatasetSplitRequest", object([("version", type("string", ("maxLength", .int(50)))),
                                            ("train_ratio", type("number", ("minimum", .int(0)), ("maximum", .int(1)))),
                                            ("val_ratio", type("number", ("minimum", .int(0)), ("maximum", .int(1)))),
                                            ("test_ratio", type("number", ("minimum", .int(0)), ("maximum", .int(1)))),
                                            ("seed", type("integer", ("minimum", .int(0))))], required: [])),
            ("DatasetSplit", object([("version", ref("DatasetVersion")), ("train_samples", type("integer")), ("val_samples", type("integer")),
                                     ("test_samples", type("integer")), ("seed", type("integer")), ("strata", openObject)],
                                    required: ["version", "train_samples", "val_samples", "test_samples", "seed"])),
            ("DatasetStats", object([("version", ref("DatasetVersion")), ("stats", openObject)], required: ["version", "stats"])),
            ("GroundTruthDataset", gtDataset),
            ("GroundTruthDatasetCreate", object([("name", type("string", ("minLength", .int(1)), ("maxLength", .int(255)))),
                                                 ("description", type("string", ("maxLength", .int(10000))))], required: ["name"])),
            ("GroundTruthDatasetList", object([("items", array(ref("GroundTruthDataset"))), ("total", type("integer"))], required: ["items", "total"])),
            ("GroundTruthVersionCreate", object([
                ("version", type("string", ("pattern", s("^[A-Za-z0-9._-]{1,50}$")))),
                ("description", type("string", ("maxLength", .int(10000)))),
                ("events", array(object([("data_type", type("string", ("pattern", s("^[A-Za-z0-9_-]{1,50}$")))), ("data", obj()),
                                         ("data_unit", type("object", nullable: true)), ("metadata", type("object", nullable: true))],
                                        required: ["data"]), maxItems: 200_000)),
            ], required: ["version", "events"])),
            ("GroundTruthVersion", object([("id", int64), ("version", type("string")), ("ground_truth_dataset", ref("GroundTruthDataset")),
                                           ("event_count", type("integer")), ("description", type("string", nullable: true)), ("is_active", type("boolean")),
                                           ("created_at", dateTime), ("statistics", openObject)],
                                          required: ["id", "version", "ground_truth_dataset", "event_count", "created_at", "statistics"])),
            ("GroundTruthEvent", gtEvent),
            ("GroundTruthEventPage", object([("items", array(ref("GroundTruthEvent"))), ("total", type("integer")), ("skip", type("integer")), ("limit", type("integer"))],
                                            required: ["items", "total"])),
        ]
    }
}
