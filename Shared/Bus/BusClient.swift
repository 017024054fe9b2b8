import CZeroMQ
import Contracts
import Foundation
import Logging
import SwiftProtobuf
import Synchronization

/// Options of one call.
public struct CallOptions: Sendable {
    /// The whole call's budget, retries included; also sent as the request's deadline.
    public var timeout: Duration
    /// Set on every mutating call. With a key, the client retries on UNAVAILABLE
    /// and on a lost reply, since the service applies a key at most once.
    public var idempotencyKey: String?
    public var traceId: String
    public var subject: String
    public var roles: [String]
    /// Overrides the client's attempt timeout for this call: long-running work
    /// (ingesting a 200 MB dataset) must not be re-sent while it still runs.
    public var attemptTimeout: Duration?

    public init(timeout: Duration = .seconds(10), idempotencyKey: String? = nil, traceId: String = "", subject: String = "", roles: [String] = [], attemptTimeout: Duration? = nil) {
        self.timeout = timeout
        self.attemptTimeout = attemptTimeout
        self.idempotencyKey = idempotencyKey
        self.traceId = traceId
        self.subject = subject
        self.roles = roles
    }
}

/// Client settings.
public struct BusClientConfiguration: Sendable {
    public var endpoint: String
    /// How long one attempt of a retryable call waits for its reply before it is
    /// tried again (a reply lost with a restarted broker never comes).
    public var attemptTimeout: Duration
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// CURVE keys when the broker requires them; nil: plaintext.
    public var curve: BusClientKeys?

    public init(endpoint: String, attemptTimeout: Duration = .seconds(3), initialBackoff: Duration = .milliseconds(50), maxBackoff: Duration = .seconds(1), curve: BusClientKeys? = nil) {
        self.endpoint = endpoint
        self.curve = curve
        self.attemptTimeout = attemptTimeout
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }
}

/// An async bus client: many calls in flight over one DEALER socket, replies
/// matched by request id. Safe to share; create one per process.
public final class BusClient: Sendable {
    enum Command: Sendable {
        /// `envelope`: a serialized Request.
        case send(id: String, service: String, envelope: [UInt8], deadline: Int64, continuation: ReplyContinuation)
        case cancel(id: String)
        /// A task job for `executor`, run on the I/O thread.
        case run(UnownedJob)
        case stop
    }

    typealias ReplyContinuation = UnsafeContinuation<Reply, any Error>

    /// A serialized Response as received, with what the I/O loop read from it to match it.
    struct Reply: Sendable {
        var bytes: [UInt8]
        var peek: ResponsePeek
    }

    /// Raised locally when one attempt got no reply in time.
    struct AttemptTimedOut: Error {}

    public let configuration: BusClientConfiguration
    private let mailbox = Mailbox<Command>()
    /// Request ids: unique per client (replies come back on this client's socket), so a
    /// random prefix and a counter do, without a UUID's random bytes and formatting per call.
    private let idPrefix = String(UInt32.random(in: .min ... .max), radix: 16) + "-"
    private let nextID = Atomic<UInt64>(0)
    private let logger: Logger
    /// Runs tasks on this client's I/O thread; see `executor`.
    private let ioExecutor: BusClientExecutor

    public init(configuration: BusClientConfiguration, context: ZMQContext = .shared, logger: Logger = Logger(label: "bus.client")) throws {
        self.configuration = configuration
        self.logger = logger
        try ZMQSocket.validate(endpoint: configuration.endpoint, type: ZMQ_DEALER, context: context)
        let mailbox = self.mailbox
        let endpoint = configuration.endpoint
        let curve = configuration.curve
        let logger = logger
        let executor = BusClientExecutor(mailbox: mailbox)
        ioExecutor = executor
        startIOThread(name: "bus-client") {
            ClientLoop(context: context, endpoint: endpoint, curve: curve, mailbox: mailbox, executor: executor, logger: logger).run()
        }
    }

    /// A task executor on this client's I/O thread, for callers that make many
    /// short bus calls in a row (`Task(executorPreference: client.executor)`,
    /// `withTaskExecutorPreference`). A call from a task on the cooperative pool
    /// crosses to the I/O thread to be sent (an eventfd wake-up) and its reply
    /// crosses back (a continuation resumed onto the pool, another wake-up); a
    /// task running here sends directly and is resumed in the same loop turn.
    /// Its code runs between the socket's turns, so it must not block or compute
    /// for long: everything else waiting on this client waits for it.
    public var executor: some TaskExecutor { ioExecutor }

    deinit { mailbox.post(.stop) }

    /// Stops the I/O thread; calls still waiting fail with UNAVAILABLE.
    public func shutdown() { mailbox.post(.stop) }

    // The call path is `nonisolated(nonsending)`: it runs on the caller's
    // executor instead of hopping to the generic one at each async function
    // (each hop looked up the task's executor preference under a lock, which
    // stood out in the client's profile); it never blocks, so running there is safe.

