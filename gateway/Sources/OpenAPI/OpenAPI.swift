import Contracts
import JSON

/// The OpenAPI 3.1 description of every route (gateway/API.md in machine
/// form), served at GET /openapi.json. Its operations are derived from the
/// route specs (`GatewayRoutes.specs`, OpenAPI+Operation.swift); the schemas
/// of bodies are here. Built into a `JSONValue` once, so it is always valid
/// JSON. Every response is described, problem bodies included, so a fuzzer
/// can check responses against it.
enum OpenAPI {
    static let document: String = build().serialized

    // MARK: helpers

    static func obj(_ members: (String, JSONValue)...) -> JSONValue { .object(members) }
    static func s(_ text: String) -> JSONValue { .string(text) }
    static func ref(_ name: String) -> JSONValue { obj(("$ref", s("#/components/schemas/\(name)"))) }
    static func responseRef(_ name: String) -> JSONValue { obj(("$ref", s("#/components/responses/\(name)"))) }

    static func type(_ name: String, nullable: Bool = false, _ extra: (String, JSONValue)...) -> JSONValue {
        let typeValue: JSONValue = nullable ? .array([s(name), s("null")]) : s(name)
        return .object([("type", typeValue)] + extra)
    }

    static func object(_ properties: [(String, JSONValue)], required: [String], additional: Bool = false) -> JSONValue {
        obj(("type", s("object")), ("properties", .object(properties)),
            ("required", .array(required.map(s))), ("additionalProperties", .bool(additional)))
    }

