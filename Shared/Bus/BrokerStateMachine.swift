import Contracts

/// The Majordomo broker's decisions, without sockets or a clock of its own.
///
/// The socket loop feeds it what arrived (and the current time) and performs
/// the actions it returns, in order. One LRU queue of idle workers and one
/// bounded FIFO of waiting requests per service; a request waits while its
/// service has no idle worker and expires at its deadline.
///
/// Not copyable: its per-service queues and worker records are objects,
/// changed in place through a dictionary read. Changing a struct value inside
/// a dictionary goes through the dictionary's `_modify` coroutine, which
/// allocated its frame on the heap: 8 allocations per request in the broker,
/// measured with perf on malloc. A copy would share those objects, so there are none.
public struct BrokerStateMachine: ~Copyable {
    public struct Configuration: Sendable, Equatable {
        /// How often the broker heartbeats each worker, in milliseconds.
        public var heartbeatIntervalMs: Int64
        /// Missed heartbeats before a worker counts as dead.
        public var liveness: Int
        /// Requests waiting per service before new ones are refused (RESOURCE_EXHAUSTED).
        public var queueLimit: Int
        /// How long a request without a deadline may wait for a worker.
        public var defaultQueueTimeoutMs: Int64

        public init(heartbeatIntervalMs: Int64 = 2500, liveness: Int = 3, queueLimit: Int = 10_000, defaultQueueTimeoutMs: Int64 = 60_000) {
            self.heartbeatIntervalMs = heartbeatIntervalMs
            self.liveness = liveness
            self.queueLimit = queueLimit
            self.defaultQueueTimeoutMs = defaultQueueTimeoutMs
        }

        var expiryMs: Int64 { heartbeatIntervalMs * Int64(liveness) }
    }

    /// What the socket loop must do.
    public enum Action: Sendable, Equatable {
        /// Hand `body` (a serialized Request) to `worker` on behalf of `client`.
        case dispatch(worker: Identity, client: Identity, body: [UInt8])
        /// Forward a worker's reply body (a serialized Response) to its client.
        case forwardReply(client: Identity, service: String, body: [UInt8])
        /// Answer the client from the broker itself (errors, MMI).
        case respond(client: Identity, service: String, requestId: String, code: Mlops_V1_StatusCode, message: String, body: [UInt8])
        case heartbeat(worker: Identity)
        case disconnect(worker: Identity)
    }

    struct Waiting: Sendable {
        var client: Identity
        var requestId: String
        var deadline: Int64
        var body: [UInt8]
    }

    struct InFlight: Sendable {
        var client: Identity
        var requestId: String
    }

    final class Worker {
        let service: ServiceQueue
        var expiresAt: Int64
        var nextHeartbeatAt: Int64
        var inFlight: InFlight?

        init(service: ServiceQueue, expiresAt: Int64, nextHeartbeatAt: Int64) {
            self.service = service
            self.expiresAt = expiresAt
            self.nextHeartbeatAt = nextHeartbeatAt
        }
    }

    final class ServiceQueue {
        let name: String
        var waiting = FIFO<Waiting>()
        /// Idle workers, least recently used first.
        var idle = FIFO<Identity>()
        var workerCount = 0

        init(name: String) { self.name = name }

        /// The next request and the worker to take it, when there are both.
        func nextDispatch() -> (worker: Identity, request: Waiting)? {
            guard !idle.isEmpty, let request = waiting.popFirst(), let worker = idle.popFirst() else { return nil }
            return (worker, request)
        }
    }

    public let configuration: Configuration
    private var workers: [Identity: Worker] = [:]
    private var services: [String: ServiceQueue] = [:]

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    // MARK: Inputs

    /// A client's request for `service`. `requestId` and `deadline` come from the Request envelope.
    public mutating func clientRequest(client: Identity, service: String, requestId: String, deadline: Int64, body: [UInt8], now: Int64) -> [Action] {
        if service.hasPrefix(MDP.mmiPrefix) {
            return [mmi(client: client, service: service, requestId: requestId, body: body)]
        }
        if deadline != 0 && deadline <= now {
            return [.respond(client: client, service: service, requestId: requestId, code: .deadlineExceeded, message: "deadline passed before the request reached a worker", body: [])]
        }
        let queue = self.queue(service)
        if queue.waiting.count >= configuration.queueLimit {
            return [.respond(client: client, service: service, requestId: requestId, code: .resourceExhausted, message: "service '\(service)' has \(queue.waiting.count) requests waiting (limit \(configuration.queueLimit))", body: [])]
        }
        let effectiveDeadline = deadline != 0 ? deadline : now + configuration.defaultQueueTimeoutMs
        queue.waiting.append(Waiting(client: client, requestId: requestId, deadline: effectiveDeadline, body: body))
        var actions: [Action] = []
        dispatch(queue, into: &actions)
        return actions
    }

