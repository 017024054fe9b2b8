import JSON

/// Login, users, API keys and the audit log.
enum AuthSpecs {
    typealias O = OpenAPI

    static let login = RouteSpec(.post, "/api/v1/auth/login", .public, id: "login", "Sign in; returns an access token", tag: "auth",
        body: .json(O.ref("LoginRequest")), responses: [.json(200, "signed in", O.ref("LoginResponse"))],
        mutates: false, callsBus: false, problems: [401])
    static let createUser = RouteSpec(.post, "/api/v1/admin/users", .role(.admin), id: "createUser", "Create a user", tag: "users",
        body: .json(O.ref("UserCreate")), responses: [.json(201, "created", O.ref("User"))], callsBus: false, problems: [409])
    static let listUsers = RouteSpec(.get, "/api/v1/admin/users", .role(.admin), id: "listUsers", "List users", tag: "users",
        query: ListLimits.accounts, responses: [.list("users", item: "User")], callsBus: false)
    static let updateUser = RouteSpec(.patch, "/api/v1/admin/users/{id}", .role(.admin), id: "updateUser", "Change a user's role or disable it", tag: "users",
        body: .json(O.ref("UserUpdate")), responses: [.json(200, "updated", O.ref("User"))], callsBus: false, problems: [404, 409])
    static let deleteUser = RouteSpec(.delete, "/api/v1/admin/users/{id}", .role(.admin), id: "deleteUser", "Delete a user", tag: "users",
        responses: [.empty(204, "deleted")], callsBus: false, problems: [404, 409])
    static let createAPIKey = RouteSpec(.post, "/api/v1/admin/api-keys", .role(.admin), id: "createApiKey", "Create an API key (shown once)", tag: "api-keys",
        body: .json(O.ref("ApiKeyCreate")), responses: [.json(201, "created", O.ref("ApiKeyCreated"))], callsBus: false, problems: [409])
    static let listAPIKeys = RouteSpec(.get, "/api/v1/admin/api-keys", .role(.admin), id: "listApiKeys", "List API keys", tag: "api-keys",
        query: ListLimits.accounts, responses: [.list("API keys", item: "ApiKey")], callsBus: false)
    static let revokeAPIKey = RouteSpec(.delete, "/api/v1/admin/api-keys/{id}", .role(.admin), id: "revokeApiKey", "Revoke an API key", tag: "api-keys",
        responses: [.empty(204, "revoked")], callsBus: false)
    static let listAudit = RouteSpec(.get, "/api/v1/admin/audit", .role(.admin), id: "listAudit", "Audit log, newest first", tag: "audit",
        query: [
            .string("subject"), .string("action", description: "METHOD /route/pattern"), .string("resource"),
            .integer("status", 100...599), .timestamp("since"), .timestamp("until"),
        ] + ListLimits.audit,
        responses: [.list("audit rows", item: "AuditEntry")], callsBus: false)

    static let all = [login, createUser, listUsers, updateUser, deleteUser, createAPIKey, listAPIKeys, revokeAPIKey, listAudit]
}
