import Foundation
import Hummingbird
import JSON
import Logging
import PostgresNIO

/// Login, users, API keys and the audit log.
struct AuthRoutes {
    let users: UserStore
    let directory: UserDirectory
    let apiKeys: APIKeyStore
    let tokens: TokenService
    let hasher: PasswordHasher
    let auditStore: AuditStore
    let maxBodyBytes: Int

    func register(_ table: RouteTable) {
        table.add(AuthSpecs.login, login)
        table.add(AuthSpecs.createUser, createUser)
        table.add(AuthSpecs.listUsers, listUsers)
        table.add(AuthSpecs.updateUser, updateUser)
        table.add(AuthSpecs.deleteUser, deleteUser)
        table.add(AuthSpecs.createAPIKey, createAPIKey)
        table.add(AuthSpecs.listAPIKeys, listAPIKeys)
        table.add(AuthSpecs.revokeAPIKey, revokeAPIKey)
        table.add(AuthSpecs.listAudit, listAudit)
    }

    @Sendable func login(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var body = try await Body.object(request, limit: 16 * 1024, refusingNUL: false)
        body.rejectUnknown(["username", "password"])
        // The claimed name is audited even when it is refused (the audit escapes controls).
        if case .string(let claimed)? = body.value("username") { context.audit?.subject = claimed }
        let username = body.string("username", required: true, length: 1...64, pattern: .printable)
        let password = body.string("password", required: true, length: 1...1024)
        try body.finish()
        guard let username, let password else { throw GatewayError.internal() }
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
        var query = QueryReader(request, AuthSpecs.listUsers)
        let page = query.page()
        try query.finish()
        let (items, total) = try await users.list(skip: page.skip, limit: page.limit)
        return ListEnvelope.response(items, total: total, page: page, bytesPerItem: 120) { writeUser($0, into: &$1) }
    }

    @Sendable func updateUser(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try pathId(context)
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["role", "disabled"])
        let role = body.choice("role", Role.self)
        let disabled = body.bool("disabled")
        if role == nil, disabled == nil, body.problems.isEmpty { body.fail("body", "give role or disabled") }
        try body.finish()
        if role.map({ $0 != .admin }) == true || disabled == true { try await keepAnAdministrator(besides: id) }
        guard let user = try await users.update(id: id, role: role, disabled: disabled) else { throw GatewayError.notFound("no user \(id)") }
        directory.forget(user.username)
        context.audit?.resource = "users/\(id)"
        var writer = JSONWriter()
        writeUser(user, into: &writer)
        return jsonResponse(writer)
    }

    @Sendable func deleteUser(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try pathId(context)
        try await keepAnAdministrator(besides: id)
        guard let name = try await users.delete(id: id) else { throw GatewayError.notFound("no user \(id)") }
        directory.forget(name)
        return Response(status: .noContent)
    }

    /// Nobody may lock every administrator out: the last enabled one stays.
    private func keepAnAdministrator(besides id: Int64) async throws {
        if try await users.isLastActiveAdmin(id) { throw GatewayError.conflict("user \(id) is the last enabled administrator") }
    }

    private func writeUser(_ user: UserRecord, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id"); writer.int(user.id)
        writer.key("username"); writer.string(user.username)
        writer.key("role"); writer.string(user.role.rawValue)
        writer.key("disabled"); writer.bool(user.disabled)
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
        var query = QueryReader(request, AuthSpecs.listAPIKeys)
        let page = query.page()
        try query.finish()
        let (items, total) = try await apiKeys.list(skip: page.skip, limit: page.limit)
        return ListEnvelope.response(items, total: total, page: page, bytesPerItem: 160) { key, writer in
            writer.beginObject()
            writer.key("id"); writer.int(key.id)
            writer.key("name"); writer.string(key.name)
            writer.key("role"); writer.string(key.role.rawValue)
            writer.key("created_at"); writer.string(RFC3339.format(key.createdAt))
            writer.key("revoked_at")
            if let revoked = key.revokedAt { writer.string(RFC3339.format(revoked)) } else { writer.null() }
            writer.endObject()
        }
    }

    @Sendable func revokeAPIKey(_ request: Request, _ context: GatewayContext) async throws -> Response {
        let id = try pathId(context)
        guard try await apiKeys.revoke(id: id) else { throw GatewayError.notFound("no API key \(id)") }
        return Response(status: .noContent)
    }

    @Sendable func listAudit(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, AuthSpecs.listAudit)
        var filter = AuditStore.Filter()
        filter.subject = query.string("subject")
        filter.action = query.string("action")
        filter.resource = query.string("resource")
        filter.status = query.int("status")
        filter.since = query.timestamp("since")
        filter.until = query.timestamp("until")
        let page = query.page()
        try query.finish()
        let (items, total) = try await auditStore.list(filter, skip: page.skip, limit: page.limit)
        return ListEnvelope.response(items, total: total, page: page, bytesPerItem: 250) { row, writer in
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
    }
}
