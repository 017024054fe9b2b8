import Foundation
import GatewayApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestKit
import Testing

@Suite("Gateway auth", .serialized)
struct AuthTests {
    /// Every route of the policy table × every kind of caller: a refused caller
    /// gets 401/403 from the middleware (before any bus call); an allowed one
    /// gets anything else. Iterating the table means a new route cannot be left out.
    @Test func roleRouteMatrix() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let callers: [(String, String?, Role?)] = [
                ("anonymous", nil, nil),
                ("viewer", try await gateway.user("viewer", admin: admin), .viewer),
                ("engineer", try await gateway.user("engineer", admin: admin), .engineer),
                ("admin", admin, .admin),
            ]
            let uploadId = UUID().uuidString.lowercased()
            for (rule, access) in AccessPolicy.table {
                let uri = rule.path.replacingOccurrences(of: "{id}", with: rule.path.contains("uploads") ? uploadId : "999999")
                    .replacingOccurrences(of: "{from}", with: "v1.0").replacingOccurrences(of: "{to}", with: "v1.1")
                for (name, token, role) in callers {
                    let principal = role.map { Principal(subject: name, role: $0) }
                    let body = rule.method == .get || rule.method == .delete ? nil : "{}"
                    let response = try await gateway.call(rule.method, uri, token: token, json: body)
                    switch AccessPolicy.decide(access, principal: principal) {
                    case .unauthenticated:
                        response.expectProblem(.unauthorized)
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    case .forbidden:
                        response.expectProblem(.forbidden)
                    case .allow:
                        #expect(response.status != .unauthorized && response.status != .forbidden,
                                "\(name) \(rule.action) → \(response.status): \(response.text)")
                    }
                    #expect(response.headers[.init("X-Request-Id")!] != nil)
                }
            }
            // Bad credentials are 401 on every protected route, never a pass.
            for token in ["not-a-jwt", admin + "x", "mlk_" + String(repeating: "0", count: 64)] {
                try await gateway.call(.get, "/api/v1/admin/models", token: token).expectProblem(.unauthorized)
            }
            try await gateway.call(.get, "/api/v1/admin/models", headers: [.authorization: "Basic YWRtaW46eA=="]).expectProblem(.unauthorized)
        }
    }

    /// The routes, the policy table and the OpenAPI document list the same operations.
    @Test func openAPIDescribesExactlyThePolicyTable() async throws {
        try await Gateway.with { gateway in
            let response = try await gateway.call(.get, "/openapi.json")
            #expect(response.status == .ok)
            let document = response.object
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var operations = Set<String>()
            for (path, methods) in paths {
                for (method, operation) in methods {
                    operations.insert("\(method.uppercased()) \(path)")
                    let responses = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                    #expect(responses["429"] != nil && responses["500"] != nil, "\(method) \(path) must describe its problems")
                }
            }
            #expect(operations == Set(AccessPolicy.table.map(\.rule.action)))
        }
        #expect(AccessPolicy.access(method: .get, path: "/api/v1/admin/not-a-route") == nil)
    }

    @Test func loginAndUsers() async throws {
        try await Gateway.with { gateway in
            let ok = try await gateway.call(.post, "/api/v1/auth/login", json: #"{"username":"admin","password":"\#(adminPassword)"}"#)
            #expect(ok.status == .ok)
            let body = ok.object
            #expect(body["token_type"] as? String == "bearer")
            #expect(body["expires_in"] as? Int == 3600)
            #expect(body["role"] as? String == "admin")
            let token = try #require(body["access_token"] as? String)
            #expect(token.split(separator: ".").count == 3)

            try await gateway.call(.post, "/api/v1/auth/login", json: #"{"username":"admin","password":"wrong-password"}"#).expectProblem(.unauthorized)
            try await gateway.call(.post, "/api/v1/auth/login", json: #"{"username":"nobody","password":"wrong-password"}"#).expectProblem(.unauthorized)
            try await gateway.call(.post, "/api/v1/auth/login", json: #"{"username":7}"#).expectProblem(.badRequest, fields: ["username", "password"])

            let created = try await gateway.call(.post, "/api/v1/admin/users", token: token, json: #"{"username":"eve","password":"eve-password-1","role":"engineer"}"#)
            #expect(created.status == .created)
            #expect(created.object["username"] as? String == "eve" && created.object["role"] as? String == "engineer")
            #expect(created.object["id"] is Int && created.object["created_at"] is String)
            try await gateway.call(.post, "/api/v1/admin/users", token: token, json: #"{"username":"eve","password":"eve-password-1","role":"engineer"}"#)
                .expectProblem(.conflict)
            try await gateway.call(.post, "/api/v1/admin/users", token: token, json: #"{"username":"bad name","password":"short","role":"root"}"#)
                .expectProblem(.badRequest, fields: ["username", "password", "role"])
            let eve = try await gateway.login("eve", "eve-password-1")
            try await gateway.call(.get, "/api/v1/admin/users", token: eve).expectProblem(.forbidden)
            let list = try await gateway.call(.get, "/api/v1/admin/users", token: token)
            #expect(list.status == .ok)
            #expect(list.object["total"] as? Int == 2)
            #expect((list.object["items"] as? [[String: Any]])?.map { $0["username"] as? String } == ["admin", "eve"])
        }
    }

    @Test func apiKeyCreateUseRevoke() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let created = try await gateway.call(.post, "/api/v1/admin/api-keys", token: admin, json: #"{"name":"ci","role":"admin"}"#)
            #expect(created.status == .created)
            let key = try #require(created.object["key"] as? String)
            let id = try #require(created.object["id"] as? Int)
            #expect(key.hasPrefix("mlk_") && key.count == 68)

            // The key works (twice: the second from the cache) and carries its role.
            for _ in 0..<2 {
                #expect(try await gateway.call(.get, "/api/v1/admin/api-keys", token: key).status == .ok)
            }
            let list = try await gateway.call(.get, "/api/v1/admin/api-keys", token: key)
            let items = try #require(list.object["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["name"] as? String == "ci" && items[0]["key"] == nil)
            #expect(items[0]["revoked_at"] is NSNull)
            // The database holds only the hash.
            let stored = try await gateway.database.ints("SELECT count(*)::int8 FROM gateway.api_keys WHERE key_sha256 = encode(sha256('\(key)'::bytea), 'hex')")
            #expect(stored == [1])

            let revoked = try await gateway.call(.delete, "/api/v1/admin/api-keys/\(id)", token: admin)
            #expect(revoked.status == .noContent)
            // Revocation takes effect at once, although the lookup was cached.
            try await gateway.call(.get, "/api/v1/admin/api-keys", token: key).expectProblem(.unauthorized)
            let after = try await gateway.call(.get, "/api/v1/admin/api-keys", token: admin)
            #expect((after.object["items"] as? [[String: Any]])?.first?["revoked_at"] is String)
            try await gateway.call(.delete, "/api/v1/admin/api-keys/424242", token: admin).expectProblem(.notFound)
            try await gateway.call(.delete, "/api/v1/admin/api-keys/abc", token: admin).expectProblem(.badRequest, fields: ["id"])

            // A viewer key cannot do admin or engineer work.
            let viewer = try #require(try await gateway.call(.post, "/api/v1/admin/api-keys", token: admin, json: #"{"name":"ro","role":"viewer"}"#).object["key"] as? String)
            try await gateway.call(.get, "/api/v1/admin/users", token: viewer).expectProblem(.forbidden)
            try await gateway.call(.post, "/api/v1/admin/uploads", token: viewer, json: #"{"filename":"a","size_bytes":1}"#).expectProblem(.forbidden)
        }
    }

    @Test func rateLimitPerClientIP() async throws {
        try await Gateway.with(environment: ["RATE_LIMIT_PER_MINUTE": "3", "TRUSTED_PROXY": "true"]) { gateway in
            let first: HTTPFields = [.init("X-Forwarded-For")!: "203.0.113.9, 10.0.0.1"]
            for _ in 0..<3 {
                #expect(try await gateway.call(.get, "/openapi.json", headers: first).status == .ok)
            }
            let limited = try await gateway.call(.get, "/openapi.json", headers: first)
            limited.expectProblem(.tooManyRequests)
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1 && retryAfter <= 20)
            // Mutations are audited also when refused by the limiter.
            let login = try await gateway.call(.post, "/api/v1/auth/login", json: #"{"username":"admin","password":"x"}"#, headers: first)
            login.expectProblem(.tooManyRequests)
            // Another client has its own bucket; probes are not limited.
            #expect(try await gateway.call(.get, "/openapi.json", headers: [.init("X-Forwarded-For")!: "10.0.0.2"]).status == .ok)
            #expect(try await gateway.call(.get, "/healthz", headers: first).status == .ok)

            let admin = try await gateway.login("admin", adminPassword)
            let requestId = try #require(login.headers[.init("X-Request-Id")!])
            let found = await eventually(timeout: .seconds(5)) {
                let rows = try? await gateway.call(.get, "/api/v1/admin/audit?status=429", token: admin,
                                                  headers: [.init("X-Forwarded-For")!: "10.1.\(Int.random(in: 0...255)).\(Int.random(in: 0...255))"])
                return (rows?.object["items"] as? [[String: Any]])?.contains { $0["request_id"] as? String == requestId && $0["client_ip"] as? String == "10.0.0.1" } == true
            }
            #expect(found)
        }
    }

    @Test func configurationProblemsExitWithStatus2() async throws {
        let process = try ChildProcess("gateway", environment: [
            "JWT_SECRET": "too-short", "HTTP_PORT": "99999", "ADMIN_USERNAME": "root", "ADMIN_PASSWORD": "short",
            "RATE_LIMIT_PER_MINUTE": "-1", "TRUSTED_PROXY": "maybe",
        ])
        let status = await process.waitForExit(timeout: .seconds(20))
        #expect(status == 2)
        let log = process.log
        for name in ["DATABASE_URL", "JWT_SECRET", "HTTP_PORT", "ADMIN_PASSWORD", "RATE_LIMIT_PER_MINUTE", "TRUSTED_PROXY"] {
            #expect(log.contains(name), "\(name) missing from: \(log)")
        }
    }
}
