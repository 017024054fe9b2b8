/// The OpenAPI 3.1 description of every route (gateway/API.md in machine
/// form), served at GET /openapi.json. Built from small helpers into a
/// `JSONValue` once, so it is always valid JSON. Every response is described,
/// problem bodies included, so a fuzzer can check responses against it; the
/// test suite checks that its operations are exactly `AccessPolicy.table`.
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
    static let stageSchema = obj(("type", s("string")), ("enum", .array(StageName.allCases.map { s($0.rawValue) })))

    static func json(_ schema: JSONValue) -> JSONValue {
        obj(("application/json", obj(("schema", schema))))
    }

    static func ok(_ description: String, _ schema: JSONValue) -> JSONValue {
        obj(("description", s(description)), ("content", json(schema)))
    }

    static func parameter(_ name: String, in location: String, _ schema: JSONValue, required: Bool = false, description: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("name", s(name)), ("in", s(location)), ("required", .bool(required)), ("schema", schema)]
        if let description { members.append(("description", s(description))) }
        if location == "query" && schema["type"] == s("array") {
            members.append(("style", s("form")))
            members.append(("explode", .bool(true)))
        }
        return .object(members)
    }

    static let idParameter = parameter("id", in: "path", type("integer", ("minimum", .int(1)), ("format", s("int64"))), required: true)
    static let uploadIdParameter = parameter("id", in: "path", type("string", ("format", s("uuid"))), required: true)
    static let idempotencyParameter = parameter("Idempotency-Key", in: "header", type("string", ("minLength", .int(1)), ("maxLength", .int(200))),
                                                        description: "A retry with the same key and body returns the first result")
    static let skipParameter = parameter("skip", in: "query", type("integer", ("minimum", .int(0)), ("maximum", .int(Int64(Int32.max))), ("default", .int(0))))
    static func limitParameter(default value: Int) -> JSONValue {
        parameter("limit", in: "query", type("integer", ("minimum", .int(1)), ("maximum", .int(1000)), ("default", .int(Int64(value)))))
    }

    /// Problem responses an operation can give.
    static func problems(public isPublic: Bool, body: Bool, bus: Bool, extra: [Int] = []) -> [(String, JSONValue)] {
        var codes = Set([400, 404, 429, 500] + extra)
        if !isPublic { codes.formUnion([401, 403]) }
        if body { codes.formUnion([413, 415]) }
        if bus { codes.formUnion([404, 409, 412, 501, 503, 504]) }
        return codes.sorted().map { (String($0), responseRef("Problem\($0)")) }
    }

    static func operation(
        _ id: String, _ summary: String, tag: String, access: Access, parameters: [JSONValue] = [],
        body: JSONValue? = nil, bodyRequired: Bool = true, success: [(String, JSONValue)], bus: Bool = false, extra: [Int] = []
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [("operationId", s(id)), ("summary", s(summary)), ("tags", .array([s(tag)]))]
        switch access {
        case .public:
            members.append(("security", .array([])))
        case .role(let role):
            members.append(("description", s("Requires the \(role.rawValue) role or higher.")))
            members.append(("security", .array([obj(("bearerAuth", .array([])))])))
        }
        if !parameters.isEmpty { members.append(("parameters", .array(parameters))) }
        if let body {
            members.append(("requestBody", obj(("required", .bool(bodyRequired)), ("content", json(body)))))
        }
        let isPublic = access == .public
        members.append(("responses", .object(success + problems(public: isPublic, body: body != nil, bus: bus, extra: extra))))
        return .object(members)
    }

    static func access(_ method: String, _ path: String) -> Access {
        AccessPolicy.table.first { $0.rule.method.rawValue == method && $0.rule.path == path }!.access
    }

    // MARK: the document

    static func build() -> JSONValue {
        let text = obj(("text/plain", obj(("schema", type("string")))))
        let paths: [(String, JSONValue)] = [
            ("/healthz", obj(("get", operation("healthz", "Liveness", tag: "health", access: .public,
                success: [("200", obj(("description", s("alive")), ("content", text)))])))),
            ("/readyz", obj(("get", operation("readyz", "Readiness (database and bus reachable)", tag: "health", access: .public,
                success: [("200", obj(("description", s("ready")), ("content", text))), ("503", obj(("description", s("not ready")), ("content", text)))])))),
            ("/metrics", obj(("get", operation("metrics", "Prometheus metrics", tag: "health", access: .public,
                success: [("200", obj(("description", s("metrics in the Prometheus text format")), ("content", text)))])))),
            ("/openapi.json", obj(("get", operation("openapi", "This document", tag: "health", access: .public,
                success: [("200", ok("OpenAPI 3.1 document", anyObject))])))),
            ("/api/v1/auth/login", obj(("post", operation("login", "Sign in; returns an access token", tag: "auth", access: access("POST", "/api/v1/auth/login"),
                body: ref("LoginRequest"), success: [("200", ok("signed in", ref("LoginResponse")))], extra: [401])))),
            ("/api/v1/admin/users", obj(
                ("post", operation("createUser", "Create a user", tag: "users", access: access("POST", "/api/v1/admin/users"),
                    parameters: [idempotencyParameter], body: ref("UserCreate"), success: [("201", ok("created", ref("User")))], extra: [409])),
                ("get", operation("listUsers", "List users", tag: "users", access: access("GET", "/api/v1/admin/users"),
                    parameters: [skipParameter, limitParameter(default: 100)], success: [("200", ok("users", ref("UserList")))])))),
            ("/api/v1/admin/api-keys", obj(
                ("post", operation("createApiKey", "Create an API key (shown once)", tag: "api-keys", access: access("POST", "/api/v1/admin/api-keys"),
                    parameters: [idempotencyParameter], body: ref("ApiKeyCreate"), success: [("201", ok("created", ref("ApiKeyCreated")))])),
                ("get", operation("listApiKeys", "List API keys", tag: "api-keys", access: access("GET", "/api/v1/admin/api-keys"),
                    parameters: [skipParameter, limitParameter(default: 100)], success: [("200", ok("API keys", ref("ApiKeyList")))])))),
            ("/api/v1/admin/api-keys/{id}", obj(
                ("delete", operation("revokeApiKey", "Revoke an API key", tag: "api-keys", access: access("DELETE", "/api/v1/admin/api-keys/{id}"),
                    parameters: [idParameter, idempotencyParameter], success: [("204", obj(("description", s("revoked"))))])))),
            ("/api/v1/admin/audit", obj(
                ("get", operation("listAudit", "Audit log, newest first", tag: "audit", access: access("GET", "/api/v1/admin/audit"),
                    parameters: [
                        parameter("subject", in: "query", type("string", ("maxLength", .int(255)))),
                        parameter("action", in: "query", type("string", ("maxLength", .int(255))), description: "METHOD /route/pattern"),
                        parameter("resource", in: "query", type("string", ("maxLength", .int(255)))),
                        parameter("status", in: "query", type("integer", ("minimum", .int(100)), ("maximum", .int(599)))),
                        parameter("since", in: "query", dateTime),
                        parameter("until", in: "query", dateTime),
                        skipParameter, limitParameter(default: 50),
                    ],
                    success: [("200", ok("audit rows", ref("AuditList")))])))),
            ("/api/v1/admin/models/register", obj(
                ("post", operation("registerModel", "Register a model version", tag: "models", access: access("POST", "/api/v1/admin/models/register"),
                    parameters: [idempotencyParameter], body: ref("RegisterModel"), success: [("201", ok("registered", ref("Model")))], bus: true)))),
            ("/api/v1/admin/models", obj(
                ("get", operation("listModels", "List models, newest first", tag: "models", access: access("GET", "/api/v1/admin/models"),
                    parameters: [
                        parameter("project", in: "query", type("string", ("maxLength", .int(255)))),
                        parameter("model_type", in: "query", type("string", ("maxLength", .int(255)))),
                        parameter("is_active", in: "query", type("boolean")),
                        parameter("status", in: "query", stageSchema),
                        parameter("tags", in: "query", array(type("string", ("maxLength", .int(64))), maxItems: 32), description: "comma-separated or repeated; all must match"),
                        parameter("created_after", in: "query", dateTime),
                        parameter("search", in: "query", type("string", ("maxLength", .int(255)))),
                        skipParameter, limitParameter(default: 50),
                    ],
                    success: [("200", ok("models", ref("ModelList")))], bus: true)))),
            ("/api/v1/admin/models/{id}", obj(
                ("get", operation("getModel", "One model", tag: "models", access: access("GET", "/api/v1/admin/models/{id}"),
                    parameters: [idParameter, parameter("expand", in: "query",
                        array(obj(("type", s("string")), ("enum", .array([s("metrics"), s("evaluations"), s("versions")]))), maxItems: 3),
                        description: "comma-separated")],
                    success: [("200", ok("the model", ref("Model")))], bus: true)),
                ("patch", operation("updateModel", "Update description, tags, is_active or deployment_config", tag: "models",
                    access: access("PATCH", "/api/v1/admin/models/{id}"), parameters: [idParameter, idempotencyParameter],
                    body: ref("UpdateModel"), success: [("200", ok("updated", ref("Model")))], bus: true)))),
            ("/api/v1/admin/models/{id}/promote", stagePath("promoteModel", "Staging → production (the previous production version is archived)", "/api/v1/admin/models/{id}/promote")),
            ("/api/v1/admin/models/{id}/archive", stagePath("archiveModel", "Archive", "/api/v1/admin/models/{id}/archive")),
            ("/api/v1/admin/models/{id}/rollback", stagePath("rollbackModel", "Make an earlier production version production again", "/api/v1/admin/models/{id}/rollback")),
            ("/api/v1/admin/models/{id}/benchmarks", obj(
                ("get", operation("listBenchmarks", "Benchmarks of a model", tag: "models", access: access("GET", "/api/v1/admin/models/{id}/benchmarks"),
                    parameters: [idParameter], success: [("200", ok("benchmarks", ref("BenchmarkList")))], bus: true)),
                ("post", operation("addBenchmark", "Record a benchmark score", tag: "models", access: access("POST", "/api/v1/admin/models/{id}/benchmarks"),
                    parameters: [idParameter, idempotencyParameter], body: ref("BenchmarkCreate"), success: [("201", ok("recorded", ref("Benchmark")))], bus: true)))),
            ("/api/v1/admin/models/{id}/evaluate", obj(
                ("post", operation("evaluateModel", "Evaluate a model (not implemented yet)", tag: "models", access: access("POST", "/api/v1/admin/models/{id}/evaluate"),
                    parameters: [idParameter, idempotencyParameter], success: [], extra: [501])))),
            ("/api/v1/admin/models/{id}/deploy", obj(
                ("post", operation("deployModel", "Deploy a model (not implemented yet)", tag: "models", access: access("POST", "/api/v1/admin/models/{id}/deploy"),
                    parameters: [idParameter, idempotencyParameter], success: [], extra: [501])))),
            ("/api/v1/admin/uploads", obj(
                ("post", operation("createUpload", "Start a resumable upload", tag: "uploads", access: access("POST", "/api/v1/admin/uploads"),
                    parameters: [idempotencyParameter], body: ref("UploadCreate"), success: [("201", ok("created", ref("Upload")))])))),
            ("/api/v1/admin/uploads/{id}", obj(
                ("put", obj(
                    ("operationId", s("putUploadChunk")), ("summary", s("Send the next chunk (Content-Range: bytes START-END/TOTAL, START = received_bytes)")),
                    ("tags", .array([s("uploads")])), ("description", s("Requires the engineer role or higher.")),
                    ("security", .array([obj(("bearerAuth", .array([])))])),
                    ("parameters", .array([uploadIdParameter, idempotencyParameter,
                        parameter("Content-Range", in: "header", type("string", ("pattern", s("^bytes [0-9]+-[0-9]+/[0-9]+$"))), required: true)])),
                    ("requestBody", obj(("required", .bool(true)), ("content", obj(("application/octet-stream", obj(("schema", type("string", ("format", s("binary")))))))))),
                    ("responses", .object([("200", ok("chunk stored", ref("Upload")))] + problems(public: false, body: false, bus: false, extra: [409]))))),
                ("get", operation("getUpload", "Upload state (to resume)", tag: "uploads", access: access("GET", "/api/v1/admin/uploads/{id}"),
                    parameters: [uploadIdParameter], success: [("200", ok("the upload", ref("Upload")))])))),
            ("/api/v1/admin/uploads/{id}/complete", obj(
                ("post", operation("completeUpload", "Verify the sha256 and store the upload as a blob", tag: "uploads",
                    access: access("POST", "/api/v1/admin/uploads/{id}/complete"), parameters: [uploadIdParameter, idempotencyParameter],
                    body: ref("UploadComplete"), success: [("200", ok("stored", ref("UploadCompleted")))], extra: [409, 422])))),
        ] + datasetPaths() + jobPaths()
        return obj(
            ("openapi", s("3.1.0")),
            ("info", obj(("title", s("MLOps gateway admin API")), ("version", s("1.0.0")),
                         ("description", s("The REST contract of gateway/API.md. Errors are RFC 9457 problem+json.")))),
            ("servers", .array([obj(("url", s("/")))])),
            ("security", .array([obj(("bearerAuth", .array([])))])),
            ("paths", .object(paths)),
            ("components", obj(
                ("securitySchemes", obj(("bearerAuth", obj(("type", s("http")), ("scheme", s("bearer")),
                    ("description", s("A JWT from /api/v1/auth/login or an API key mlk_…")))))),
                ("schemas", .object(schemas() + datasetSchemas() + jobSchemas())),
                ("responses", .object(problemResponses()))
            ))
        )
    }

    static func stagePath(_ id: String, _ summary: String, _ path: String) -> JSONValue {
        obj(("post", operation(id, summary, tag: "models", access: access("POST", path), parameters: [idParameter, idempotencyParameter],
            body: ref("StageBody"), bodyRequired: false, success: [("200", ok("the model", ref("Model")))], bus: true)))
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
            ("User", object([("id", int64), ("username", type("string")), ("role", roleSchema), ("created_at", dateTime)],
                            required: ["id", "username", "role", "created_at"])),
            ("UserList", object([("items", array(ref("User"))), ("total", type("integer"))], required: ["items", "total"])),
            ("ApiKeyCreate", object([("name", type("string", ("minLength", .int(1)), ("maxLength", .int(100)))), ("role", roleSchema)], required: ["name", "role"])),
            ("ApiKeyCreated", object([("id", int64), ("name", type("string")), ("role", roleSchema),
                                      ("key", type("string", ("pattern", s("^mlk_[0-9a-f]{64}$")))), ("created_at", dateTime)],
                                     required: ["id", "name", "role", "key", "created_at"])),
            ("ApiKey", object([("id", int64), ("name", type("string")), ("role", roleSchema), ("created_at", dateTime), ("revoked_at", nullableDateTime)],
                              required: ["id", "name", "role", "created_at", "revoked_at"])),
            ("ApiKeyList", object([("items", array(ref("ApiKey"))), ("total", type("integer"))], required: ["items", "total"])),
            ("AuditEntry", object([("id", int64), ("subject", type("string")), ("role", type("string")), ("action", type("string")),
                                   ("resource", type("string")), ("client_ip", type("string")), ("request_id", type("string")),
                                   ("status", type("integer")), ("created_at", dateTime)],
                                  required: ["id", "subject", "role", "action", "resource", "client_ip", "request_id", "status", "created_at"])),
            ("AuditList", object([("items", array(ref("AuditEntry"))), ("total", type("integer")), ("skip", type("integer")), ("limit", type("integer"))],
                                 required: ["items", "total", "skip", "limit"])),
            ("Artifact", object([("sha256", type("string")), ("format", type("string")), ("size_bytes", type("integer"))], required: ["sha256", "format", "size_bytes"])),
            ("Benchmark", object([("id", int64), ("model_id", int64), ("benchmark_name", type("string")), ("score", type("number")),
                                  ("details", anyObject), ("benchmark_date", dateTime)],
                                 required: ["id", "model_id", "benchmark_name", "score", "details", "benchmark_date"])),
            ("BenchmarkList", object([("items", array(ref("Benchmark"))), ("total", type("integer"))], required: ["items", "total"])),
            ("BenchmarkCreate", object([("benchmark_name", nameString), ("score", type("number")), ("details", type("object", nullable: true))],
                                       required: ["benchmark_name", "score"])),
            ("StageChange", object([("id", int64), ("model_id", int64), ("from_stage", obj(("oneOf", .array([stageSchema, type("null")])))),
                                    ("to_stage", obj(("oneOf", .array([stageSchema, type("null")])))), ("actor", type("string")),
                                    ("reason", type("string", nullable: true)), ("changed_at", dateTime)],
                                   required: ["id", "model_id", "from_stage", "to_stage", "actor", "reason", "changed_at"])),
            ("Model", model),
            ("ModelList", object([("items", array(ref("Model"))), ("total", type("integer")), ("skip", type("integer")), ("limit", type("integer"))],
                                 required: ["items", "total", "skip", "limit"])),
            ("RegisterModel", object([
                ("model_name", type("string", ("minLength", .int(1)), ("maxLength", .int(255)), ("pattern", s("^[A-Za-z0-9._-]+$")))),
                ("version", type("string", ("minLength", .int(1)), ("maxLength", .int(50)))),
                ("base_model", type("string", nullable: true, ("maxLength", .int(255)))),
                ("finetuning_job_id", type("integer", nullable: true, ("minimum", .int(1)))),
                ("project", type("string", nullable: true, ("maxLength", .int(255)))),
                ("model_type", type("string", nullable: true, ("maxLength", .int(100)))),
                ("model_format", obj(("type", s("string")), ("enum", .array(ModelFormat.allCases.map { s($0.rawValue) })), ("default", s("huggingface")))),
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
