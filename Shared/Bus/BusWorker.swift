import CZeroMQ
import Logging
import ServiceLifecycle

public struct BusWorkerConfiguration: Sendable {
    public var endpoint: String
    /// Concurrent requests this process serves; each slot is one broker connection.
    public var slots: Int
    public var heartbeatIntervalMs: Int64
    public var liveness: Int
    public var drainGraceMs: Int64
    /// CURVE keys when the broker requires them; nil: plaintext.
    public var curve: BusClientKeys?

    public init(endpoint: String, slots: Int = 8, heartbeatIntervalMs: Int64 = 2500, liveness: Int = 3, drainGraceMs: Int64 = 250, curve: BusClientKeys? = nil) {
        self.endpoint = endpoint
        self.curve = curve
        self.slots = slots
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.liveness = liveness
        self.drainGraceMs = drainGraceMs
    }
}

/// Serves one service's methods from the bus with N concurrent slots.
///
/// On graceful shutdown (SIGTERM through ServiceLifecycle) it stops taking
/// work, finishes what is in flight, sends DISCONNECT, and returns.
public final class BusWorker: Service, Sendable {
    struct WorkItem: Sendable {
        var slot: Int
        var client: Identity
        var body: [UInt8]
    }

    enum Command: Sendable {
        case reply(slot: Int, client: Identity, body: [UInt8])
        case drain
    }

    public let configuration: BusWorkerConfiguration
    public let router: BusRouter
    private let context: ZMQContext
    private let logger: Logger
    private let mailbox = Mailbox<Command>()

    public init(configuration: BusWorkerConfiguration, router: BusRouter, context: ZMQContext = .shared, logger: Logger = Logger(label: "bus.worker")) {
        precondition(configuration.slots > 0, "a worker needs at least one slot")
        self.configuration = configuration
        self.router = router
        self.context = context
        var logger = logger
        logger[metadataKey: "service"] = .string(router.service)
        self.logger = logger
    }

    /// Stops taking work; `run` returns once in-flight requests are answered.
    public func drain() { mailbox.post(.drain) }

    public func run() async throws {
        let finished = AsyncStream<Void>.makeStream()
        let router = self.router
        let mailbox = self.mailbox
        let logger = self.logger
        // Each request becomes a task straight from the I/O thread: one hand-off
        // into Swift concurrency per request (a stream plus a task group costs two).
        // Draining stays exact: the loop exits only after every slot has replied.
        let loop = WorkerLoop(
            context: context, configuration: configuration, service: router.service, mailbox: mailbox,
            immediate: { body in router.handleImmediately(requestBytes: body, logger: logger) },
            deliver: { item in
                Task {
                    let reply = await router.handle(requestBytes: item.body, logger: logger)
                    mailbox.post(.reply(slot: item.slot, client: item.client, body: reply))
                }
            },
            logger: logger
        )
        startIOThread(name: "bus-worker") {
            loop.run()
            finished.continuation.finish()
        }
        logger.info("worker serving", metadata: ["slots": .stringConvertible(configuration.slots), "endpoint": .string(configuration.endpoint), "methods": .string(router.methods.joined(separator: ","))])
        await withGracefulShutdownHandler {
            for await _ in finished.stream {}
        } onGracefulShutdown: {
            mailbox.post(.drain)
        }
        logger.info("worker drained")
    }
}

/// The worker's I/O thread: one DEALER socket per slot, each driven by its own state machine.
private final class WorkerLoop: @unchecked Sendable {
    // @unchecked: handed to its I/O thread once and touched only there afterwards.
    let context: ZMQContext
    let configuration: BusWorkerConfiguration
    let service: String
    let mailbox: Mailbox<BusWorker.Command>
    /// Serves `onImmediate` methods on this thread; nil for everything else.
    let immediate: @Sendable ([UInt8]) -> [UInt8]?
    let deliver: @Sendable (BusWorker.WorkItem) -> Void
    let logger: Logger

    private var machines: [WorkerStateMachine] = []
    private var sockets: [ZMQSocket?] = []
    private var poller = ReadinessPoller()
    /// The message being handled; its storage is reused from one receive to the next.
    private var frames: [Frame] = []
    /// Slots we sent on outside their receive loop: libzmq may have consumed their
    /// input signal, so they are read once more before the loop sleeps.
    private var unsettled: [Int] = []
    private var isUnsettled: [Bool] = []
    /// No later than the earliest timer of any slot. Messages only postpone a
    /// slot's timers, except DISCONNECT's grace period, which lowers this itself.
    private var nextTick: Int64 = 0
    private static let mailboxTag = UInt64.max

    init(context: ZMQContext, configuration: BusWorkerConfiguration, service: String, mailbox: Mailbox<BusWorker.Command>,
         immediate: @escaping @Sendable ([UInt8]) -> [UInt8]?, deliver: @escaping @Sendable (BusWorker.WorkItem) -> Void, logger: Logger) {
        self.immediate = immediate
        self.context = context
        self.configuration = configuration
        self.service = service
        self.mailbox = mailbox
        self.deliver = deliver
        self.logger = logger
    }

