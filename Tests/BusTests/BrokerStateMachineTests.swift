import Contracts
import Testing

@testable import Bus

@Suite struct BrokerStateMachineTests {
    let client: Identity = [1]
    let otherClient: Identity = [2]
    let workerA: Identity = [10]
    let workerB: Identity = [11]

    func machine(queueLimit: Int = 100) -> BrokerStateMachine {
        BrokerStateMachine(configuration: .init(heartbeatIntervalMs: 1000, liveness: 3, queueLimit: queueLimit, defaultQueueTimeoutMs: 5000))
    }

    func ready(_ sm: inout BrokerStateMachine, _ worker: Identity, service: String = "echo", now: Int64 = 0) -> [BrokerStateMachine.Action] {
        sm.workerMessage(worker: worker, command: .ready, frames: [Array(service.utf8)][...], now: now)
    }

    func reply(_ sm: inout BrokerStateMachine, _ worker: Identity, to client: Identity, body: [UInt8], now: Int64) -> [BrokerStateMachine.Action] {
        sm.workerMessage(worker: worker, command: .reply, frames: [client, [], body][...], now: now)
    }

    @Test func requestWaitsUntilAWorkerIsReady() {
        var sm = machine()
        #expect(sm.clientRequest(client: client, service: "echo", requestId: "r1", deadline: 0, body: [7], now: 0).isEmpty)
        #expect(sm.waitingCount(service: "echo") == 1)
        #expect(ready(&sm, workerA, now: 10) == [.dispatch(worker: workerA, client: client, body: [7])])
        #expect(sm.waitingCount(service: "echo") == 0)
    }

    @Test func idleWorkersAreUsedLeastRecentlyUsedFirst() {
        var sm = machine()
        _ = ready(&sm, workerA)
        _ = ready(&sm, workerB)
        #expect(sm.clientRequest(client: client, service: "echo", requestId: "r1", deadline: 0, body: [1], now: 1) == [.dispatch(worker: workerA, client: client, body: [1])])
        #expect(sm.clientRequest(client: client, service: "echo", requestId: "r2", deadline: 0, body: [2], now: 2) == [.dispatch(worker: workerB, client: client, body: [2])])
        // A is done first, so it is the next to work; B stays busy.
        #expect(reply(&sm, workerA, to: client, body: [9], now: 3) == [.forwardReply(client: client, service: "echo", body: [9])])
        _ = reply(&sm, workerB, to: client, body: [9], now: 4)
        #expect(sm.clientRequest(client: otherClient, service: "echo", requestId: "r3", deadline: 0, body: [3], now: 5) == [.dispatch(worker: workerA, client: otherClient, body: [3])])
    }

    @Test func waitingRequestsExpireAtTheirDeadline() {
        var sm = machine()
        _ = sm.clientRequest(client: client, service: "echo", requestId: "r1", deadline: 100, body: [], now: 0)
        _ = sm.clientRequest(client: client, service: "echo", requestId: "r2", deadline: 300, body: [], now: 0)
        #expect(sm.nextTickAt(now: 0) == 100)
        let actions = sm.tick(now: 150)
        #expect(actions.count == 1)
        guard case let .respond(to, _, id, code, _, _) = actions.first else { Issue.record("expected a response"); return }
        #expect(to == client && id == "r1" && code == .deadlineExceeded)
        #expect(sm.waitingCount(service: "echo") == 1)
    }

    @Test func requestWithoutDeadlineGetsTheDefaultQueueTimeout() {
        var sm = machine()
        _ = sm.clientRequest(client: client, service: "echo", requestId: "r1", deadline: 0, body: [], now: 1000)
        #expect(sm.tick(now: 5999).isEmpty)
        #expect(sm.tick(now: 6000).count == 1)
    }

    @Test func expiredOnArrivalIsRefusedAtOnce() {
        var sm = machine()
        let actions = sm.clientRequest(client: client, service: "echo", requestId: "r1", deadline: 50, body: [], now: 50)
        guard case let .respond(_, _, _, code, _, _) = actions.first else { Issue.record("expected a response"); return }
        #expect(code == .deadlineExceeded)
    }

