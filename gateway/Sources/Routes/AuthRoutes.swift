import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// Login, users, API keys and the audit log.
struct AuthRoutes {
    let users: UserStore
    let apiKeys: APIKeyStore
    let tokens: TokenService
    let hasher: PasswordHasher
    let auditStore: AuditStore
    let maxBodyBytes: Int

    func register(_ table: RouteTable) {
        table.add(.post, "/api/v1/auth/login", login)
        table.add(.post, "/api/v1/admin/users", createUser)
        table.add(.get, "/api/v1/admin/users", listUsers)
        table.add(.post, "/api/v1/admin/api-keys", createAPIKey)
        table.add(.get, "/api/v1/admin/api-keys", listAPIKeys)
        table.add(.delete, "/api/v1/admin/api-keys/{id}", revokeAPIKey)
        table.add(.get, "/api/v1/admin/audit", listAudit)
    }

    @Sendable func login(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var body = try await Body.object(request, limit: 16 * 1024)
        body.rejectUnknown(["username", "password"])
        let username = body.string("username", required: true, length: 1...64)
        let password = body.string("password", required: true, length: 1...1024)
        try body.finish()
        guard let username, let password else { throw GatewayError.internal() }
        context.audit?.subject = username
        context.audit?.resource = "users/\(username)"
        guard let (user, stored) = try await users.credentials(username: username) else {
            await hasher.burn(password)
            throw GatewayError.unauthorized("unknown user name or wrong password")
        }
        guard await hasher.verify(password, against: stored) else {
            throw GatewayError.unauthorized("unknown user name or wrong password")
        }
        let token = try await tokens.issue(for: Principal(subject: user.username, role: user.role))
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("access_token"); writer.string(token)
        writer.key("token_type"); writer.string("bearer")
        writer.key("expires_in"); writer.int(tokens.ttlSeconds)
        writer.key("role"); writer.string(user.role.rawValue)
        writer.endObject()
        return jsonResponse(writer)
    }

    @Sendable func createUser(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["username", "password", "role"])
        let username = body.string("username", required: true, length: 1...64)
        if let username, let problem = UserValidation.usernameProblem(username) { body.fail("username", problem) }
        let password = body.string("password", required: true, length: 1...1024)
        if let password, let problem = UserValidation.passwordProblem(password) { body.fail("password", problem) }
        let role = body.choice("role", Role.self, required: true)
        try body.finish()
        guard let username, let password, let role else { throw GatewayError.internal() }
        let hash = try await hasher.hash(password)
        guard let user = try await users.create(username: username, role: role, password: hash) else {
            throw GatewayError(.conflict, "conflict", "user '\(username)' already exists", errors: [FieldError("username", "is taken")])
        }
        context.audit?.resource = "users/\(user.id)"
        var writer = JSONWriter()
        writeUser(user, into: &writer)
        return jsonResponse(writer, status: .created)
    }

    @Sendable func listUsers(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request)
        let skip = query.int("skip", default: 0, range: 0...Int(Int32.max))
        let limit = query.int("limit", default: 100, range: 1...1000)
        try query.finish()
        let (items, total) = try await users.list(skip: skip, limit: limit)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("items")
        writer.beginArray()
        for user in items { writeUser(user, into: &writer) }
        writer.endArray()
        writer.key("total"); writer.int(total)
        writer.endObject()
        return jsonResponse(writer)
    }

    private func writeUser(_ user: UserRecord, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id"); writer.int(user.id)
        writer.key("username"); writer.string(user.username)
        writer.key("role"); writer.string(user.role.rawValue)
        writer.key("created_at"); writer.string(RFC3339.format(user.createdAt))
        writer.endObject()
    }

    @Sendable func createAPIKey(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["name", "role"])
        let name = body.string("name", required: true, length: 1...100, pattern: .printable)
        let role = body.choice("role", Role.self, required: true)
        try body.finish()
        guard let name, let role else { throw GatewayError.internal() }
        let (record, key) = try await apiKeys.create(name: name, role: role, createdBy: try context.caller().subject)
        context.audit?.resource = "api-keys/\(record.id)"
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id"); writer.int(record.id)
        writer.key("name"); writer.string(record.name)
        writer.key("role"); writer.string(record.role.rawValue)
        writer.key("key"); writer.string(key)
        writer.key("created_at"); writer.string(RFC3339.format(record.createdAt))
        writer.endObject()
        return jsonResponse(writer, status: .created)
    }

    @Sendable func listAPIKeys(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request)
        let skip = query.int("skip", default: 0, range: 0...Int(Int32.max))
        let limit = query.int("limit", default: 100, range: 1...1000)
        try query.finish()
        let (items, total) = try await apiKeys.list(skip: skip, limit: limit)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("items")
        writer.beginArray()
        for key in items {
            writer.beginObject()
            writer.key("id"); writer.int(key.id)
            writer.key("name"); writer.string(key.name)
            writer.key("role"); writer.string(key.role.rawValue)
            writer.key("created_at"); writer.string(RFC3339.format(key.createdAt))
            writer.key("revoked_at")
            if let revoked = key.revokedAt { writer.string(RFC3339.format(revoked)) } else { writer.null() }
            writer.endObject()
        }
        writer.endArray()
        writer.key("total"); writer.int(total)
        writer.endObject()
        return jsonResponse(writer)
    }

    @Sendable func revokeAPIKey(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try pathId(context)
        guard try await apiKeys.revoke(id: id) else { throw GatewayError.notFound("no API key \(id)") }
        return Response(status: .noContent)
    }

    @Sendable func listAudit(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request)
        var filter = AuditStore.Filter()
        filter.subject = query.string("subject")
        filter.action = query.string("action")
        filter.resource = query.string("resource")
        filter.status = query.optionalInt("status", range: 100...599)
        filter.since = query.timestamp("since")
        filter.until = query.timestamp("until")
        let skip = query.int("skip", default: 0, range: 0...Int(Int32.max))
        let limit = query.int("limit", default: 50, range: 1...1000)
        try query.finish()
        let (items, total) = try await auditStore.list(filter, skip: skip, limit: limit)
        var writer = JSONWriter(capacity: 256 + items.count * 250)
        writer.beginObject()
        writer.key("items")
        writer.beginArray()
        for row in items {
            writer.beginObject()
            writer.key("id"); writer.int(row.id)
            writer.key("subject"); writer.string(row.entry.subject)
            writer.key("role"); writer.string(row.entry.role)
            writer.key("action"); writer.string(row.entry.action)
            writer.key("resource"); writer.string(row.entry.resource)
            writer.key("client_ip"); writer.string(row.entry.clientIP)
            writer.key("request_id"); writer.string(row.entry.requestId)
            writer.key("status"); writer.int(row.entry.status)
            writer.key("created_at"); writer.string(RFC3339.format(row.entry.createdAt))
            writer.endObject()
        }
        writer.endArray()
        writer.key("total"); writer.int(total)
        writer.key("skip"); writer.int(skip)
        writer.key("limit"); writer.int(limit)
        writer.endObject()
        return jsonResponse(writer)
    }
}
