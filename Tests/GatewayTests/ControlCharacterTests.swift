import Foundation
import GatewayApp
import HummingbirdTesting
import TestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

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

/// Refusals below the router (the HTTP parser's) are problem+json with a request id too (issue "Security", item 6).
@Suite("Gateway parser refusals", .serialized)
struct ParserRefusalTests {
    /// Sends raw bytes and reads the answer until the server closes.
    static func exchange(port: Int, _ bytes: [UInt8]) -> String {
        guard let fd = connectLoopback(port: port) else { return "" }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test func anOversizedHeaderOrBrokenRequestIsAProblemWithARequestId() async throws {
        try await Gateway.with { gateway in
            let huge = String(repeating: "a", count: Int.random(in: (1 << 20)...(1 << 20) + 4096))
            let cases = [
                ("GET /api/v1/admin/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(huge)\r\n\r\n", "431"),
                ("GET /api/v1/admin/users HTTP/1.1\r\nHost: x\r\nX-Pad: \(String(repeating: "b", count: 100_000))\r\n\r\n", "431"),
                ("BROKEN\u{1}REQUEST\r\n\r\n", "400"),
            ]
            for (request, status) in cases {
                let answer = Self.exchange(port: gateway.port, Array(request.utf8))
                let head = answer.components(separatedBy: "\r\n\r\n").first?.lowercased() ?? ""
                #expect(head.hasPrefix("http/1.1 \(status)"), "\(answer.prefix(300))")
                #expect(head.contains("content-type: application/problem+json") && head.contains("x-request-id: "), "\(answer.prefix(300))")
                let body = answer.components(separatedBy: "\r\n\r\n").dropFirst().joined()
                let problem = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                #expect(problem?["status"] as? Int == Int(status) && (problem?["request_id"] as? String)?.count == 32, "\(body)")
            }
            // The server still serves afterwards.
            let health = try await gateway.call(.get, "/healthz")
            #expect(health.status == .ok)
        }
    }
}
