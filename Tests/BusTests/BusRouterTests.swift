import Bus
import Foundation
import Contracts
import Logging
import Testing

/// Immediate methods are served on the calling thread; every other method is
/// left to the asynchronous path, and both answer the same envelope.
struct BusRouterTests {
    static func request(_ method: String, payload: String, deadline: Int64 = 0) throws -> [UInt8] {
        var echo = Mlops_V1_Probe_EchoRequest()
        echo.payload = Data(payload.utf8)
        var request = Mlops_V1_Request()
        request.id = "r1"
        request.service = ProbeMethods.service
        request.method = method
        request.body = Data(try echo.serializedBytes() as [UInt8])
        request.metadata.deadlineUnixMs = deadline
        return try request.serializedBytes()
    }

    static func router() -> BusRouter {
        var router = BusRouter(service: ProbeMethods.service)
        router.onImmediate(ProbeMethods.echo) { request, _ in
            var reply = Mlops_V1_Probe_EchoReply()
            reply.payload = Data(String(decoding: request.payload, as: UTF8.self).uppercased().utf8)
            return reply
        }
        router.on(ProbeMethods.apply) { request, _ in
            var reply = Mlops_V1_Probe_ApplyReply()
            reply.key = request.key
            return reply
        }
        return router
    }

    @Test func immediateMethodsAnswerOnTheSpotOthersDoNot() async throws {
        let router = Self.router()
        let logger = Logger(label: "test")
        let bytes = try #require(router.handleImmediately(requestBytes: try Self.request("Echo", payload: "abc"), logger: logger))
        let response = try Mlops_V1_Response(serializedBytes: bytes)
        #expect(response.id == "r1" && response.status.code == .ok)
        #expect(try Mlops_V1_Probe_EchoReply(serializedBytes: response.body).payload == Data("ABC".utf8))
        #expect(router.handleImmediately(requestBytes: try Self.request("Apply", payload: ""), logger: logger) == nil)
        // The asynchronous path serves immediate methods too, with the same answer.
        let viaAsync = try Mlops_V1_Response(serializedBytes: await router.handle(requestBytes: try Self.request("Echo", payload: "abc"), logger: logger))
        #expect(viaAsync == response)
        #expect(router.methods == ["Apply", "Echo"])
    }

    @Test func aPassedDeadlineIsAnsweredWithoutRunningTheHandler() throws {
        let router = Self.router()
        let bytes = try #require(router.handleImmediately(requestBytes: try Self.request("Echo", payload: "x", deadline: 1), logger: Logger(label: "test")))
        #expect(try Mlops_V1_Response(serializedBytes: bytes).status.code == .deadlineExceeded)
    }
}
