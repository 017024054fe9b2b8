import CZeroMQ
import Contracts
import Foundation
import Logging
import Metrics
import ServiceLifecycle

public struct BusBrokerConfiguration: Sendable {
    /// The ROUTER socket clients and workers connect to.
    public var routerBind: String
    /// The event proxy: publishers connect to XSUB, subscribers to XPUB.
    public var xsubBind: String
    public var xpubBind: String
    public var machine: BrokerStateMachine.Configuration
    /// With keys, all three sockets are CURVE servers admitting only the
    /// authorized peers; nil: plaintext, anyone who reaches the ports is trusted.
    public var security: BrokerSecurity?

    /// Loopback by default: the bus trusts whoever can connect unless `security` is set.
    public init(routerBind: String = "tcp://127.0.0.1:5555", xsubBind: String = "tcp://127.0.0.1:5556", xpubBind: String = "tcp://127.0.0.1:5557",
                machine: BrokerStateMachine.Configuration = .init(), security: BrokerSecurity? = nil) {
        self.routerBind = routerBind
        self.xsubBind = xsubBind
        self.xpubBind = xpubBind
        self.machine = machine
        self.security = security
    }
}

/// The broker process's two loops (Majordomo ROUTER and event proxy), as a lifecycle service.
public final class BusBroker: Service, Sendable {
    enum Command: Sendable { case stop }

    public let configuration: BusBrokerConfiguration
    private let logger: Logger
    private let mailbox = Mailbox<Command>()
    /// Its own context, so shutting it down ends the blocking zmq_proxy without touching other sockets.
    private let proxyContext = ZMQContext()

    public init(configuration: BusBrokerConfiguration, logger: Logger = Logger(label: "bus.broker")) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let configuration = self.configuration
        let logger = self.logger
        let mailbox = self.mailbox
        let proxyContext = self.proxyContext

        // Before any CURVE socket binds: a context without a ZAP handler admits every key.
        var zap: ZAPHandler?
        if let security = configuration.security {
            zap = try await ZAPHandler.start(contexts: [.shared, proxyContext], peers: security.peers, logger: logger)
        }
        defer { zap?.stop() }

        // Bind on the caller so a taken port fails the start, not a background thread.
        let bound = AsyncStream<(any Error)?>.makeStream()
        let finished = AsyncStream<Void>.makeStream()
        startIOThread(name: "bus-broker") {
            let loop: BrokerLoop
            do {
                loop = try BrokerLoop(configuration: configuration, mailbox: mailbox, logger: logger)
                bound.continuation.yield(nil)
            } catch {
                bound.continuation.yield(error)
                finished.continuation.finish()
                return
            }
            loop.run()
            finished.continuation.finish()
        }
        for await error in bound.stream {
            if let error { throw error }
            break
        }

        let proxyBound = AsyncStream<(any Error)?>.makeStream()
        startIOThread(name: "bus-proxy") {
            do {
                let xsub = try ZMQSocket(proxyContext, type: ZMQ_XSUB)
                let xpub = try ZMQSocket(proxyContext, type: ZMQ_XPUB)
                xsub.setOption(ZMQ_RCVHWM, 100_000)
                xpub.setOption(ZMQ_SNDHWM, 100_000)
                if let security = configuration.security {
                    xsub.serveCurve(security.keys)
                    xpub.serveCurve(security.keys)
                }
                try xsub.bind(configuration.xsubBind)
                try xpub.bind(configuration.xpubBind)
                proxyBound.continuation.yield(nil)
                // Returns when proxyContext is shut down.
                zmq_proxy(xsub.handle, xpub.handle, nil)
            } catch {
                proxyBound.continuation.yield(error)
            }
        }
        for await error in proxyBound.stream {
            if let error {
                mailbox.post(.stop)
                throw error
            }
            break
        }
        logger.info("broker listening", metadata: [
            "router": .string(configuration.routerBind), "xsub": .string(configuration.xsubBind), "xpub": .string(configuration.xpubBind),
            "curve": .string(configuration.security.map { "on, \($0.peers.all.count) authorized peers" } ?? "off (plaintext)"),
        ])