    /// Calls a typed method. Throws `BusError` with the service's status.
    nonisolated(nonsending)
    public func call<Input, Output>(_ method: BusMethod<Input, Output>, _ input: Input, options: CallOptions = .init()) async throws -> Output {
        if method.isMutating && (options.idempotencyKey ?? "").isEmpty {
            throw BusError.invalidArgument(field: "idempotency_key", "\(method.service).\(method.name) changes state and needs an idempotency key")
        }
        let reply = try await callEnvelope(service: method.service, method: method.name, body: try input.serializedBytes(), options: options)
        do {
            var output = Output()
            try output.merge(serializedBytes: reply.bytes[reply.peek.body].span.bytes)
            return output
        } catch {
            throw BusError.internal("\(method.service).\(method.name) answered with a body that is not a \(Output.protoMessageName)")
        }
    }

    /// Sends one request envelope; retries retryable failures of idempotent calls
    /// with exponential backoff until the call's deadline. Returns only OK responses.
    nonisolated(nonsending)
    public func callRaw(service: String, method: String, body: [UInt8], options: CallOptions) async throws -> Mlops_V1_Response {
        let reply = try await callEnvelope(service: service, method: method, body: body, options: options)
        return try Self.decodeResponse(reply.bytes, service: service, method: method)
    }

    private static func decodeResponse(_ bytes: [UInt8], service: String, method: String) throws -> Mlops_V1_Response {
        do {
            return try Mlops_V1_Response(serializedBytes: bytes)
        } catch {
            throw BusError.internal("\(service).\(method) answered with a malformed Response envelope")
        }
    }

    nonisolated(nonsending)
    private func callEnvelope(service: String, method: String, body: [UInt8], options: CallOptions) async throws -> Reply {
        let start = ContinuousClock.now
        let deadline = start + options.timeout
        let deadlineUnixMs = unixMillisNow() + options.timeout.milliseconds
        let retryable = !(options.idempotencyKey ?? "").isEmpty
        var backoff = configuration.initialBackoff
        var attempt = 0
        var envelope = RequestEnvelope(
            id: "", service: service, method: method, traceId: options.traceId, subject: options.subject,
            roles: options.roles, deadlineUnixMs: deadlineUnixMs, idempotencyKey: options.idempotencyKey ?? "")
        while true {
            attempt += 1
            // A fresh id per attempt: a late reply to an earlier attempt matches nothing.
            envelope.id = idPrefix + String(nextID.add(1, ordering: .relaxed).newValue, radix: 16)
            let remaining = ContinuousClock.now.duration(to: deadline)
            let attemptBudget = retryable ? min(remaining, options.attemptTimeout ?? configuration.attemptTimeout) : remaining
            let failure: BusError
            do {
                let reply = try await send(envelope.serialized(body: body), id: envelope.id, service: service, timeoutMs: max(1, attemptBudget.milliseconds))
                if reply.peek.statusCode == Mlops_V1_StatusCode.ok.rawValue {
                    // Traced calls (a gateway request's, a service's on its behalf) are
                    // logged for following one request through every process.
                    if !options.traceId.isEmpty {
                        logger.debug("bus call answered", metadata: [
                            "service": .string(service), "method": .string(method), "trace_id": .string(options.traceId),
                            "attempts": .stringConvertible(attempt),
                        ])
                    }
                    return reply
                }
                failure = BusError(status: try Self.decodeResponse(reply.bytes, service: service, method: method).status)
            } catch is AttemptTimedOut {
                failure = BusError.deadlineExceeded("\(service).\(method): no reply within \(options.timeout) (\(attempt) attempt\(attempt == 1 ? "" : "s"))")
            }
            // Without a key a retry could apply twice; a lost reply is retryable like UNAVAILABLE.
            let lostReply = failure.code == .deadlineExceeded && ContinuousClock.now < deadline
            guard retryable, failure.isRetryable || lostReply else { throw failure }
            let jitter = Double.random(in: 0.5...1.0)
            let pause = backoff * jitter
            if ContinuousClock.now + pause >= deadline {
                throw failure.code == .deadlineExceeded ? failure : BusError(failure.code, failure.message + " (gave up after \(attempt) attempts)", fieldViolations: failure.fieldViolations)
            }
            logger.debug("retrying bus call", metadata: ["service": .string(service), "method": .string(method), "attempt": .stringConvertible(attempt), "code": .string("\(failure.code)")])
            try await Task.sleep(for: pause)
            backoff = min(backoff * 2, configuration.maxBackoff)
        }
    }

    nonisolated(nonsending)
    private func send(_ envelope: [UInt8], id: String, service: String, timeoutMs: Int64) async throws -> Reply {
        let mailbox = self.mailbox
        return try await withTaskCancellationHandler {
            // Unsafe: the I/O loop resumes each continuation exactly once (reply,
            // expiry, cancel or stop all take it out of PendingCalls first), and the
            // checked variant costs an allocation per call.
            try await withUnsafeThrowingContinuation { continuation in
                if !mailbox.post(.send(id: id, service: service, envelope: envelope, deadline: unixMillisNow() + timeoutMs, continuation: continuation)) {
                    continuation.resume(throwing: BusError.unavailable("bus client stopped"))
                }
            }
        } onCancel: {
            mailbox.post(.cancel(id: id))
        }
    }
}

