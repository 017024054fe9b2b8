import CZeroMQ
import Contracts
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The client's DEALER socket and its calls awaiting replies. Callers send on
/// the socket themselves, under a lock, instead of handing each request to an
/// I/O thread: one thread wake-up less per call. A reply thread waits on the
/// socket's file descriptor (ZMQ_FD), never on the socket, so it does not
/// hold the lock while it sleeps.
///
/// ZMQ_FD is edge-triggered and any socket operation may consume its edge;
/// so whoever touches the socket (a sender, the reply thread) reads replies
/// until none is left before letting go of the lock, and the reply thread
/// does so before each sleep. A reply is then never left unread with the
/// descriptor quiet.
final class ClientTransport: Sendable {
    typealias Waiter = CheckedContinuation<Mlops_V1_Response, any Error>

    private struct State {
        /// nil once the reply thread has closed it.
        var socket: ZMQSocket?
        var stopped = false
        var pending = PendingCalls<Waiter>()
        /// When the reply thread's sleep ends; an earlier deadline must wake it.
        var plannedWake: Int64 = .max
    }

    private enum Wake: Sendable { case deadline, stop }

    private let state: Mutex<State>
    private let wake = Mailbox<Wake>()
    private let socketFD: Int32
    private let endpoint: String
    private let logger: Logger

    init(context: ZMQContext, endpoint: String, logger: Logger) throws {
        let socket = try ZMQSocket(context, type: ZMQ_DEALER)
        socket.setOption(ZMQ_SNDHWM, 0)
        socket.setOption(ZMQ_RCVHWM, 0)
        try socket.connect(endpoint)
        socketFD = socket.fileDescriptor
        self.endpoint = endpoint
        self.logger = logger
        state = Mutex(State(socket: socket))
        startIOThread(name: "bus-client") { [self] in replyLoop() }
    }

    /// Sends one request and registers `waiter` for its reply, which comes by
    /// `deadline` (unix ms) or the waiter gets `AttemptTimedOut`.
    func send(id: String, service: String, body: [UInt8], deadline: Int64, waiter: Waiter) {
        var ready: [(Waiter, Result<Mlops_V1_Response, any Error>)] = []
        let wakeReplyThread = state.withLock { state -> Bool in
            guard let socket = state.socket, !state.stopped else {
                ready.append((waiter, .failure(BusError.unavailable("bus client stopped"))))
                return false
            }
            // A cancellation that ran before the call was registered found nothing to cancel.
            if Task.isCancelled {
                ready.append((waiter, .failure(CancellationError())))
                return false
            }
            guard socket.send([[], MDP.clientHeader, Array(service.utf8), body]) else {
                ready.append((waiter, .failure(BusError.unavailable("bus: could not queue the request to \(endpoint)"))))
                return false
            }
            state.pending.add(id: id, deadline: deadline, waiter: waiter)
            Self.readReplies(&state, socket: socket, into: &ready, logger: logger)
            return deadline < state.plannedWake
        }
        for (waiter, result) in ready { waiter.resume(with: result) }
        if wakeReplyThread { wake.post(.deadline) }
    }

    func cancel(id: String) {
        state.withLock { $0.pending.complete(id: id) }?.resume(throwing: CancellationError())
    }

    /// Calls still waiting fail with UNAVAILABLE; the reply thread closes the socket.
    func stop() {
        let waiting = state.withLock { state -> [Waiter] in
            guard !state.stopped else { return [] }
            state.stopped = true
            return state.pending.removeAll()
        }
        for waiter in waiting { waiter.resume(throwing: BusError.unavailable("bus client stopped")) }
        wake.post(.stop)
    }

    private func replyLoop() {
        var fds = [pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.fd, events: Int16(POLLIN), revents: 0)]
        while true {
            var ready: [(Waiter, Result<Mlops_V1_Response, any Error>)] = []
            let timeout = state.withLock { state -> Int32? in
                guard let socket = state.socket, !state.stopped else {
                    state.socket = nil
                    for waiter in state.pending.removeAll() { ready.append((waiter, .failure(BusError.unavailable("bus client stopped")))) }
                    return nil
                }
                Self.readReplies(&state, socket: socket, into: &ready, logger: logger)
                let now = unixMillisNow()
                for waiter in state.pending.expire(now: now) { ready.append((waiter, .failure(BusClient.AttemptTimedOut()))) }
                guard let next = state.pending.nextDeadline() else {
                    state.plannedWake = .max
                    return -1
                }
                state.plannedWake = next
                return Int32(clamping: max(0, next - now))
            }
            for (waiter, result) in ready { waiter.resume(with: result) }
            guard let timeout else { break }
            _ = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, 2, timeout) }
            if fds[1].revents & Int16(POLLIN) != 0 { _ = wake.drain() }
        }
        _ = wake.close()
    }

    /// Reads every reply the socket has, matching each to its waiter.
    private static func readReplies(_ state: inout State, socket: ZMQSocket,
                                    into ready: inout [(Waiter, Result<Mlops_V1_Response, any Error>)], logger: Logger) {
        while let frames = socket.receive() {
            // [empty, MDPC01, service, body]
            guard frames.count == 4, frames[1] == MDP.clientHeader,
                  let response = try? Mlops_V1_Response(serializedBytes: frames[3]) else {
                logger.warning("bus client dropped a malformed reply")
                continue
            }
            // nil: a late or duplicate reply nobody waits for any more.
            if let waiter = state.pending.complete(id: response.id) { ready.append((waiter, .success(response))) }
        }
    }
}
