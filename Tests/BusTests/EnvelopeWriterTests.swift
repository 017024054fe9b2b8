import Contracts
import Foundation
import Testing

@testable import Bus

@Suite struct EnvelopeWriterTests {
    /// The hand-written envelope must be byte for byte what the generated code
    /// writes: brokers, workers and other clients decode it with SwiftProtobuf.
    @Test(arguments: [0, 1, 127, 128, 16_383, 16_384, 70_000])
    func requestBytesMatchTheGeneratedEncoder(bodySize: Int) throws {
        let cases: [RequestEnvelope] = [
            RequestEnvelope(id: "1a2b-3f", service: "probe", method: "Echo", traceId: "", subject: "", roles: [],
                            deadlineUnixMs: 1_790_000_000_123, idempotencyKey: ""),
            RequestEnvelope(id: "요청-\(bodySize)", service: "registry", method: "RegisterModel", traceId: "trace-ü",
                            subject: "user:kim", roles: ["admin", "", "viewer"], deadlineUnixMs: -5, idempotencyKey: "key-1"),
            RequestEnvelope(id: "", service: "", method: "", traceId: "", subject: "", roles: [], deadlineUnixMs: 0, idempotencyKey: ""),
            RequestEnvelope(id: String(repeating: "x", count: 200), service: "s", method: "m", traceId: "t", subject: "",
                            roles: ["r"], deadlineUnixMs: Int64.max, idempotencyKey: String(repeating: "k", count: 130)),
        ]
        let body = (0..<bodySize).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        for envelope in cases {
            var request = Mlops_V1_Request()
            request.id = envelope.id
            request.service = envelope.service
            request.method = envelope.method
            request.body = Data(body)
            request.metadata.traceID = envelope.traceId
            request.metadata.subject = envelope.subject
            request.metadata.roles = envelope.roles
            request.metadata.deadlineUnixMs = envelope.deadlineUnixMs
            request.metadata.idempotencyKey = envelope.idempotencyKey
            let expected: [UInt8] = try request.serializedBytes()
            let written = envelope.serialized(body: body)
            #expect(written == expected, "envelope \(envelope.id.prefix(20)) with a \(bodySize)-byte body")
            #expect(try Mlops_V1_Request(serializedBytes: written) == request)
        }
    }

    @Test(arguments: [0, 1, 127, 128, 16_384])
    func okResponseBytesMatchTheGeneratedEncoder(bodySize: Int) throws {
        let body = (0..<bodySize).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for id in ["", "r-1", "응답-\(bodySize)", String(repeating: "i", count: 300)] {
            var response = Mlops_V1_Response()
            response.id = id
            response.status.code = .ok
            response.body = Data(body)
            let expected: [UInt8] = try response.serializedBytes()
            #expect(ResponseEnvelope.ok(id: id, body: body) == expected, "id \(id.prefix(10)), \(bodySize)-byte body")
        }
    }

    @Test func varintSizesMatchTheEncoding() {
        for value: UInt64 in [0, 1, 127, 128, 16_383, 16_384, 1 << 35, UInt64(bitPattern: -1)] {
            var writer = WireWriter(capacity: 10)
            writer.varint(value)
            #expect(writer.bytes.count == WireWriter.varintSize(value), "varint \(value)")
        }
    }
}

@Suite struct ResponsePeekTests {
    @Test func readsIdStatusAndBodyLikeTheFullDecoder() throws {
        for (code, bodySize) in [(Mlops_V1_StatusCode.ok, 0), (.ok, 300), (.unavailable, 0), (.invalidArgument, 5), (.UNRECOGNIZED(99), 1)] {
            var response = Mlops_V1_Response()
            response.id = "r-\(bodySize)-응답"
            response.status.code = code
            response.status.message = "message"
            response.status.details = [.with { $0.field = "f"; $0.description_p = "d" }]
            response.body = Data((0..<bodySize).map { UInt8(truncatingIfNeeded: $0) })
            let bytes: [UInt8] = try response.serializedBytes()
            let peek = try #require(ResponsePeek(bytes))
            #expect(peek.id == response.id)
            #expect(peek.statusCode == code.rawValue)
            #expect(Data(bytes[peek.body]) == response.body)
        }
    }

    @Test func anAbsentStatusReadsAsOK() throws {
        var response = Mlops_V1_Response()
        response.id = "x"
        let peek = try #require(ResponsePeek(try response.serializedBytes()))
        #expect(peek.statusCode == 0 && peek.body.isEmpty && peek.id == "x")
    }

    @Test func refusesTruncatedOrGarbageBytes() throws {
        var response = Mlops_V1_Response()
        response.id = "abc"
        response.body = Data(repeating: 1, count: 50)
        let bytes: [UInt8] = try response.serializedBytes()
        #expect(ResponsePeek(Array(bytes.dropLast(10))) == nil)
        #expect(ResponsePeek([0xFF, 0xFF, 0xFF]) == nil)
    }
}