    func run() {
        let machineConfiguration = WorkerStateMachine.Configuration(
            heartbeatIntervalMs: configuration.heartbeatIntervalMs, liveness: configuration.liveness, drainGraceMs: configuration.drainGraceMs)
        machines = Array(repeating: WorkerStateMachine(configuration: machineConfiguration), count: configuration.slots)
        sockets = Array(repeating: nil, count: configuration.slots)
        isUnsettled = Array(repeating: false, count: configuration.slots)
        poller.add(fd: mailbox.fd, tag: Self.mailboxTag)
        let now = unixMillisNow()
        nextTick = now + configuration.heartbeatIntervalMs
        for slot in machines.indices {
            perform(machines[slot].start(now: now), slot: slot)
        }

        var draining = false
        while !(draining && machines.allSatisfy(\.isClosed)) {
            while let slot = unsettled.popLast() {
                isUnsettled[slot] = false
                if let socket = sockets[slot], socket.hasInput { serve(slot: slot) }
            }
            let ready = poller.wait(timeoutMs: Int(max(0, nextTick - unixMillisNow())))
            for tag in ready {
                if tag == Self.mailboxTag {
                    for command in mailbox.drain() {
                        switch command {
                        case let .reply(slot, client, body):
                            perform(machines[slot].handlerFinished(client: client, body: body, now: unixMillisNow()), slot: slot)
                        case .drain:
                            draining = true
                            let now = unixMillisNow()
                            for slot in machines.indices { perform(machines[slot].drain(now: now), slot: slot) }
                        }
                    }
                } else {
                    serve(slot: Int(tag))
                }
            }
            let tickNow = unixMillisNow()
            if tickNow >= nextTick {
                for slot in machines.indices { perform(machines[slot].tick(now: tickNow), slot: slot) }
                nextTick = machines.reduce(tickNow + configuration.heartbeatIntervalMs) { min($0, $1.nextTickAt(now: tickNow)) }
            }
        }
        for socket in sockets.compactMap({ $0 }) { poller.remove(fd: socket.signalDescriptor) }
        sockets = []
        _ = mailbox.close()
    }

    /// Reads a slot's socket until it has nothing waiting or a reply went out on
    /// it, acting on each message.
    private func serve(slot: Int) {
        // The socket may be replaced while handling a message (DISCONNECT → reconnect).
        while let socket = sockets[slot], socket.receive(into: &frames) {
            // [empty, MDPW01, command, ...]
            guard frames.count >= 3, frames[1] == MDP.workerHeader,
                  let commandByte = frames[2].first, let command = MDP.Command(rawValue: commandByte) else {
                logger.warning("worker dropped a malformed message from the broker")
                continue
            }
            perform(machines[slot].received(command: command, frames: frames[3...], now: unixMillisNow()), slot: slot)
            // A reply sent: the slot is read again before the loop sleeps anyway, and
            // with nothing else due on it (the broker sends one request per reply) a
            // receive now would only cost libzmq a poll(2) for the empty answer.
            if isUnsettled[slot] { return }
        }
    }

    private func markUnsettled(_ slot: Int) {
        guard !isUnsettled[slot] else { return }
        isUnsettled[slot] = true
        unsettled.append(slot)
    }

    private func perform(_ actions: [WorkerStateMachine.Action], slot: Int) {
        for action in actions {
            switch action {
            case .connect:
                closeSocket(slot: slot)
                do {
                    let socket = try ZMQSocket(context, type: ZMQ_DEALER)
                    socket.setOption(ZMQ_SNDHWM, 0)
                    socket.setOption(ZMQ_RCVHWM, 0)
                    socket.useCurve(configuration.curve)
                    try socket.connect(configuration.endpoint)
                    socket.send([[], MDP.workerHeader, MDP.Command.ready.frame, Array(service.utf8)])
                    poller.add(fd: socket.signalDescriptor, tag: UInt64(slot))
                    sockets[slot] = socket
                    markUnsettled(slot)
                } catch {
                    // The state machine retries after the broker expiry passes.
                    logger.error("worker could not connect", metadata: ["error": .string("\(error)")])
                }
            case .sendHeartbeat:
                sockets[slot]?.send([[], MDP.workerHeader, MDP.Command.heartbeat.frame])
                markUnsettled(slot)
            case let .sendReply(client, body):
                if let socket = sockets[slot] {
                    _ = socket.sendPart([], more: true) && socket.sendPart(MDP.workerHeader, more: true) && socket.sendPart(MDP.Command.reply.frame, more: true)
                        && socket.sendPart(client, more: true) && socket.sendPart([], more: true) && socket.sendPart(body, more: false)
                }
                markUnsettled(slot)
            case .sendDisconnect:
                sockets[slot]?.send([[], MDP.workerHeader, MDP.Command.disconnect.frame])
                markUnsettled(slot)
                // The drain grace timer may be due before any other.
                nextTick = min(nextTick, machines[slot].nextTickAt(now: unixMillisNow()))
            case let .deliver(client, body):
                if let reply = immediate(body) {
                    perform(machines[slot].handlerFinished(client: client, body: reply, now: unixMillisNow()), slot: slot)
                } else {
                    deliver(BusWorker.WorkItem(slot: slot, client: client, body: body))
                }
            case .close:
                closeSocket(slot: slot)
            }
        }
    }

    private func closeSocket(slot: Int) {
        guard let socket = sockets[slot] else { return }
        poller.remove(fd: socket.signalDescriptor)
        sockets[slot] = nil
    }
}
