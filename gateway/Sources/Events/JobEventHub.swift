import Bus
import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One bus subscription to `trainer.job.*` shared by every SSE client: each
/// event goes to the clients watching its job. Pub/sub may drop events, so a
/// stream is a live view, not the record (the job row and its log are).
public final class JobEventHub: Service, Sendable {
    public enum Message: Sendable {
        case event(kind: String, json: String)
        /// Nothing arrived for a while: time to check the job and keep the connection alive.
        case idle
    }

    private let subscriber: BusSubscriber
    private let watchers = Mutex<[Int64: [UUID: AsyncStream<Message>.Continuation]]>([:])

    public init(endpoint: String, logger: Logger) throws {
        subscriber = try BusSubscriber(endpoint: endpoint, topics: [TrainerMethods.jobEventTopicPrefix], logger: logger)
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await event in subscriber.events {
                guard let body = try? Mlops_V1_Trainer_JobEvent(serializedBytes: event.body) else { continue }
                let targets = watchers.withLock { $0[body.jobID].map { Array($0.values) } ?? [] }
                for continuation in targets { continuation.yield(.event(kind: body.kind, json: body.dataJson)) }
            }
        } onGracefulShutdown: { [subscriber] in
            subscriber.shutdown()
        }
        let all = watchers.withLock { state in
            defer { state.removeAll() }
            return state.values.flatMap(\.values)
        }
        for continuation in all { continuation.finish() }
    }

    /// A client's view of one job; `end()` it when the client goes away.
    public struct Watch: Sendable {
        public let messages: AsyncStream<Message>
        let continuation: AsyncStream<Message>.Continuation
        public func end() { continuation.finish() }
    }

    /// Events of one job from now on, with `.idle` every `idleEvery`.
    public func watch(job: Int64, idleEvery: Duration) -> Watch {
        let token = UUID()
        let (stream, continuation) = AsyncStream<Message>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        watchers.withLock { $0[job, default: [:]][token] = continuation }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: idleEvery)
                continuation.yield(.idle)
            }
        }
        continuation.onTermination = { [weak self] _ in
            ticker.cancel()
            self?.watchers.withLock { state in
                state[job]?[token] = nil
                if state[job]?.isEmpty == true { state[job] = nil }
            }
        }
        return Watch(messages: stream, continuation: continuation)
    }

    /// Clients watching now (for tests and metrics).
    public var watcherCount: Int { watchers.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