    static func array(_ items: JSONValue, maxItems: Int? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("type", s("array")), ("items", items)]
        if let maxItems { members.append(("maxItems", .int(Int64(maxItems)))) }
        return .object(members)
    }

    static let dateTime = type("string", ("format", s("date-time")))
    static let nullableDateTime = type("string", nullable: true, ("format", s("date-time")))
    static let anyObject = obj(("type", s("object")), ("additionalProperties", .bool(true)))
    static let roleSchema = obj(("type", s("string")), ("enum", .array(Role.allCases.map { s($0.rawValue) })))
    static let stageSchema = obj(("type", s("string")), ("enum", .array(RegistryStage.names.map(s))))

    static func parameter(_ name: String, in location: String, _ schema: JSONValue, required: Bool = false, description: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("name", s(name)), ("in", s(location)), ("required", .bool(required)), ("schema", schema)]
        if let description { members.append(("description", s(description))) }
        if location == "query" && schema["type"] == s("array") {
            members.append(("style", s("form")))
            members.append(("explode", .bool(true)))
        }
        return .object(members)
    }

    static let idempotencyParameter = parameter("Idempotency-Key", in: "header", type("string", ("minLength", .int(1)), ("maxLength", .int(200))),
                                                        description: "A retry with the same key and body returns the first result")

    /// Problem responses an operation can give.
    static func problems(public isPublic: Bool, body: Bool, bus: Bool, extra: [Int] = []) -> [(String, JSONValue)] {
        var codes = Set([400, 404, 429, 500] + extra)
        if !isPublic { codes.formUnion([401, 403]) }
        if body { codes.formUnion([413, 415]) }
        if bus { codes.formUnion([404, 409, 412, 501, 503, 504]) }
        return codes.sorted().map { (String($0), responseRef("Problem\($0)")) }
    }

    // MARK: the document

    static func build() -> JSONValue {
        obj(
            ("openapi", s("3.1.0")),
            ("info", obj(("title", s("MLOps gateway admin API")), ("version", s("1.0.0")),
                         ("description", s("The REST contract of gateway/API.md. Errors are RFC 9457 problem+json.")))),
            ("servers", .array([obj(("url", s("/")))])),
            ("security", .array([obj(("bearerAuth", .array([])))])),
            ("paths", .object(paths(GatewayRoutes.specs))),
            ("components", obj(
                ("securitySchemes", obj(("bearerAuth", obj(("type", s("http")), ("scheme", s("bearer")),
                    ("description", s("A JWT from /api/v1/auth/login or an API key mlk_…")))))),
                ("schemas", .object(schemas() + datasetSchemas() + jobSchemas())),
                ("responses", .object(problemResponses()))
            ))
        )
    }

    static func problemResponses() -> [(String, JSONValue)] {
        let statuses: [(Int, String)] = [
            (400, "invalid input (the fields are named in errors)"), (401, "missing, invalid or expired credentials"),
            (403, "the caller's role is too low"), (404, "no such resource or route"), (409, "conflict"),
            (412, "the resource is not in a state that allows this"), (413, "the body is too large"),
            (415, "the body is not JSON"), (422, "the content does not match (sha256), or a dataset file was rejected"), (429, "rate limited"),
            (500, "internal error"), (501, "not implemented yet"), (503, "a service is unavailable"), (504, "a service did not answer in time"),
        ]
        return statuses.map { code, description in
            var members: [(String, JSONValue)] = [
                ("description", s(description)),
                ("content", obj((Problem.contentType, obj(("schema", ref("Problem")))))),
            ]
            if code == 429 || code == 503 {
                members.append(("headers", obj(("Retry-After", obj(("description", s("seconds to wait")), ("schema", type("integer", ("minimum", .int(1)))))))))
            }
            if code == 401 {
                members.append(("headers", obj(("WWW-Authenticate", obj(("schema", type("string")))))))
            }
            return ("Problem\(code)", .object(members))
        }
    }

    static func schemas() -> [(String, JSONValue)] {
        let int64 = type("integer", ("format", s("int64")))
        let model = object([
            ("id", int64), ("model_name", type("string")), ("version", type("string")),
            ("base_model", type("string", nullable: true)), ("finetuning_job_id", type("integer", nullable: true)),
            ("project", type("string", nullable: true)), ("model_type", type("string", nullable: true)),
            ("model_path", type("string", nullable: true)), ("model_format", type("string")),
            ("model_size_gb", type("number")), ("status", stageSchema), ("is_active", type("boolean")),
            ("deployment_config", anyObject), ("mlflow_model_uri", type("string", nullable: true)),
            ("description", type("string", nullable: true)), ("tags", array(type("string"))), ("created_by", type("string")),
            ("created_at", dateTime), ("updated_at", dateTime),
            ("artifact", obj(("oneOf", .array([ref("Artifact"), type("null")])))),
            ("metrics", obj(("type", s("object")), ("additionalProperties", type("number")))),
            ("benchmarks", array(ref("Benchmark"))),
            ("versions", array(ref("Model"))),
            ("stage_history", array(ref("StageChange"))),
        ], required: ["id", "model_name", "version", "base_model", "finetuning_job_id", "project", "model_type", "model_path",
                      "model_format", "model_size_gb", "status", "is_active", "deployment_config", "mlflow_model_uri",
                      "description", "tags", "created_by", "created_at", "updated_at", "artifact"])
        let nameString = type("string", ("minLength", .int(1)), ("maxLength", .int(255)))
        return [
            ("Problem", object([
                ("type", type("string", ("format", s("uri")))), ("title", type("string")), ("status", type("integer")),
                ("detail", type("string")), ("instance", type("string")), ("request_id", type("string")),
                ("errors", array(ref("FieldError"))), ("received_bytes", type("integer")),
            ], required: ["type", "title", "status", "detail", "instance", "request_id"])),
            ("FieldError", object([("field", type("string")), ("message", type("string"))], required: ["field", "message"])),
            ("LoginRequest", object([("username", type("string", ("minLength", .int(1)), ("maxLength", .int(64)))),
                                     ("password", type("string", ("minLength", .int(1)), ("maxLength", .int(1024))))], required: ["username", "password"])),
            ("LoginResponse", object([("access_token", type("string")), ("token_type", obj(("const", s("bearer")))),
                                      ("expires_in", type("integer")), ("role", roleSchema)], required: ["access_token", "token_type", "expires_in", "role"])),
            ("UserCreate", object([("username", type("string", ("minLength", .int(1)), ("maxLength", .int(64)), ("pattern", s("^[A-Za-z0-9._@-]+$")))),
                                   ("password", type("string", ("minLength", .int(12)), ("maxLength", .int(1024)))), ("role", roleSchema)],
                                  required: ["username", "password", "role"])),
            ("User", object([("id", int64), ("username", type("string")), ("role", roleSchema), ("disabled", type("boolean")), ("created_at", dateTime)],
                            required: ["id", "username", "role", "disabled", "created_at"])),
            ("UserUpdate", object([("role", roleSchema), ("disabled", type("boolean"))], required: [])),
            ("ApiKeyCreate", object([("name", type("string", ("minLength", .int(1)), ("maxLength", .int(100)))), ("role", roleSchema)], required: ["name", "role"])),
            ("ApiKeyCreated", object([("id", int64), ("name", type("string")), ("role", roleSchema),
                                      ("key", type("string", ("pattern", s("^mlk_[0-9a-f]{64}$")))), ("created_at", dateTime)],
                                     required: ["id", "name", "role", "key", "created_at"])),
            ("ApiKey", object([("id", int64), ("name", type("string")), ("role", roleSchema), ("created_at", dateTime), ("revoked_at", nullableDateTime)],
                              required: ["id", "name", "role", "created_at", "revoked_at"])),
            ("ModelLineage", object([
                ("model", ref("Model")), ("model_link", type("string")),
                ("job", obj(("oneOf", .array([ref("FinetuningJob"), type("null")])))), ("job_link", type("string", nullable: true)),
                ("dataset", obj(("oneOf", .array([ref("Dataset"), type("null")])))), ("dataset_link", type("string", nullable: true)),
                ("versions", array(object([("version", ref("DatasetVersion")), ("quality_checks", array(ref("QualityCheck"))), ("link", type("string"))],
                                          required: ["version", "quality_checks", "link"]))),
            ], required: ["model", "model_link", "job", "job_link", "dataset", "dataset_link", "versions"])),
            ("AuditEntry", object([("id", int64), ("subject", type("string")), ("role", type("string")), ("action", type("string")),
                                   ("resource", type("string")), ("client_ip", type("string")), ("request_id", type("string")),
                                   ("status", type("integer")), ("created_at", dateTime)],
                                  required: ["id", "subject", "role", "action", "resource", "client_ip", "request_id", "status", "created_at"])),
            ("Artifact", object([("sha256", type("string")), ("format", type("string")), ("size_bytes", type("integer"))], required: ["sha256", "format", "size_bytes"])),
            ("Benchmark", object([("id", int64), ("model_id", int64), ("benchmark_name", type("string")), ("score", type("number")),
                                  ("details", anyObject), ("benchmark_date", dateTime)],
                                 required: ["id", "model_id", "benchmark_name", "score", "details", "benchmark_date"])),
            ("BenchmarkCreate", object([("benchmark_name", nameString), ("score", type("number")), ("details", type("object", nullable: true))],
                                       required: ["benchmark_name", "score"])),
            ("StageChange", object([("id", int64), ("model_id", int64), ("from_stage", obj(("oneOf", .array([stageSchema, type("null")])))),
                                    ("to_stage", obj(("oneOf", .array([stageSchema, type("null")])))), ("actor", type("string")),
                                    ("reason", type("string", nullable: true)), ("changed_at", dateTime)],
                                   required: ["id", "model_id", "from_stage", "to_stage", "actor", "reason", "changed_at"])),
            ("Model", model),
            ("RegisterModel", object([
                ("model_name", type("string", ("minLength", .int(1)), ("maxLength", .int(255)), ("pattern", s("^[A-Za-z0-9._-]+$")))),
                ("version", type("string", ("minLength", .int(1)), ("maxLength", .int(50)))),
                ("base_model", type("string", nullable: true, ("maxLength", .int(255)))),
                ("finetuning_job_id", type("integer", nullable: true, ("minimum", .int(1)))),
                ("project", type("string", nullable: true, ("maxLength", .int(255)))),
                ("model_type", type("string", nullable: true, ("maxLength", .int(100)))),
                ("model_format", obj(("type", s("string")), ("enum", .array(Mlops_V1_Registry_ModelFormat.names.map(s))), ("default", s(Mlops_V1_Registry_ModelFormat.standard.name ?? "")))),
                ("artifact_sha256", type("string", ("pattern", s("^[0-9a-f]{64}$")))),
                ("model_path", type("string", ("minLength", .int(1)), ("maxLength", .int(1024)))),
                ("description", type("string", nullable: true, ("maxLength", .int(10000)))),
                ("tags", array(type("string", ("minLength", .int(1)), ("maxLength", .int(64))), maxItems: 32)),
                ("deployment_config", type("object", nullable: true)),
                ("mlflow_model_uri", type("string", nullable: true, ("maxLength", .int(1024)))),
            ], required: ["model_name", "version"])),
            ("UpdateModel", object([
                ("description", type("string", nullable: true, ("maxLength", .int(10000)))),
                ("tags", array(type("string", ("minLength", .int(1)), ("maxLength", .int(64))), maxItems: 32)),
                ("is_active", type("boolean")),
                ("deployment_config", type("object")),
            ], required: [])),
            ("StageBody", object([("reason", type("string", nullable: true, ("maxLength", .int(1000))))], required: [])),
            ("UploadCreate", object([("filename", type("string", ("minLength", .int(1)), ("maxLength", .int(255)))),
                                     ("size_bytes", type("integer", ("minimum", .int(0))))], required: ["filename", "size_bytes"])),
            ("Upload", object([("id", type("string", ("format", s("uuid")))), ("filename", type("string")), ("size_bytes", type("integer")),
                               ("received_bytes", type("integer")), ("status", obj(("type", s("string")), ("enum", .array([s("open"), s("complete")])))),
                               ("sha256", type("string", nullable: true))],
                              required: ["id", "filename", "size_bytes", "received_bytes", "status"])),
            ("UploadComplete", object([("sha256", type("string", ("pattern", s("^[0-9a-fA-F]{64}$"))))], required: ["sha256"])),
            ("UploadCompleted", object([("id", type("string", ("format", s("uuid")))), ("sha256", type("string")), ("size_bytes", type("integer")),
                                        ("status", obj(("const", s("complete"))))], required: ["id", "sha256", "size_bytes", "status"])),
        ]
    }
}
