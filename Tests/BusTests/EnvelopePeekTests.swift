import Contracts
import Foundation
import Testing

@testable import Bus

@Suite struct EnvelopePeekTests {
    @Test func readsIdAndDeadlineLikeTheFullDecoder() throws {
        for bodySize in [0, 1, 127, 128, 70_000] {
            var request = Mlops_V1_Request()
            request.id = "req-\(bodySize)-한글"
            request.service = "registry"
            request.method = "GetModel"
            request.body = Data(repeating: 0xFF, count: bodySize)
            request.metadata.traceID = "trace"
            request.metadata.roles = ["admin", "viewer"]
            request.metadata.deadlineUnixMs = 1_790_000_000_123
            request.metadata.idempotencyKey = "key"
            let bytes: [UInt8] = try request.serializedBytes()
            let peek = try #require(EnvelopePeek(bytes))
            #expect(peek.requestId == request.id)
            #expect(peek.method == request.method)
            #expect(peek.deadlineUnixMs == request.metadata.deadlineUnixMs)
            #expect(Data(bytes[peek.body]) == request.body)
            let metadata = try #require(peek.metadata)
            #expect(try Mlops_V1_Metadata(serializedBytes: Array(bytes[metadata])) == request.metadata)
        }
    }

    @Test func missingFieldsReadAsDefaults() throws {
        let peek = try #require(EnvelopePeek(try Mlops_V1_Request().serializedBytes()))
        #expect(peek.requestId.isEmpty && peek.method.isEmpty && peek.deadlineUnixMs == 0 && peek.body.isEmpty && peek.metadata == nil)
    }

    @Test func refusesTruncatedOrGarbageBytes() throws {
        var request = Mlops_V1_Request()
        request.id = "abc"
        request.body = Data(repeating: 1, count: 50)
        let bytes: [UInt8] = try request.serializedBytes()
        #expect(EnvelopePeek(Array(bytes.dropLast(10))) == nil)
        #expect(EnvelopePeek([0xFF, 0xFF, 0xFF]) == nil)
    }
}