        await withGracefulShutdownHandler {
            for await _ in finished.stream {}
        } onGracefulShutdown: {
            mailbox.post(.stop)
        }
        proxyContext.shutdown()
        logger.info("broker stopped")
    }
}

private final class BrokerLoop: @unchecked Sendable {
    // @unchecked: created on its I/O thread and used only there.
    private let socket: ZMQSocket
    private let mailbox: Mailbox<BusBroker.Command>
    private let logger: Logger
    private var machine: BrokerStateMachine
    /// With CURVE on: whom the ZAP handler admitted, and who may act for users.
    private let peers: BusPeers?

    private let requests = Counter(label: "bus_broker_requests_total")
    private let replies = Counter(label: "bus_broker_replies_total")
    private let brokerAnswers = Counter(label: "bus_broker_rejections_total")
    private let waiting = Gauge(label: "bus_broker_waiting_requests")
    private let workers = Gauge(label: "bus_broker_workers")

    init(configuration: BusBrokerConfiguration, mailbox: Mailbox<BusBroker.Command>, logger: Logger) throws {
        socket = try ZMQSocket(.shared, type: ZMQ_ROUTER)
        socket.setOption(ZMQ_SNDHWM, 0)
        socket.setOption(ZMQ_RCVHWM, 0)
        // Sending to a peer that is gone fails instead of vanishing silently.
        socket.setOption(ZMQ_ROUTER_MANDATORY, 1)
        if let security = configuration.security { socket.serveCurve(security.keys) }
        try socket.bind(configuration.routerBind)
        peers = configuration.security?.peers
        self.mailbox = mailbox
        self.logger = logger
        machine = BrokerStateMachine(configuration: configuration.machine)
    }

    func run() {
        var poller = ReadinessPoller()
        let socketTag: UInt64 = 0, mailboxTag: UInt64 = 1
        poller.add(fd: socket.signalDescriptor, tag: socketTag)
        poller.add(fd: mailbox.fd, tag: mailboxTag)
        var nextTick = unixMillisNow()
        // Sends consume libzmq's input signal too (see ReadinessPoller), so the
        // socket is read until empty before every sleep, not only when signalled.
        var mayHaveInput = true
        var frames: [Frame] = []
        var sender = ""
        loop: while true {
            let now = unixMillisNow()
            let timeout = mayHaveInput ? 0 : Int(max(0, nextTick - now))
            for tag in poller.wait(timeoutMs: timeout) where tag == mailboxTag {
                if !mailbox.drain().isEmpty { break loop }
            }
            // Bounded batch so timers still run under a flood.
            var handled = 0
            if let peers {
                while handled < 1024, socket.receive(into: &frames, userId: &sender) {
                    handled += 1
                    // Only a handshake that skipped ZAP leaves no known name: never trusted.
                    guard peers.isKnown(sender) else {
                        logger.warning("broker dropped a message from a peer without an authorized key")
                        continue
                    }
                    handle(frames, sender: sender)
                }
            } else {
                while handled < 1024, socket.receive(into: &frames) {
                    handle(frames, sender: nil)
                    handled += 1
                }
            }
            // A receive that found nothing settled the signal; a full batch did not.
            mayHaveInput = handled == 1024
            if handled > 0 {
                // A new request may expire before the planned tick.
                nextTick = min(nextTick, machine.nextTickAt(now: unixMillisNow()))
            }
            let tickNow = unixMillisNow()
            if tickNow >= nextTick {
                perform(machine.tick(now: tickNow))
                nextTick = machine.nextTickAt(now: tickNow)
                waiting.record(machine.totalWaiting)
                workers.record(machine.totalWorkers)
                mayHaveInput = mayHaveInput || socket.hasInput
            }
        }
        poller.remove(fd: socket.signalDescriptor)
        _ = mailbox.close()
    }