    @Test func fullQueueIsResourceExhausted() {
        var sm = machine(queueLimit: 2)
        _ = sm.clientRequest(client: client, service: "echo", requestId: "r1", deadline: 0, body: [], now: 0)
        _ = sm.clientRequest(client: client, service: "echo", requestId: "r2", deadline: 0, body: [], now: 0)
        let actions = sm.clientRequest(client: client, service: "echo", requestId: "r3", deadline: 0, body: [], now: 0)
        guard case let .respond(_, _, id, code, _, _) = actions.first else { Issue.record("expected a response"); return }
        #expect(id == "r3" && code == .resourceExhausted)
        #expect(sm.waitingCount(service: "echo") == 2)
    }

    @Test func deadWorkerIsPurgedAndItsClientToldUnavailable() {
        var sm = machine()
        _ = ready(&sm, workerA, now: 0)
        _ = sm.clientRequest(client: client, service: "echo", requestId: "r1", deadline: 0, body: [], now: 0)
        // Heartbeats are due every second; expiry after 3 s of silence.
        #expect(sm.tick(now: 1000) == [.heartbeat(worker: workerA)])
        let actions = sm.tick(now: 3000)
        #expect(sm.workerCount(service: "echo") == 0)
        guard case let .respond(to, _, id, code, _, _) = actions.first else { Issue.record("expected a response"); return }
        #expect(to == client && id == "r1" && code == .unavailable)
    }

    @Test func heartbeatKeepsAWorkerAlive() {
        var sm = machine()
        _ = ready(&sm, workerA, now: 0)
        _ = sm.workerMessage(worker: workerA, command: .heartbeat, frames: [], now: 2500)
        _ = sm.tick(now: 3000)
        #expect(sm.workerCount(service: "echo") == 1)
        _ = sm.tick(now: 5500)
        #expect(sm.workerCount(service: "echo") == 0)
    }

    @Test func unknownWorkerHeartbeatIsToldToReconnect() {
        var sm = machine()
        #expect(sm.workerMessage(worker: workerA, command: .heartbeat, frames: [], now: 0) == [.disconnect(worker: workerA)])
    }

    @Test func replyFromUnknownWorkerStillReachesItsClient() {
        var sm = machine()
        let actions = reply(&sm, workerA, to: client, body: [5], now: 0)
        #expect(actions == [.forwardReply(client: client, service: "", body: [5]), .disconnect(worker: workerA)])
    }

    @Test func duplicateReadyIsAProtocolError() {
        var sm = machine()
        _ = ready(&sm, workerA)
        #expect(ready(&sm, workerA).contains(.disconnect(worker: workerA)))
        #expect(sm.workerCount(service: "echo") == 0)
    }

    @Test func disconnectRemovesTheWorker() {
        var sm = machine()
        _ = ready(&sm, workerA)
        #expect(sm.workerMessage(worker: workerA, command: .disconnect, frames: [], now: 1).isEmpty)
        #expect(sm.workerCount(service: "echo") == 0)
        // The next request waits instead of going to the departed worker.
        #expect(sm.clientRequest(client: client, service: "echo", requestId: "r", deadline: 0, body: [], now: 2).isEmpty)
    }

    @Test func mmiServiceAnswersWhetherAServiceHasWorkers() {
        var sm = machine()
        _ = ready(&sm, workerA, service: "echo")
        let known = sm.clientRequest(client: client, service: "mmi.service", requestId: "m1", deadline: 0, body: Array("echo".utf8), now: 0)
        let unknown = sm.clientRequest(client: client, service: "mmi.service", requestId: "m2", deadline: 0, body: Array("nope".utf8), now: 0)
        let other = sm.clientRequest(client: client, service: "mmi.other", requestId: "m3", deadline: 0, body: [], now: 0)
        #expect(known == [.respond(client: client, service: "mmi.service", requestId: "m1", code: .ok, message: "", body: Array("200".utf8))])
        #expect(unknown == [.respond(client: client, service: "mmi.service", requestId: "m2", code: .ok, message: "", body: Array("404".utf8))])
        guard case let .respond(_, _, _, code, _, body) = other.first else { Issue.record("expected a response"); return }
        #expect(code == .unimplemented && body == Array("501".utf8))
    }

    @Test func servicesAreIndependent() {
        var sm = machine()
        _ = ready(&sm, workerA, service: "a")
        #expect(sm.clientRequest(client: client, service: "b", requestId: "r", deadline: 0, body: [], now: 0).isEmpty)
        #expect(sm.waitingCount(service: "b") == 1)
        #expect(sm.waitingCount(service: "a") == 0)
    }
}
