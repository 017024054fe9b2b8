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
    /// Microseconds the I/O thread stays awake after work, waiting for a handler's reply.
    public var spinMicros: Int

    public init(endpoint: String, slots: Int = 8, heartbeatIntervalMs: Int64 = 2500, liveness: Int = 3, drainGraceMs: Int64 = 250, spinMicros: Int = 0) {
        self.endpoint = endpoint
        self.spinMicros = spinMicros
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
    private var pollDirty = true
    private var handedOver = false

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
        let now = unixMillisNow()
        for slot in machines.indices {
            perform(machines[slot].start(now: now), slot: slot)
        }

        var poller = ZMQPoller()
        var socketSlots: [(pollIndex: Int, slot: Int)] = []
        var draining = false
        // Whether the last turn handed work over; only then is a reply likely within microseconds.
        var busy = false
        while !(draining && machines.allSatisfy(\.isClosed)) {
            if pollDirty {
                poller = ZMQPoller()
                _ = poller.add(fd: mailbox.fd)
                socketSlots = sockets.indices.compactMap { slot in
                    sockets[slot].map { (poller.add($0), slot) }
                }
                pollDirty = false
            }
            let now = unixMillisNow()
            let next = machines.map { $0.nextTickAt(now: now) }.min() ?? now + 1000
            guard poller.poll(timeoutMs: Int(max(0, next - now)), spinMicros: busy ? configuration.spinMicros : 0) else { break }
            busy = false

            if poller.isReadable(0) {
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
            }
            for (pollIndex, slot) in socketSlots where poller.isReadable(pollIndex) {
                // The socket may have been replaced while handling an earlier message.
                while let socket = sockets[slot], let frames = socket.receive() {
                    // [empty, MDPW01, command, ...]
                    guard frames.count >= 3, frames[1] == MDP.workerHeader,
                          let commandByte = frames[2].first, let command = MDP.Command(rawValue: commandByte) else {
                        logger.warning("worker dropped a malformed message from the broker")
                        continue
                    }
                    perform(machines[slot].received(command: command, frames: frames[3...], now: unixMillisNow()), slot: slot)
                }
            }
            let tickNow = unixMillisNow()
            for slot in machines.indices { perform(machines[slot].tick(now: tickNow), slot: slot) }
            busy = handedOver
            handedOver = false
        }
        sockets = []
        _ = mailbox.close()
    }

    private func perform(_ actions: [WorkerStateMachine.Action], slot: Int) {
        for action in actions {
            switch action {
            case .connect:
                sockets[slot] = nil
                pollDirty = true
                do {
                    let socket = try ZMQSocket(context, type: ZMQ_DEALER)
                    socket.setOption(ZMQ_SNDHWM, 0)
                    socket.setOption(ZMQ_RCVHWM, 0)
                    try socket.connect(configuration.endpoint)
                    socket.send([[], MDP.workerHeader, [MDP.Command.ready.rawValue], Array(service.utf8)])
                    sockets[slot] = socket
                } catch {
                    // The state machine retries after the broker expiry passes.
                    logger.error("worker could not connect", metadata: ["error": .string("\(error)")])
                }
            case .sendHeartbeat:
                sockets[slot]?.send([[], MDP.workerHeader, [MDP.Command.heartbeat.rawValue]])
            case let .sendReply(client, body):
                sockets[slot]?.send([[], MDP.workerHeader, [MDP.Command.reply.rawValue], client, [], body])
            case .sendDisconnect:
                sockets[slot]?.send([[], MDP.workerHeader, [MDP.Command.disconnect.rawValue]])
            case let .deliver(client, body):
                if let reply = immediate(body) {
                    perform(machines[slot].handlerFinished(client: client, body: reply, now: unixMillisNow()), slot: slot)
                } else {
                    handedOver = true
                    deliver(BusWorker.WorkItem(slot: slot, client: client, body: body))
                }
            case .close:
                sockets[slot] = nil
                pollDirty = true
            }
        }
    }
}
