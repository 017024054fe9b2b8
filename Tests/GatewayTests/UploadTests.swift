import Foundation
import GatewayApp
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestKit
import Testing

@Suite("Gateway uploads", .serialized)
struct UploadTests {
    static let contentRange = HTTPField.Name.contentRange

    func put(_ gateway: Gateway, _ token: String, _ id: String, _ data: [UInt8], start: Int, total: Int) async throws -> TestResponse {
        try await gateway.call(.put, "/api/v1/admin/uploads/\(id)", token: token,
                               headers: [Self.contentRange: "bytes \(start)-\(start + data.count - 1)/\(total)", .contentType: "application/octet-stream"],
                               body: ByteBuffer(bytes: data))
    }

    @Test func resumeAfterAnInterruptedChunkThenComplete() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let data = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let created = try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: #"{"filename":"model.safetensors","size_bytes":3000}"#)
            #expect(created.status == .created)
            #expect(created.object["received_bytes"] as? Int == 0 && created.object["status"] as? String == "open")
            let id = try #require(created.object["id"] as? String)

            let first = try await put(gateway, admin, id, Array(data[0..<1000]), start: 0, total: 3000)
            #expect(first.status == .ok && first.object["received_bytes"] as? Int == 1000)

            // A chunk that does not start at received_bytes: 409 with the offset to resume from.
            let stale = try await put(gateway, admin, id, Array(data[0..<1000]), start: 0, total: 3000)
            stale.expectProblem(.conflict)
            #expect(stale.object["received_bytes"] as? Int == 1000)
            // Bad Content-Range headers name the header.
            for header in ["bytes 1000-999/3000", "items 0-1/3000", "bytes 1000-1999/4000", "bytes a-b/c"] {
                try await gateway.call(.put, "/api/v1/admin/uploads/\(id)", token: admin, headers: [Self.contentRange: header], body: ByteBuffer(bytes: [1]))
                    .expectProblem(.badRequest, fields: ["Content-Range"])
            }
            try await gateway.call(.put, "/api/v1/admin/uploads/\(id)", token: admin, body: ByteBuffer(bytes: [1])).expectProblem(.badRequest, fields: ["Content-Range"])

            // The connection drops in the middle of the second chunk.
            var raw = Array("PUT /api/v1/admin/uploads/\(id) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(admin)\r\nContent-Range: bytes 1000-1999/3000\r\nContent-Length: 1000\r\n\r\n".utf8)
            raw += data[1000..<1400]
            sendRaw(port: gateway.port, raw)
            var state: [String: Any] = [:]
            let settled = await eventually(timeout: .seconds(5)) {
                state = (try? await gateway.call(.get, "/api/v1/admin/uploads/\(id)", token: admin))?.object ?? [:]
                let size = (try? FileManager.default.attributesOfItem(atPath: gateway.dataRoot.appendingPathComponent("uploads/\(id).part").path)[.size] as? Int) ?? -1
                return state["received_bytes"] as? Int == 1000 && size == 1000
            }
            #expect(settled, "after the interrupted chunk: \(state)")

            // Completing early is refused; the client resumes from received_bytes.
            try await gateway.call(.post, "/api/v1/admin/uploads/\(id)/complete", token: admin, json: #"{"sha256":"\#(sha256Hex(data))"}"#).expectProblem(.conflict)
            #expect(try await put(gateway, admin, id, Array(data[1000..<2000]), start: 1000, total: 3000).object["received_bytes"] as? Int == 2000)
            #expect(try await put(gateway, admin, id, Array(data[2000..<3000]), start: 2000, total: 3000).object["received_bytes"] as? Int == 3000)

            let sha = sha256Hex(data)
            let done = try await gateway.call(.post, "/api/v1/admin/uploads/\(id)/complete", token: admin, json: #"{"sha256":"\#(sha)"}"#)
            #expect(done.status == .ok, "\(done.text)")
            #expect(done.object["status"] as? String == "complete" && done.object["sha256"] as? String == sha && done.object["size_bytes"] as? Int == 3000)
            let blob = gateway.dataRoot.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)")
            #expect(try Data(contentsOf: blob) == Data(data))
            #expect(!FileManager.default.fileExists(atPath: gateway.dataRoot.appendingPathComponent("uploads/\(id).part").path))
            let after = try await gateway.call(.get, "/api/v1/admin/uploads/\(id)", token: admin)
            #expect(after.object["status"] as? String == "complete" && after.object["sha256"] as? String == sha)
            try await put(gateway, admin, id, [1], start: 2999, total: 3000).expectProblem(.conflict)
        }
    }

    @Test func sha256MismatchKeepsNothing() async throws {
        try await Gateway.with { gateway in
            let admin = try await gateway.login("admin", adminPassword)
            let data = Array("the real content".utf8)
            let created = try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: #"{"filename":"f.bin","size_bytes":\#(data.count)}"#)
            let id = try #require(created.object["id"] as? String)
            #expect(try await put(gateway, admin, id, data, start: 0, total: data.count).status == .ok)
            let wrong = sha256Hex(Array("other content".utf8))
            try await gateway.call(.post, "/api/v1/admin/uploads/\(id)/complete", token: admin, json: #"{"sha256":"\#(wrong)"}"#)
                .expectProblem(.unprocessableContent, fields: ["sha256"])
            try await gateway.call(.get, "/api/v1/admin/uploads/\(id)", token: admin).expectProblem(.notFound)
            #expect(!FileManager.default.fileExists(atPath: gateway.dataRoot.appendingPathComponent("uploads/\(id).part").path))
            let blobs = FileManager.default.enumerator(atPath: gateway.dataRoot.appendingPathComponent("blobs").path)?
                .compactMap { $0 as? String }.filter { $0.count > 60 } ?? []
            #expect(blobs.isEmpty, "blobs kept: \(blobs)")
            #expect(try await gateway.database.ints("SELECT count(*)::int8 FROM gateway.uploads") == [0])

            try await gateway.call(.post, "/api/v1/admin/uploads", token: admin, json: #"{"filename":"../x","size_bytes":-1}"#)
                .expectProblem(.badRequest, fields: ["filename", "size_bytes"])
            try await gateway.call(.get, "/api/v1/admin/uploads/not-a-uuid", token: admin).expectProblem(.badRequest, fields: ["id"])
        }
    }
}
