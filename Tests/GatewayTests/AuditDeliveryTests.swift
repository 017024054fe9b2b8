import Foundation
@testable import GatewayApp
import HummingbirdTesting
import Logging
import TestKit
import Testing

/// The audit log never loses a row (issue "Security", item 2): entries are
/// sanitised before they are queued, and a row the database refuses is
/// written apart from its batch.
@Suite("Gateway audit delivery", .serialized)
struct AuditDeliveryTests {
    @Test func aLoginWithControlCharactersDoesNotTakeOtherUsersRowsWithIt() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            // The reproduction: mutations within a few milliseconds of a login whose name holds NUL.
            async let poisoned = gateway.call(.post, "/api/v1/auth/login", json: #"{"username":"eve\u0000\u001b[2J\n","password":"x"}"#)
            let creates = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await gateway.call(.post, "/api/v1/admin/users", token: admin,
                                               json: #"{"username":"audited-\#(index)","password":"audited-password-1","role":"viewer"}"#)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let login = try await poisoned
            #expect(login.status.code < 500, "\(login.text)")
            #expect(creates.allSatisfy { $0.status == .created }, "\(creates.map(\.text))")

            var rows: [[String: Any]] = []
            let complete = await eventually(timeout: .seconds(10)) {
                rows = (try? await gateway.call(.get, "/api/v1/admin/audit?limit=100", token: admin))?.object["items"] as? [[String: Any]] ?? []
                return rows.filter { $0["action"] as? String == "POST /api/v1/admin/users" }.count >= 8
                    && rows.contains { $0["action"] as? String == "POST /api/v1/auth/login" && $0["subject"] as? String != "admin" }
            }
            #expect(complete, "audit rows: \(rows)")
            let ids = Set(rows.compactMap { $0["request_id"] as? String })
            for create in creates { #expect(ids.contains(create.headers[.init("X-Request-Id")!] ?? "-"), "every create is audited") }
            let loginRow = rows.first { $0["action"] as? String == "POST /api/v1/auth/login" && $0["subject"] as? String != "admin" }
            #expect(loginRow?["subject"] as? String == #"eve\u{0}\u{1b}[2J\u{a}"#, "controls are escaped, not dropped: \(String(describing: loginRow))")
        }
    }

    @Test func aRowTheDatabaseRefusesIsDeadLetteredAndTheRestOfItsBatchIsWritten() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let file = gateway.dataRoot.appendingPathComponent("audit-test/dead-letter.jsonl")
            let log = AuditLog(postgres: gateway.postgres, deadLetterFile: file, logger: Logger(label: "test.audit"))
            let subject = "batch-\(UUID().uuidString.prefix(8).lowercased())"
            func entry(_ index: Int, status: Int) -> AuditEntry {
                AuditEntry(subject: subject, role: "engineer", action: "POST /api/v1/admin/models/register", resource: "models/\(index)",
                           clientIP: "127.0.0.1", requestId: "\(subject)-\(index)", status: status, createdAt: Date())
            }
            let good = Int.random(in: 5...40)
            var batch = (0..<good).map { entry($0, status: 201) }
            // Outside the integer column whatever the text: the server refuses the batch.
            let poisonIndex = Int.random(in: 0...good)
            batch.insert(entry(1_000, status: Int(Int32.max) + Int.random(in: 1...1_000)), at: poisonIndex)
            await log.write(batch.map { $0.sanitized() })

            let listed = try await gateway.call(.get, "/api/v1/admin/audit?subject=\(subject)&limit=500", token: admin)
            let items = listed.object["items"] as? [[String: Any]] ?? []
            #expect(Set(items.compactMap { $0["request_id"] as? String }) == Set((0..<good).map { "\(subject)-\($0)" }), "poison at \(poisonIndex) of \(good + 1)")
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.contains("\"\(subject)-1000\"") == true, "\(lines)")
        }
    }

    @Test func sanitisingEscapesEveryControlCharacterAndKeepsTheRest() {
        var generator = SystemRandomNumberGenerator()
        let controls: [Unicode.Scalar] = (0..<0x20).compactMap(Unicode.Scalar.init) + (0x7F...0x9F).compactMap(Unicode.Scalar.init) + ["\u{2028}", "\u{2029}"]
        let plain: [Unicode.Scalar] = ["a", "Z", "0", " ", "/", "{", "\\", "u", "한", "글", "é", "😀"]
        for _ in 0..<2_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...80, using: &generator) {
                scalars.append(Bool.random(using: &generator) ? controls.randomElement(using: &generator)! : plain.randomElement(using: &generator)!)
            }
            let text = String(scalars)
            let cleaned = AuditEntry.clean(text, max: 10_000)
            #expect(!cleaned.unicodeScalars.contains(where: AuditEntry.isControl), "\(text.debugDescription)")
            // Undoing the escapes gives the text back: nothing is dropped.
            var restored = String.UnicodeScalarView()
            var rest = Substring(cleaned)
            while let range = rest.range(of: #"\\u\{([0-9a-f]{1,6})\}"#, options: .regularExpression) {
                restored.append(contentsOf: rest[..<range.lowerBound].unicodeScalars)
                let hex = rest[range].dropFirst(3).dropLast()
                if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value), AuditEntry.isControl(scalar) {
                    restored.append(scalar)
                } else {
                    restored.append(contentsOf: rest[range].unicodeScalars)
                }
                rest = rest[range.upperBound...]
            }
            restored.append(contentsOf: rest.unicodeScalars)
            if !text.contains("\\u{") { #expect(String(restored) == text, "\(text.debugDescription) → \(cleaned.debugDescription)") }
            let capped = AuditEntry.clean(text, max: 16)
            #expect(capped.count <= 16 && (cleaned.count <= 16 ? capped == cleaned : capped.hasSuffix("…")))
        }
    }
}
