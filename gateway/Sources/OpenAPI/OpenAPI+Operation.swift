import JSON

/// The OpenAPI operation of a route, derived from its spec alone.
extension OpenAPI {
    /// Every spec's operation, grouped by path in the specs' order.
    static func paths(_ specs: [RouteSpec]) -> [(String, JSONValue)] {
        var order: [String] = []
        var operations: [String: [(String, JSONValue)]] = [:]
        for spec in specs {
            if operations[spec.path] == nil { order.append(spec.path) }
            operations[spec.path, default: []].append((spec.method.rawValue.lowercased(), operation(spec)))
        }
        return order.map { ($0, .object(operations[$0]!)) }
    }

    static func operation(_ spec: RouteSpec) -> JSONValue {
        var members: [(String, JSONValue)] = [("operationId", s(spec.operationId)), ("summary", s(spec.summary)), ("tags", .array([s(spec.tag)]))]
        var description: String?
        switch spec.access {
        case .public:
            description = spec.notes
            members.append(("security", .array([])))
        case .role(let role):
            description = "Requires the \(role.rawValue) role or higher." + (spec.notes.map { " " + $0 } ?? "")
            members.append(("security", .array([obj(("bearerAuth", .array([])))])))
        }
        if let description { members.insert(("description", s(description)), at: 3) }
        let parameters = parameters(spec)
        if !parameters.isEmpty { members.append(("parameters", .array(parameters))) }
        if let body = spec.body {
            let content = body.content.map { ($0.0, obj(("schema", $0.1))) }
            members.append(("requestBody", obj(("required", .bool(body.required)), ("content", .object(content)))))
        }
        let success = spec.responses.map { response -> (String, JSONValue) in
            var described: [(String, JSONValue)] = [("description", s(response.description))]
            if !response.content.isEmpty { described.append(("content", .object(response.content.map { ($0.0, obj(("schema", $0.1))) }))) }
            return (String(response.status), .object(described))
        }
        // A gateway-kept Idempotency-Key answers 409 while its first request still runs.
        let problems = problems(public: spec.access == .public, body: spec.body != nil, bus: spec.callsBus, extra: spec.problems + (spec.replaysLocally ? [409] : []))
        members.append(("responses", .object(success + problems.filter { code, _ in !spec.responses.contains { String($0.status) == code } })))
        return .object(members)
    }

    /// Path, query, then header parameters; Idempotency-Key when the route mutates.
    static func parameters(_ spec: RouteSpec) -> [JSONValue] {
        var out = spec.pathParameterNames.map { name in
            parameter(name, in: "path", spec.pathSchemas[name] ?? positiveId, required: true)
        }
        out += spec.query.map { parameter($0.name, in: "query", schema($0), description: $0.description) }
        if spec.mutates { out.append(idempotencyParameter) }
        out += spec.headers.map { parameter($0.name, in: "header", $0.schema, required: $0.required, description: $0.description) }
        return out
    }

    static let positiveId = type("integer", ("minimum", .int(1)), ("format", s("int64")))

    /// The schema of a query parameter: the limits `QueryReader` enforces.
    static func schema(_ parameter: QueryParameter) -> JSONValue {
        switch parameter.kind {
        case .string(let maxLength):
            return type("string", ("maxLength", .int(Int64(maxLength))))
        case .integer(let range, let defaultValue):
            var members: [(String, JSONValue)] = [("type", s("integer")), ("minimum", .int(Int64(range.lowerBound)))]
            if range.upperBound != Int.max { members.append(("maximum", .int(Int64(range.upperBound)))) }
            if let defaultValue { members.append(("default", .int(Int64(defaultValue)))) }
            return .object(members)
        case .boolean:
            return type("boolean")
        case .choice(let values, let defaultValue):
            var members: [(String, JSONValue)] = [("type", s("string")), ("enum", .array(values.map(s)))]
            if let defaultValue { members.append(("default", s(defaultValue))) }
            return .object(members)
        case .timestamp:
            return dateTime
        case .list(let item, let maxCount):
            let items: JSONValue
            switch item {
            case .string(let maxLength): items = type("string", ("maxLength", .int(Int64(maxLength))))
            case .positiveInteger: items = type("integer", ("minimum", .int(1)))
            case .choice(let values): items = obj(("type", s("string")), ("enum", .array(values.map(s))))
            }
            return array(items, maxItems: maxCount)
        }
    }

    /// The list envelope of `item` (`ListEnvelope`).
    static func listSchema(item: String) -> JSONValue {
        object([("items", array(ref(item))), ("total", type("integer")), ("skip", type("integer")), ("limit", type("integer"))],
               required: ["items", "total", "skip", "limit"])
    }
}
