import Testing

@testable import Bus

@Suite struct WorkerStateMachineTests {
    let client: Identity = [42]

    func started(now: Int64 = 0) -> WorkerStateMachine {
        var sm = WorkerStateMachine(configuration: .init(heartbeatIntervalMs: 1000, liveness: 3, drainGraceMs: 100))
        #expect(sm.start(now: now) == [.connect])
        return sm
    }

    func request(_ sm: inout WorkerStateMachine, body: [UInt8] = [1], now: Int64) -> [WorkerStateMachine.Action] {
        sm.received(command: .request, frames: [client, [], body][...], now: now)
    }

    @Test func deliversARequestAndRepliesToItsClient() {
        var sm = started()
        #expect(request(&sm, body: [9], now: 10) == [.deliver(client: client, body: [9])])
        #expect(sm.state == .busy(client: client))
        #expect(sm.handlerFinished(client: client, body: [8], now: 20) == [.sendReply(client: client, body: [8])])
        #expect(sm.state == .idle)
    }

    @Test func heartbeatsOnSchedule() {
        var sm = started()
        #expect(sm.tick(now: 999).isEmpty)
        #expect(sm.tick(now: 1000) == [.sendHeartbeat])
        #expect(sm.tick(now: 1500).isEmpty)
    }

    @Test func reconnectsWhenTheBrokerGoesSilent() {
        var sm = started()
        _ = sm.received(command: .heartbeat, frames: [], now: 2000)
        #expect(sm.tick(now: 4999) != [.connect])
        #expect(sm.tick(now: 5000) == [.connect])
    }

    @Test func brokerDisconnectMeansRegisterAgain() {
        var sm = started()
        #expect(sm.received(command: .disconnect, frames: [], now: 10) == [.connect])
    }

    @Test func drainWhileIdleDisconnectsThenClosesAfterGrace() {
        var sm = started()
        #expect(sm.drain(now: 100) == [.sendDisconnect])
        #expect(sm.tick(now: 150).isEmpty)
        #expect(sm.tick(now: 200) == [.close])
        #expect(sm.isClosed)
    }

    @Test func drainWhileBusyFinishesTheRequestFirst() {
        var sm = started()
        _ = request(&sm, now: 10)
        #expect(sm.drain(now: 20).isEmpty)
        #expect(!sm.isClosed)
        #expect(sm.handlerFinished(client: client, body: [3], now: 30) == [.sendReply(client: client, body: [3]), .sendDisconnect])
        #expect(sm.tick(now: 130) == [.close])
    }

    @Test func requestRacingTheDisconnectIsStillServed() {
        var sm = started()
        _ = sm.drain(now: 0)
        #expect(request(&sm, now: 50) == [.deliver(client: client, body: [1])])
        #expect(sm.tick(now: 500).isEmpty)
        #expect(sm.handlerFinished(client: client, body: [2], now: 600) == [.sendReply(client: client, body: [2]), .sendDisconnect])
        #expect(sm.tick(now: 700) == [.close])
    }
}
