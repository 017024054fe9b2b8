import Bus
import Testing
@testable import ServiceKit

/// What a service-to-service call carries of the request it serves.
@Suite struct CallerContextTests {
    let caller = CallerContext(traceId: "gw-req-1", subject: "user:7", roles: ["admin", "viewer"], deadlineUnixMs: 100_000)

    @Test func carriesTheCallersTraceSubjectAndRoles() throws {
        let options = try caller.options(timeout: .seconds(10), idempotencyKey: "k-1", attemptTimeout: .seconds(3), nowUnixMs: 0)
        #expect(options.traceId == "gw-req-1")
        #expect(options.subject == "user:7")
        #expect(options.roles == ["admin", "viewer"])
        #expect(options.idempotencyKey == "k-1")
        #expect(options.attemptTimeout == .seconds(3))
    }

    @Test func neverOutlivesTheRequestsDeadline() throws {
        // 2.5 s left of the request: a 10 s call gets 2.5 s, a 1 s call keeps its 1 s.
        #expect(try caller.options(timeout: .seconds(10), idempotencyKey: nil, attemptTimeout: nil, nowUnixMs: 97_500).timeout == .milliseconds(2500))
        #expect(try caller.options(timeout: .seconds(1), idempotencyKey: nil, attemptTimeout: nil, nowUnixMs: 97_500).timeout == .seconds(1))
        let error = #expect(throws: BusError.self) {
            try caller.options(timeout: .seconds(10), idempotencyKey: nil, attemptTimeout: nil, nowUnixMs: 100_000)
        }
        #expect(error?.code == .deadlineExceeded)
    }

    @Test func workFromARowHasNoDeadline() throws {
        let later = CallerContext(traceId: "gw-req-1", subject: "user:7", roles: [])
        #expect(try later.options(timeout: .seconds(600), idempotencyKey: nil, attemptTimeout: nil, nowUnixMs: .max).timeout == .seconds(600))
    }
}
