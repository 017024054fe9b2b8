import HTTPTypes
import JSON

/// Everything the gateway knows about one operation, written once: the router
/// registers it (`RouteTable.add`), `AccessPolicy` takes its access from it,
/// `QueryReader` validates its query parameters by it and `OpenAPI` describes
/// it from it. A route's role, limits and defaults therefore cannot drift apart.
struct RouteSpec: Sendable {
    let method: HTTPRequest.Method
    /// The router's own spelling, `{id}` for a parameter.
    let path: String
    let access: Access
    let operationId: String
    let summary: String
    let tag: String
    /// Said after the role in the OpenAPI description.
    var notes: String?
    /// Schemas of path parameters other than the default positive int64 `{id}`.
    var pathSchemas: [String: JSONValue]
    /// Every query parameter the route reads, and so the set it allows.
    var query: [QueryParameter]
    /// Header parameters besides Idempotency-Key (which `mutates` implies).
    var headers: [HeaderParameter]
    /// The OpenAPI request body: the gateway checks its JSON shape and types,
    /// the services own the value rules.
    var body: RequestBodySpec?
    /// The success responses; problem responses are derived.
    var responses: [ResponseSpec]
    /// Changes state: takes an Idempotency-Key.
    var mutates: Bool
    /// Calls a service over the bus (so it can answer 409, 412, 501, 503, 504).
    var callsBus: Bool
    /// Problem statuses beyond the derived ones.
    var problems: [Int]

    init(
        _ method: HTTPRequest.Method, _ path: String, _ access: Access, id operationId: String, _ summary: String, tag: String,
        notes: String? = nil, pathSchemas: [String: JSONValue] = [:], query: [QueryParameter] = [], headers: [HeaderParameter] = [],
        body: RequestBodySpec? = nil, responses: [ResponseSpec], mutates: Bool? = nil, callsBus: Bool = true, problems: [Int] = []
    ) {
        self.method = method
        self.path = path
        self.access = access
        self.operationId = operationId
        self.summary = summary
        self.tag = tag
        self.notes = notes
        self.pathSchemas = pathSchemas
        self.query = query
        self.headers = headers
        self.body = body
        self.responses = responses
        self.mutates = mutates ?? (method != .get && method != .head)
        self.callsBus = callsBus
        self.problems = problems
    }

    var rule: AccessPolicy.Rule { AccessPolicy.Rule(method, path) }

    /// A mutation the gateway answers itself, with a JSON body or none: its
    /// Idempotency-Key is kept by `GatewayIdempotency` (the bus routes' by the
    /// services). An upload chunk is left out: Content-Range makes it idempotent.
    var replaysLocally: Bool {
        mutates && !callsBus && (body.map { $0.content.allSatisfy { $0.0 == "application/json" } } ?? true)
    }

    /// The names of the `{name}` segments of the path, in order.
    var pathParameterNames: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// The query parameter names the route accepts.
    var allowedQuery: Set<String> { Set(query.map(\.name)) }

    func queryParameter(_ name: String) -> QueryParameter? { query.first { $0.name == name } }

    /// Answers the list envelope (`ListEnvelope`), paged by `skip` and `limit`.
    var isList: Bool { responses.contains { $0.isList } }
}

struct HeaderParameter: Sendable {
    let name: String
    let schema: JSONValue
    var required = false
    var description: String?
}

struct RequestBodySpec: Sendable {
    var required: Bool
    /// Media type → schema.
    var content: [(String, JSONValue)]

    static func json(_ schema: JSONValue, required: Bool = true) -> RequestBodySpec {
        RequestBodySpec(required: required, content: [("application/json", schema)])
    }
}

struct ResponseSpec: Sendable {
    let status: Int
    let description: String
    /// Media type → schema; empty for a response without a body.
    var content: [(String, JSONValue)]
    /// The item schema's component name when this is the list envelope.
    var listItem: String?

    var isList: Bool { listItem != nil }

    static func json(_ status: Int, _ description: String, _ schema: JSONValue) -> ResponseSpec {
        ResponseSpec(status: status, description: description, content: [("application/json", schema)])
    }

    /// `{"items": [...], "total", "skip", "limit"}` of the component `item`.
    static func list(_ description: String, item: String) -> ResponseSpec {
        ResponseSpec(status: 200, description: description, content: [("application/json", OpenAPI.listSchema(item: item))], listItem: item)
    }

    static func empty(_ status: Int, _ description: String) -> ResponseSpec {
        ResponseSpec(status: status, description: description, content: [])
    }

    static func text(_ status: Int, _ description: String, mediaType: String = "text/plain") -> ResponseSpec {
        ResponseSpec(status: status, description: description, content: [(mediaType, OpenAPI.type("string"))])
    }
}
