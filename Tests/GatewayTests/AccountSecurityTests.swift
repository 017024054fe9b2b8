import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestKit
import Testing

/// Tokens, accounts and protocol consistency (issue "Security", items 7 and 8).
@Suite("Gateway accounts and tokens", .serialized)
struct AccountSecurityTests {
    static let environment = ["USER_CHECK_SECONDS": "1"]

    @Test func deletingDisablingOrDemotingAUserTakesEffectWithoutWaitingForTheToken() async throws {
        try await Gateway.with(environment: Self.environment) { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            var ids: [String: Int] = [:]
            for name in ["demoted", "disabled", "deleted"] {
                let created = try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":"\#(name)","password":"password-123456","role":"admin"}"#)
                ids[name] = try #require(created.object["id"] as? Int, "\(created.text)")
            }
            let demoted = try await gateway.login("demoted", "password-123456")
            let disabled = try await gateway.login("disabled", "password-123456")
            let deleted = try await gateway.login("deleted", "password-123456")
            for token in [demoted, disabled, deleted] {
                #expect(try await gateway.call(.get, "/api/v1/admin/users", token: token).status == .ok)
            }
            let demote = try await gateway.call(.patch, "/api/v1/admin/users/\(ids["demoted"]!)", token: admin, json: #"{"role":"viewer"}"#)
            #expect(demote.status == .ok && demote.object["role"] as? String == "viewer", "\(demote.text)")
            let disable = try await gateway.call(.patch, "/api/v1/admin/users/\(ids["disabled"]!)", token: admin, json: #"{"disabled":true}"#)
            #expect(disable.status == .ok && disable.object["disabled"] as? Bool == true, "\(disable.text)")
            #expect(try await gateway.call(.delete, "/api/v1/admin/users/\(ids["deleted"]!)", token: admin).status == .noContent)
            // The instance that made the change forgets at once; others within USER_CHECK_SECONDS.
            try await gateway.call(.get, "/api/v1/admin/users", token: demoted).expectProblem(.forbidden)
            #expect(try await gateway.call(.get, "/api/v1/admin/models/1/benchmarks", token: demoted).status != .forbidden, "still a viewer")
            try await gateway.call(.get, "/api/v1/admin/users", token: disabled).expectProblem(.unauthorized)
            try await gateway.call(.get, "/api/v1/admin/users", token: deleted).expectProblem(.unauthorized)
            // A disabled user cannot sign in again either.
            let again = try await gateway.call(.post, "/api/v1/auth/login", json: #"{"username":"disabled","password":"password-123456"}"#)
            again.expectProblem(.unauthorized)
            // Nobody can remove the last administrator standing.
            let users = try await gateway.call(.get, "/api/v1/admin/users", token: admin).object["items"] as? [[String: Any]] ?? []
            let adminId = try #require(users.first { $0["username"] as? String == "admin" }?["id"] as? Int)
            try await gateway.call(.patch, "/api/v1/admin/users/\(adminId)", token: admin, json: #"{"role":"engineer"}"#).expectProblem(.conflict)
            try await gateway.call(.delete, "/api/v1/admin/users/\(adminId)", token: admin).expectProblem(.conflict)
            try await gateway.call(.patch, "/api/v1/admin/users/999999", token: admin, json: #"{"disabled":true}"#).expectProblem(.notFound)
        }
    }

    @Test func aChangeMadeThroughAnotherInstanceIsSeenWithinTheCheckInterval() async throws {
        try await Gateway.with(environment: Self.environment) { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let created = try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":"elsewhere","password":"password-123456","role":"engineer"}"#)
            let id = try #require(created.object["id"] as? Int)
            let token = try await gateway.login("elsewhere", "password-123456")
            #expect(try await gateway.call(.get, "/api/v1/admin/uploads/00000000-0000-0000-0000-000000000000", token: token).status == .notFound)
            // Another gateway instance: the table changes behind this one's cache.
            _ = try await gateway.database.ints("UPDATE gateway.users SET disabled = true WHERE id = \(id) RETURNING 1")
            let refused = await eventually(timeout: .seconds(5)) {
                (try? await gateway.call(.get, "/api/v1/admin/uploads/00000000-0000-0000-0000-000000000000", token: token))?.status == .unauthorized
            }
            #expect(refused)
        }
    }

    @Test func aTokenIsRefusedBeforeItsNotBeforeTime() async throws {
        try await Gateway.with { gateway in
            let now = Int(Date().timeIntervalSince1970)
            func token(nbf: Int?) -> String {
                var claims = #"{"sub":"admin","role":"admin","exp":\#(now + 600),"iat":\#(now),"jti":"\#(UUID().uuidString)""#
                if let nbf { claims += #","nbf":\#(nbf)"# }
                return Self.sign(claims + "}")
            }
            #expect(try await gateway.call(.get, "/api/v1/admin/users", token: token(nbf: nil)).status == .ok, "the test's own signing is right")
            #expect(try await gateway.call(.get, "/api/v1/admin/users", token: token(nbf: now - 5)).status == .ok)
            try await gateway.call(.get, "/api/v1/admin/users", token: token(nbf: now + Int.random(in: 120...86_400))).expectProblem(.unauthorized)
            // Tokens the gateway issues carry nbf.
            let issued = try await gateway.login("admin", adminPassword)
            let payload = try #require(Self.payload(of: issued))
            #expect((payload["nbf"] as? Int).map { abs($0 - now) <= 5 } == true, "\(payload)")
        }
    }

    @Test func namesAreUniqueWhateverTheirCaseAndKeyNamesPerOwner() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            #expect(try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":"pr_viewer","password":"password-123456","role":"viewer"}"#).status == .created)
            try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":"PR_Viewer","password":"password-123456","role":"viewer"}"#)
                .expectProblem(.conflict, fields: ["username"])
            #expect(try await gateway.call(.post, "/api/v1/admin/api-keys", token: admin, json: #"{"name":"ci","role":"viewer"}"#).status == .created)
            try await gateway.call(.post, "/api/v1/admin/api-keys", token: admin, json: #"{"name":"CI","role":"engineer"}"#).expectProblem(.conflict, fields: ["name"])
            // Another owner may use the name.
            #expect(try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":"second-admin","password":"password-123456","role":"admin"}"#).status == .created)
            let second = try await gateway.login("second-admin", "password-123456")
            #expect(try await gateway.call(.post, "/api/v1/admin/api-keys", token: second, json: #"{"name":"ci","role":"viewer"}"#).status == .created)
            // A revoked key's name is free again.
            let keys = try await gateway.call(.get, "/api/v1/admin/api-keys", token: admin).object["items"] as? [[String: Any]] ?? []
            let first = try #require(keys.first { $0["name"] as? String == "ci" }?["id"] as? Int)
            #expect(try await gateway.call(.delete, "/api/v1/admin/api-keys/\(first)", token: admin).status == .noContent)
            #expect(try await gateway.call(.post, "/api/v1/admin/api-keys", token: admin, json: #"{"name":"Ci","role":"viewer"}"#).status == .created)
        }
    }

    @Test func aWrongMethodIs405WithAllowAndABodyNeedsItsType() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            for (method, path, allowed) in [(HTTPRequest.Method.put, "/api/v1/admin/users", ["GET", "POST"]),
                                            (.post, "/api/v1/admin/users/7", ["PATCH", "DELETE"]),
                                            (.delete, "/api/v1/admin/models/\(Int.random(in: 1...9999))/promote", ["POST"]),
                                            (.patch, "/healthz", ["GET"])] {
                let response = try await gateway.call(method, path, token: admin)
                response.expectProblem(.methodNotAllowed)
                let allow = Set((response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(Set(allowed).isSubset(of: allow) && !allow.contains(method.rawValue), "\(method) \(path): Allow \(allow)")
                #expect(response.headers[.init("X-Request-Id")!] != nil)
            }
            try await gateway.call(.get, "/api/v1/admin/nothing-here", token: admin).expectProblem(.notFound)
            try await gateway.call(.post, "/api/v1/admin/users", token: admin, body: ByteBuffer(string: #"{"username":"x"}"#))
                .expectProblem(.unsupportedMediaType, fields: ["Content-Type"])
        }
    }

    @Test func aCSVMappingThatNamesNoColumnIsA400() async throws {
        try await Gateway.withDataset { gateway, _ in
            let admin = try await gateway.login("admin", adminPassword)
            let csv = "prompt,response\n질문입니다,답변입니다\n"
            for (role, mapping) in [("question", #"{"question":"nope","answer":"response"}"#), ("answer", #"{"question":"prompt","answer":"nope"}"#)] {
                let (headers, body) = DatasetRouteTests.multipart(file: csv, fileName: "qa.csv", fields: [("name", "csv-\(role)"), ("columns", mapping)])
                let response = try await gateway.call(.post, DatasetRouteTests.base, token: admin, headers: headers, body: body)
                response.expectProblem(.badRequest, fields: ["columns.\(role)"])
            }
            let listed = try await gateway.call(.get, DatasetRouteTests.base, token: admin)
            #expect(listed.object["total"] as? Int == 0, "nothing is stored for a request error: \(listed.text)")
        }
    }

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func sign(_ claims: String) -> String {
        let input = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + base64URL(Array(claims.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: Array(jwtSecret.utf8)))
        return input + "." + base64URL(Array(mac))
    }

    static func payload(of token: String) -> [String: Any]? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var text = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }
}