/// The client's I/O thread: owns the DEALER socket and the pending-call table,
/// and runs the jobs of tasks that prefer `BusClient.executor`.
private struct ClientLoop {
    let context: ZMQContext
    let endpoint: String
    let curve: BusClientKeys?
    let mailbox: Mailbox<BusClient.Command>
    let executor: BusClientExecutor
    let logger: Logger

    func run() {
        mailbox.bindToCurrentThread()
        var pending = PendingCalls<BusClient.ReplyContinuation>()
        let socket: ZMQSocket
        do {
            socket = try ZMQSocket(context, type: ZMQ_DEALER)
            socket.setOption(ZMQ_SNDHWM, 0)
            socket.setOption(ZMQ_RCVHWM, 0)
            socket.useCurve(curve)
            try socket.connect(endpoint)
        } catch {
            logger.critical("bus client could not connect", metadata: ["error": .string("\(error)")])
            failLeftovers()
            return
        }
        var poller = ReadinessPoller()
        let socketTag: UInt64 = 0, mailboxTag: UInt64 = 1
        poller.add(fd: socket.signalDescriptor, tag: socketTag)
        poller.add(fd: mailbox.fd, tag: mailboxTag)
        let taskExecutor = executor.asUnownedTaskExecutor()
        var frames: [Frame] = []
        var running = true
        while running {
            var timeout = -1
            if let next = pending.nextDeadline() { timeout = Int(max(0, next - unixMillisNow())) }
            // Expiry at the end of the last turn may have resumed tasks on this
            // thread's executor without waking it: run them before sleeping.
            if mailbox.hasCommands { timeout = 0 }
            var mailboxReady = false
            for tag in poller.wait(timeoutMs: timeout) where tag == mailboxTag { mailboxReady = true }
            // Jobs run here post sends and resumed jobs without waking the loop,
            // so the turn repeats until the mailbox stays empty. Every pass reads
            // the socket until empty after sending (a send may consume the input
            // signal; see ReadinessPoller), so one wait per turn is enough.
            repeat {
                if mailboxReady || mailbox.hasCommands {
                    mailboxReady = false
                    for command in mailbox.drain() {
                        switch command {
                        case let .send(id, service, envelope, deadline, continuation):
                            if socket.sendPart([], more: true) && socket.sendPart(MDP.clientHeader, more: true)
                                && socket.sendPart(service, more: true) && socket.sendPart(envelope, more: false) {
                                pending.add(id: id, deadline: deadline, waiter: continuation)
                            } else {
                                continuation.resume(throwing: BusError.unavailable("bus: could not queue the request to \(endpoint)"))
                            }
                        case let .cancel(id):
                            pending.complete(id: id)?.resume(throwing: CancellationError())
                        case let .run(job):
                            job.runSynchronously(on: taskExecutor)
                        case .stop:
                            running = false
                        }
                    }
                }
                while socket.receive(into: &frames) {
                    // [empty, MDPC01, service, body]
                    guard frames.count == 4, frames[1] == MDP.clientHeader, let peek = ResponsePeek(frames[3]) else {
                        logger.warning("bus client dropped a malformed reply")
                        continue
                    }
                    pending.complete(id: peek.id)?.resume(returning: BusClient.Reply(bytes: frames[3], peek: peek))
                }
            } while running && mailbox.hasCommands
            for continuation in pending.expire(now: unixMillisNow()) {
                continuation.resume(throwing: BusClient.AttemptTimedOut())
            }
        }
        poller.remove(fd: socket.signalDescriptor)
        for continuation in pending.removeAll() {
            continuation.resume(throwing: BusError.unavailable("bus client stopped"))
        }
        failLeftovers()
    }

    /// Closes the mailbox and answers what was still queued, so no caller waits
    /// forever; jobs still queued move to the global executor.
    private func failLeftovers() {
        for command in mailbox.close() {
            switch command {
            case let .send(_, _, _, _, continuation):
                continuation.resume(throwing: BusError.unavailable("bus client stopped"))
            case let .run(job):
                globalConcurrentExecutor.enqueue(job)
            case .cancel, .stop:
                break
            }
        }
    }
}

/// `BusClient.executor`: jobs go through the client's mailbox to its I/O thread.
final class BusClientExecutor: TaskExecutor {
    private let mailbox: Mailbox<BusClient.Command>

    init(mailbox: Mailbox<BusClient.Command>) {
        self.mailbox = mailbox
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A stopped client's thread is gone; its tasks go on elsewhere.
        if !mailbox.post(.run(job)) { globalConcurrentExecutor.enqueue(job) }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
