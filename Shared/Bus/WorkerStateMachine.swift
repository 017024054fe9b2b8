/// One worker slot's side of Majordomo, without sockets or a clock of its own.
///
/// A slot is one broker connection that serves one request at a time; a
/// worker process runs N slots for N concurrent requests. The loop performs
/// the returned actions in order.
public struct WorkerStateMachine: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var heartbeatIntervalMs: Int64
        public var liveness: Int
        /// After DISCONNECT, how long the slot keeps its socket open for a request
        /// the broker dispatched before it saw the DISCONNECT.
        public var drainGraceMs: Int64

        public init(heartbeatIntervalMs: Int64 = 2500, liveness: Int = 3, drainGraceMs: Int64 = 250) {
            self.heartbeatIntervalMs = heartbeatIntervalMs
            self.liveness = liveness
            self.drainGraceMs = drainGraceMs
        }
    }

    public enum Action: Sendable, Equatable {
        /// Open a fresh socket (new identity) and send READY.
        case connect
        case sendHeartbeat
        case sendReply(client: Identity, body: [UInt8])
        case sendDisconnect
        /// Hand a request to the handlers.
        case deliver(client: Identity, body: [UInt8])
        /// Close the socket for good.
        case close
    }

    public enum State: Sendable, Equatable {
        case idle
        case busy(client: Identity)
        /// Stop requested while busy: disconnect after the reply.
        case drainingBusy(client: Identity)
        /// DISCONNECT sent; waiting out the grace period.
        case drained(closeAt: Int64)
        case closed
    }

    public let configuration: Configuration
    public private(set) var state: State = .closed
    private var brokerExpiresAt: Int64 = 0
    private var nextHeartbeatAt: Int64 = 0

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public var isClosed: Bool { state == .closed }

    public mutating func start(now: Int64) -> [Action] {
        state = .idle
        resetTimers(now: now)
        return [.connect]
    }

    public mutating func received(command: MDP.Command, frames: ArraySlice<Frame>, now: Int64) -> [Action] {
        brokerExpiresAt = now + configuration.heartbeatIntervalMs * Int64(configuration.liveness)
        switch command {
        case .request:
            // [client, empty, body]
            guard frames.count >= 3 else { return [] }
            let client = frames[frames.startIndex]
            let body = frames[frames.startIndex + 2]
            switch state {
            case .idle:
                state = .busy(client: client)
            case .drained:
                // Dispatched before the broker saw our DISCONNECT: still serve it.
                state = .drainingBusy(client: client)
            case .busy, .drainingBusy, .closed:
                // The broker never sends a second request to a busy slot.
                return []
            }
            return [.deliver(client: client, body: body)]
        case .heartbeat, .reply, .ready:
            return []
        case .disconnect:
            switch state {
            case .idle, .busy:
                // The broker forgot us (it restarted, or thought us dead): register again.
                // A reply still owed is sent on the new connection and forwarded as usual.
                resetTimers(now: now)
                return [.connect]
            case .drainingBusy, .drained, .closed:
                return []
            }
        }
    }

    public mutating func handlerFinished(client: Identity, body: [UInt8], now: Int64) -> [Action] {
        switch state {
        case .busy:
            state = .idle
            return [.sendReply(client: client, body: body)]
        case .drainingBusy:
            state = .drained(closeAt: now + configuration.drainGraceMs)
            return [.sendReply(client: client, body: body), .sendDisconnect]
        case .idle, .drained, .closed:
            return [.sendReply(client: client, body: body)]
        }
    }

    /// Stop taking work: idle slots disconnect now, busy ones after their reply.
    public mutating func drain(now: Int64) -> [Action] {
        switch state {
        case .idle:
            state = .drained(closeAt: now + configuration.drainGraceMs)
            return [.sendDisconnect]
        case .busy(let client):
            state = .drainingBusy(client: client)
            return []
        case .drainingBusy, .drained, .closed:
            return []
        }
    }

    public mutating func tick(now: Int64) -> [Action] {
        switch state {
        case .closed:
            return []
        case .drained(let closeAt):
            if now >= closeAt {
                state = .closed
                return [.close]
            }
            return []
        case .idle, .busy, .drainingBusy:
            if now >= brokerExpiresAt {
                // The broker went silent: reconnect (a restarted broker gets our READY).
                resetTimers(now: now)
                return [.connect]
            }
            if now >= nextHeartbeatAt {
                nextHeartbeatAt = now + configuration.heartbeatIntervalMs
                return [.sendHeartbeat]
            }
            return []
        }
    }

    public func nextTickAt(now: Int64) -> Int64 {
        switch state {
        case .closed: return now + configuration.heartbeatIntervalMs
        case .drained(let closeAt): return closeAt
        default: return min(nextHeartbeatAt, brokerExpiresAt)
        }
    }

    private mutating func resetTimers(now: Int64) {
        brokerExpiresAt = now + configuration.heartbeatIntervalMs * Int64(configuration.liveness)
        nextHeartbeatAt = now + configuration.heartbeatIntervalMs
    }
}
