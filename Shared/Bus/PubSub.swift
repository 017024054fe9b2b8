import CZeroMQ
import Contracts
import Foundation
import Logging

/// Publishes events to the broker's XSUB port. Events may be dropped (no
/// subscriber, a slow one, a restart): never the only record of anything.
public final class BusPublisher: Sendable {
    enum Command: Sendable {
        case publish(topic: String, bytes: [UInt8])
        case stop
    }

    private let mailbox = Mailbox<Command>()

    /// `curve`: keys when the broker requires them; nil: plaintext.
    public init(endpoint: String, curve: BusClientKeys? = nil, context: ZMQContext = .shared, logger: Logger = Logger(label: "bus.publisher")) throws {
        try ZMQSocket.validate(endpoint: endpoint, type: ZMQ_PUB, context: context)
        let mailbox = self.mailbox
        startIOThread(name: "bus-publisher") {
            let socket = try? ZMQSocket(context, type: ZMQ_PUB)
            socket?.useCurve(curve)
            guard let socket, (try? socket.connect(endpoint)) != nil else {
                logger.critical("publisher could not connect", metadata: ["endpoint": .string(endpoint)])
                _ = mailbox.close()
                return
            }
            socket.setOption(ZMQ_SNDHWM, 100_000)
            var poller = ZMQPoller()
            _ = poller.add(fd: mailbox.fd)
            var running = true
            while running, poller.poll(timeoutMs: -1) {
                for command in mailbox.drain() {
                    switch command {
                    case let .publish(topic, bytes):
                        socket.send([Array(topic.utf8), bytes])
                    case .stop:
                        running = false
                    }
                }
            }
            _ = mailbox.close()
        }
    }

    deinit { mailbox.post(.stop) }

    public func shutdown() { mailbox.post(.stop) }

    /// Queues an event; returns at once. The first frame is the topic, for prefix filtering.
    public func publish(topic: String, body: [UInt8], id: String = UUID().uuidString) {
        var event = Mlops_V1_Event()
        event.topic = topic
        event.id = id
        event.timeUnixMs = unixMillisNow()
        event.body = Data(body)
        guard let bytes: [UInt8] = try? event.serializedBytes() else { return }
        mailbox.post(.publish(topic: topic, bytes: bytes))
    }
}

/// Receives events whose topic starts with one of the given prefixes.
public final class BusSubscriber: Sendable {
    enum Command: Sendable { case stop }

    private let mailbox = Mailbox<Command>()
    /// Events in arrival order (per publisher, that is publication order).
    public let events: AsyncStream<Mlops_V1_Event>

    /// `curve`: keys when the broker requires them; nil: plaintext.
    public init(endpoint: String, topics: [String], curve: BusClientKeys? = nil, bufferLimit: Int = 100_000, context: ZMQContext = .shared, logger: Logger = Logger(label: "bus.subscriber")) throws {
        try ZMQSocket.validate(endpoint: endpoint, type: ZMQ_SUB, context: context)
        let (stream, continuation) = AsyncStream<Mlops_V1_Event>.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit))
        events = stream
        let mailbox = self.mailbox
        startIOThread(name: "bus-subscriber") {
            guard let socket = try? ZMQSocket(context, type: ZMQ_SUB) else {
                continuation.finish()
                _ = mailbox.close()
                return
            }
            socket.setOption(ZMQ_RCVHWM, 100_000)
            socket.useCurve(curve)
            for topic in topics { socket.setOption(ZMQ_SUBSCRIBE, bytes: Array(topic.utf8)) }
            guard (try? socket.connect(endpoint)) != nil else {
                logger.critical("subscriber could not connect", metadata: ["endpoint": .string(endpoint)])
                continuation.finish()
                _ = mailbox.close()
                return
            }
            var poller = ZMQPoller()
            let socketIndex = poller.add(socket)
            let mailboxIndex = poller.add(fd: mailbox.fd)
            var running = true
            var frames: [Frame] = []
            while running, poller.poll(timeoutMs: -1) {
                if poller.isReadable(mailboxIndex), !mailbox.drain().isEmpty { running = false }
                if poller.isReadable(socketIndex) {
                    while socket.receive(into: &frames) {
                        guard frames.count == 2, let event = try? Mlops_V1_Event(serializedBytes: frames[1]) else { continue }
                        continuation.yield(event)
                    }
                }
            }
            continuation.finish()
            _ = mailbox.close()
        }
    }

    deinit { mailbox.post(.stop) }

    public func shutdown() { mailbox.post(.stop) }
}
