import CZeroMQ
import Logging

/// Answers libzmq's ZAP requests (`ZAP`) for the broker's CURVE sockets, on its
/// own thread, with one REP socket in each context that holds such a socket.
///
/// It must be bound before any CURVE server socket binds and live as long as
/// they do: libzmq admits every key on a context without a handler (RFC 27's
/// "Stonehouse" legacy), so the broker also drops messages without a known user id.
final class ZAPHandler: Sendable {
    enum Command: Sendable { case stop }

    private let mailbox = Mailbox<Command>()

    private init() {}

    /// Starts the thread and returns once every context has its handler bound.
    static func start(contexts: [ZMQContext], peers: BusPeers, logger: Logger) async throws -> ZAPHandler {
        let handler = ZAPHandler()
        let mailbox = handler.mailbox
        let bound = AsyncStream<(any Error)?>.makeStream()
        startIOThread(name: "bus-zap") {
            var sockets: [ZMQSocket] = []
            do {
                for context in contexts {
                    let socket = try ZMQSocket(context, type: ZMQ_REP)
                    try socket.bind(ZAP.endpoint)
                    sockets.append(socket)
                }
            } catch {
                bound.continuation.yield(error)
                _ = mailbox.close()
                return
            }
            bound.continuation.yield(nil)
            serve(sockets, mailbox: mailbox, peers: peers, logger: logger)
        }
        for await error in bound.stream {
            if let error { throw error }
            break
        }
        return handler
    }

    /// Ends the thread (so does shutting down one of its contexts).
    func stop() { mailbox.post(.stop) }

    private static func serve(_ sockets: [ZMQSocket], mailbox: Mailbox<Command>, peers: BusPeers, logger: Logger) {
        var poller = ZMQPoller()
        let socketIndices = sockets.map { poller.add($0) }
        let mailboxIndex = poller.add(fd: mailbox.fd)
        var frames: [Frame] = []
        loop: while poller.poll(timeoutMs: -1) {
            if poller.isReadable(mailboxIndex), !mailbox.drain().isEmpty { break loop }
            for (socket, index) in zip(sockets, socketIndices) where poller.isReadable(index) {
                while socket.receive(into: &frames) {
                    let (reply, decision) = ZAP.reply(to: frames, peers: peers)
                    if decision.status == "200" {
                        logger.debug("bus peer admitted", metadata: ["peer": .string(decision.userId)])
                    } else {
                        let address = ZAP.parse(frames)?.address ?? "?"
                        logger.warning("bus peer refused", metadata: ["address": .string(address), "status": .string(decision.status), "reason": .string(decision.text)])
                    }
                    socket.send(reply)
                }
            }
        }
        _ = mailbox.close()
    }
}