    /// `sender`: the peer's name (ZAP user id) with CURVE on, else nil.
    private func handle(_ frames: [Frame], sender peerName: String?) {
        // [sender, empty, header, ...]
        guard frames.count >= 3, frames[1].isEmpty else { return }
        let sender = frames[0]
        let now = unixMillisNow()
        if frames[2] == MDP.clientHeader {
            // [sender, empty, MDPC01, service, body]
            guard frames.count == 5, let service = String(validating: frames[3], as: UTF8.self) else {
                logger.warning("broker dropped a malformed client message")
                return
            }
            guard let envelope = EnvelopePeek(frames[4]) else {
                logger.warning("broker dropped a client message that is not a Request", metadata: ["service": .string(service)])
                return
            }
            requests.increment()
            if let peerName, let peers, let refusal = peers.identityRefusal(sender: peerName, carriesIdentity: envelope.carriesIdentity) {
                logger.warning("broker refused a request", metadata: ["peer": .string(peerName), "service": .string(service), "reason": .string(refusal)])
                perform([.respond(client: sender, service: service, requestId: envelope.requestId, code: .permissionDenied, message: refusal, body: [])])
                return
            }
            var body = frames[4]
            if service.hasPrefix(MDP.mmiPrefix) {
                // MMI is rare and tiny: decode it properly for its body.
                body = (try? Mlops_V1_Request(serializedBytes: frames[4])).map { Array($0.body) } ?? []
            }
            perform(machine.clientRequest(client: sender, service: service, requestId: envelope.requestId, deadline: envelope.deadlineUnixMs, body: body, now: now))
        } else if frames[2] == MDP.workerHeader {
            // [sender, empty, MDPW01, command, ...]
            guard frames.count >= 4, let byte = frames[3].first, let command = MDP.Command(rawValue: byte) else {
                logger.warning("broker dropped a malformed worker message")
                return
            }
            perform(machine.workerMessage(worker: sender, command: command, frames: frames[4...], now: now))
            if command == .ready || command == .disconnect { workers.record(machine.totalWorkers) }
        } else {
            logger.warning("broker dropped a message with an unknown protocol header")
        }
    }

    private func perform(_ actions: [BrokerStateMachine.Action]) {
        for action in actions {
            switch action {
            case let .dispatch(worker, client, body):
                // Part by part: an array of frames per message was an allocation each.
                let sent = socket.sendPart(worker, more: true) && socket.sendPart([], more: true)
                    && socket.sendPart(MDP.workerHeader, more: true) && socket.sendPart(MDP.Command.request.frame, more: true)
                    && socket.sendPart(client, more: true) && socket.sendPart([], more: true) && socket.sendPart(body, more: false)
                if !sent {
                    // The worker vanished between READY and now; its heartbeat expiry will
                    // purge it and answer the client UNAVAILABLE.
                    logger.debug("dispatch to a vanished worker")
                }
            case let .forwardReply(client, service, body):
                replies.increment()
                _ = socket.sendPart(client, more: true) && socket.sendPart([], more: true) && socket.sendPart(MDP.clientHeader, more: true)
                    && socket.sendPart(service, more: true) && socket.sendPart(body, more: false)
            case let .respond(client, service, requestId, code, message, body):
                if code != .ok { brokerAnswers.increment() }
                var response = Mlops_V1_Response()
                response.id = requestId
                response.status.code = code
                response.status.message = message
                response.body = Data(body)
                if let bytes: [UInt8] = try? response.serializedBytes() {
                    socket.send([client, [], MDP.clientHeader, Array(service.utf8), bytes])
                }
            case let .heartbeat(worker):
                socket.send([worker, [], MDP.workerHeader, MDP.Command.heartbeat.frame])
            case let .disconnect(worker):
                socket.send([worker, [], MDP.workerHeader, MDP.Command.disconnect.frame])
            }
        }
    }
}