    /// A worker message. `frames` are what follows the command frame.
    public mutating func workerMessage(worker: Identity, command: MDP.Command, frames: ArraySlice<Frame>, now: Int64) -> [Action] {
        switch command {
        case .ready:
            guard let serviceFrame = frames.first, let service = String(validating: serviceFrame, as: UTF8.self), !service.isEmpty else {
                return [.disconnect(worker: worker)]
            }
            if workers[worker] != nil {
                // A second READY from a live worker is a protocol error (RFC 7).
                return removeWorker(worker, reason: "protocol error: duplicate READY") + [.disconnect(worker: worker)]
            }
            let queue = self.queue(service)
            workers[worker] = Worker(service: queue, expiresAt: now + configuration.expiryMs, nextHeartbeatAt: now + configuration.heartbeatIntervalMs)
            queue.workerCount += 1
            queue.idle.append(worker)
            var actions: [Action] = []
            dispatch(queue, into: &actions)
            return actions

        case .reply:
            // [client, empty, body]
            guard frames.count >= 3 else { return [.disconnect(worker: worker)] }
            let client = frames[frames.startIndex]
            let body = frames[frames.startIndex + 2]
            guard let record = workers[worker] else {
                // A worker we no longer know (it drained, or we restarted): the reply
                // is still the client's answer; then make the worker re-register.
                return [.forwardReply(client: client, service: "", body: body), .disconnect(worker: worker)]
            }
            record.inFlight = nil
            record.expiresAt = now + configuration.expiryMs
            let queue = record.service
            queue.idle.append(worker)
            var actions: [Action] = [.forwardReply(client: client, service: queue.name, body: body)]
            dispatch(queue, into: &actions)
            return actions

        case .heartbeat:
            guard let record = workers[worker] else { return [.disconnect(worker: worker)] }
            record.expiresAt = now + configuration.expiryMs
            return []

        case .disconnect:
            return removeWorker(worker, reason: "worker disconnected with a request in flight")

        case .request:
            return removeWorker(worker, reason: "protocol error: REQUEST from a worker") + [.disconnect(worker: worker)]
        }
    }

    /// Periodic upkeep: expire waiting requests, purge dead workers, send heartbeats.
    public mutating func tick(now: Int64) -> [Action] {
        var actions: [Action] = []
        for (name, queue) in services {
            let expired = queue.waiting.removeAll { $0.deadline <= now }
            for request in expired {
                actions.append(.respond(client: request.client, service: name, requestId: request.requestId, code: .deadlineExceeded, message: "no worker of service '\(name)' took the request before its deadline", body: []))
            }
        }
        let dead = workers.filter { $0.value.expiresAt <= now }.map(\.key)
        for worker in dead {
            actions += removeWorker(worker, reason: "worker stopped answering heartbeats")
        }
        for (identity, record) in workers where record.nextHeartbeatAt <= now {
            record.nextHeartbeatAt = now + configuration.heartbeatIntervalMs
            actions.append(.heartbeat(worker: identity))
        }
        // Drop empty, workerless queues so the table does not grow with every name ever asked for.
        for (name, queue) in services where queue.workerCount == 0 && queue.waiting.isEmpty {
            services[name] = nil
        }
        return actions
    }

    /// The earliest time at which `tick` has something to do.
    public func nextTickAt(now: Int64) -> Int64 {
        var next = now + configuration.heartbeatIntervalMs
        for record in workers.values {
            next = min(next, record.nextHeartbeatAt, record.expiresAt)
        }
        for queue in services.values {
            if let head = queue.waiting.first { next = min(next, head.deadline) }
        }
        return next
    }

    // MARK: Queries (metrics, MMI, tests)

    public func workerCount(service: String) -> Int { services[service]?.workerCount ?? 0 }
    public func waitingCount(service: String) -> Int { services[service]?.waiting.count ?? 0 }
    public var totalWaiting: Int { services.values.reduce(0) { $0 + $1.waiting.count } }
    public var totalWorkers: Int { workers.count }

    // MARK: Internals

    /// The service's queue, made on first use.
    private mutating func queue(_ service: String) -> ServiceQueue {
        if let queue = services[service] { return queue }
        let queue = ServiceQueue(name: service)
        services[service] = queue
        return queue
    }

    private func dispatch(_ queue: ServiceQueue, into actions: inout [Action]) {
        while let (worker, request) = queue.nextDispatch() {
            let record = workers[worker]!
            record.inFlight = InFlight(client: request.client, requestId: request.requestId)
            actions.append(.dispatch(worker: worker, client: request.client, body: request.body))
        }
    }

    private mutating func removeWorker(_ worker: Identity, reason: String) -> [Action] {
        guard let record = workers.removeValue(forKey: worker) else { return [] }
        let queue = record.service
        queue.workerCount -= 1
        _ = queue.idle.removeAll { $0 == worker }
        guard let inFlight = record.inFlight else { return [] }
        return [.respond(client: inFlight.client, service: queue.name, requestId: inFlight.requestId, code: .unavailable, message: "\(reason); the request may or may not have been applied", body: [])]
    }

    private func mmi(client: Identity, service: String, requestId: String, body: [UInt8]) -> Action {
        guard service == "mmi.service" else {
            return .respond(client: client, service: service, requestId: requestId, code: .unimplemented, message: "unknown MMI service '\(service)'", body: Array("501".utf8))
        }
        let asked = String(decoding: body, as: UTF8.self)
        let known = (services[asked]?.workerCount ?? 0) > 0
        return .respond(client: client, service: service, requestId: requestId, code: .ok, message: "", body: Array((known ? "200" : "404").utf8))
    }
}
