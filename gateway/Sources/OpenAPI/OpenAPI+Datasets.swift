import Contracts
import JSON

/// The dataset and ground-truth schemas of the OpenAPI document.
extension OpenAPI {
    static func datasetSchemas() -> [(String, JSONValue)] {
        let int64 = type("integer", ("format", s("int64")))
        let nullableInt = type("integer", nullable: true)
        let openObject = anyObject
        let version = object([
            ("id", int64), ("dataset_id", int64), ("version", type("string")), ("sha256", type("string")),
            ("format", obj(("type", s("string")), ("enum", .array(Mlops_V1_Dataset_SourceFormat.names.map(s))))),
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
            ("status", obj(("type", s("string")), ("enum", .array(Mlops_V1_Dataset_DatasetStatus.names.map(s))))),
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
            ("DatasetCreate", object([
                ("name", type("string", ("minLength", .int(1)), ("maxLength", .int(255)))),
                ("description", type("string", ("maxLength", .int(10000)))),
                ("format", obj(("type", s("string")), ("enum", .array(DatasetFormat.allCases.map { s($0.rawValue) })))),
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
            ("DatasetUpdate", object([("status", obj(("type", s("string")), ("enum", .array(Mlops_V1_Dataset_DatasetStatus.settable.compactMap(\.name).map(s))))),
                                      ("description", type("string", ("maxLength", .int(10000))))], required: [])),
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
        ]
    }
}
