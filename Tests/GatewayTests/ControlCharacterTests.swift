import Foundation
import GatewayApp
import HummingbirdTesting
import TestKit
import Testing

/// NUL and control characters are refused at the edge (issue "Security",
/// item 3): each case once answered 500 from a service or PostgreSQL.
@Suite("Gateway control characters", .serialized)
struct ControlCharacterTests {
    static let filters: [(path: String, parameter: String)] = [
        ("/api/v1/admin/models", "search"), ("/api/v1/admin/models", "project"), ("/api/v1/admin/models", "model_type"),
        ("/api/v1/admin/models", "tags"),
        ("/api/v1/admin/training/datasets", "search"), ("/api/v1/admin/ground-truth/datasets", "search"),
        ("/api/v1/admin/ground-truth/events", "search"), ("/api/v1/admin/ground-truth/events", "data_type"),
        ("/api/v1/admin/audit", "subject"), ("/api/v1/admin/audit", "action"), ("/api/v1/admin/audit", "resource"),
    ]

    @Test func aControlCharacterInAnyFilterIsA400NamingIt() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            for (path, parameter) in Self.filters {
                let control = Self.randomControl()
                let encoded = String(format: "%%%02X", control)
                let response = try await gateway.call(.get, "\(path)?\(parameter)=a\(encoded)b", token: admin)
                response.expectProblem(.badRequest, fields: [parameter])
                #expect(response.text.contains(control == 0 ? "NUL" : "control"), "\(path) \(parameter) \(encoded): \(response.text)")
            }
        }
    }

    @Test func aNULAnywhereInAJSONBodyIsA400NamingItsPath() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let cases: [(String, String, String)] = [
                ("/api/v1/admin/ground-truth/datasets/1/versions", #"{"version":"v1","events":[{"data":"x\u0000y"}]}"#, "events[0].data"),
                ("/api/v1/admin/ground-truth/datasets/1/versions", #"{"version":"v1","events":[{"data":{"ok":1},"metadata":{"k\u0000":"v"}}]}"#, "events[0].metadata"),
                ("/api/v1/admin/models/register", #"{"model_name":"m","version":"1","model_path":"p","tags":["a","b\u0000"]}"#, "tags[1]"),
                ("/api/v1/admin/training/datasets", #"{"name":"d\u0000","upload_id":"00000000-0000-0000-0000-000000000000"}"#, "name"),
                ("/api/v1/admin/users", #"{"k\u0000ey":1}"#, "body"),
            ]
            for (path, body, field) in cases {
                try await gateway.call(.post, path, token: admin, json: body).expectProblem(.badRequest, fields: [field])
            }
        }
    }

    @Test func namesRefuseControlCharactersAndTheLoginIsAuditedAsClaimed() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            try await gateway.call(.post, "/api/v1/admin/users", token: admin, json: #"{"username":"line\nbreak","password":"password-123456","role":"viewer"}"#)
                .expectProblem(.badRequest, fields: ["username"])
            let login = try await gateway.call(.post, "/api/v1/auth/login", json: #"{"username":"root\n2026-12-06 admin logged in","password":"x"}"#)
            login.expectProblem(.badRequest, fields: ["username"])
            var rows: [[String: Any]] = []
            let found = await eventually(timeout: .seconds(5)) {
                rows = (try? await gateway.call(.get, "/api/v1/admin/audit?action=POST%20/api/v1/auth/login&status=400", token: admin))?.object["items"] as? [[String: Any]] ?? []
                return !rows.isEmpty
            }
            #expect(found && rows.first?["subject"] as? String == #"root\u{a}2026-12-06 admin logged in"#, "a newline cannot forge a log line: \(rows)")
        }
    }

    static func randomControl() -> UInt8 {
        Bool.random() ? 0 : ([UInt8](1..<0x20) + [0x7F]).randomElement()!
    }
}
