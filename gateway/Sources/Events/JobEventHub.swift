import Bus
import Contracts
import Foundation
import JSON
import Logging
import ServiceLifecycle
import Synchronization

/// One bus subscription to `trainer.job.*` shared by every SSE client: each
/// event goes to the clients watching its job. Pub/sub may drop events, so a
/// stream is a live view, not the record (the job row and its log are).
///
/// Each event gets an id, increasing across the hub's life and restarts, and
/// the newest `recentPerJob` events of the last `recentJobs` jobs are kept, so
/// a client that reconnects with `Last-Event-ID` gets what it missed.
public final class JobEventHub: Service, Sendable {
    public struct Event: Sendable, Equatable {
        public let id: UInt64
        public let kind: String
        public let json: String
    }

    public enum Message: Sendable {
        case event(Event)
        /// Nothing arrived for a while: time to check the job and keep the connection alive.
        case idle
    }

    public static let recentPerJob = 1000
    public static let recentJobs = 64

    private struct Recent {
        var events: [Event] = []
        /// Events up to this id are no longer kept.
        var droppedThrough: UInt64
        var touched: UInt64
    }

    private struct State {
        var watchers: [Int64: [UUID: AsyncStream<Message>.Continuation]] = [:]
        var recent: [Int64: Recent] = [:]
        var nextID: UInt64
    }

    private let subscriber: BusSubscriber
    /// Ids start at the start time in ms × 2²⁰, so a restarted gateway never reuses one.
    private let firstID = UInt64(max(0, Date().timeIntervalSince1970 * 1000)) << 20
    private let state: Mutex<State>

    public init(endpoint: String, curve: BusClientKeys?, logger: Logger) throws {
        subscriber = try BusSubscriber(endpoint: endpoint, topics: [TrainerMethods.jobEventTopicPrefix], curve: curve, logger: logger)
        state = Mutex(State(nextID: firstID))
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await event in subscriber.events {
                guard let body = try? Mlops_V1_Trainer_JobEvent(serializedBytes: event.body) else { continue }
                let (item, targets) = state.withLock { state in
                    let item = Event(id: state.nextID, kind: body.kind, json: body.dataJson)
                    state.nextID += 1
                    Self.remember(item, job: body.jobID, in: &state)
                    return (item, state.watchers[body.jobID].map { Array($0.values) } ?? [])
                }
                for continuation in targets { continuation.yield(.event(item)) }
            }
        } onGracefulShutdown: { [subscriber] in
            subscriber.shutdown()
        }
        let all = state.withLock { state in
            defer { state.watchers.removeAll() }
            return state.watchers.values.flatMap(\.values)
        }
        for continuation in all { continuation.finish() }
    }

    /// A client's view of one job; `end()` it when the client goes away.
    public struct Watch: Sendable {
        public let messages: AsyncStream<Message>
        let continuation: AsyncStream<Message>.Continuation
        public func end() { continuation.finish() }
    }

    /// Events of one job from now on, with `.idle` every `idleEvery`; and with
    /// `after` (a client's Last-Event-ID), the kept events after it, or nil
    /// when some of them are no longer kept (or the id is not this hub's).
    /// Live events may repeat replayed ones: skip ids already sent.
    public func watch(job: Int64, idleEvery: Duration, after lastID: UInt64? = nil) -> (watch: Watch, missed: [Event]?) {
        let token = UUID()
        let (stream, continuation) = AsyncStream<Message>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let missed = state.withLock { state -> [Event]? in
            state.watchers[job, default: [:]][token] = continuation
            guard let lastID, lastID >= firstID, lastID < state.nextID else { return nil }
            // The client's id came from this job's events: none kept means they were evicted.
            guard let recent = state.recent[job], lastID >= recent.droppedThrough else { return nil }
            return recent.events.filter { $0.id > lastID }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: idleEvery)
                continuation.yield(.idle)
            }
        }
        continuation.onTermination = { [weak self] _ in
            ticker.cancel()
            self?.state.withLock { state in
                state.watchers[job]?[token] = nil
                if state.watchers[job]?.isEmpty == true { state.watchers[job] = nil }
            }
        }
        return (Watch(messages: stream, continuation: continuation), missed)
    }

    /// Clients watching now (for tests and metrics).
    public var watcherCount: Int { state.withLock { $0.watchers.values.reduce(0) { $0 + $1.count } } }

    private static func remember(_ event: Event, job: Int64, in state: inout State) {
        if state.recent[job] == nil, state.recent.count >= recentJobs,
           let stalest = state.recent.min(by: { $0.value.touched < $1.value.touched })?.key {
            state.recent[stalest] = nil
        }
        var recent = state.recent.removeValue(forKey: job) ?? Recent(droppedThrough: event.id - 1, touched: event.id)
        recent.events.append(event)
        recent.touched = event.id
        if recent.events.count > recentPerJob {
            // Drop a tenth at once, so trimming is not a shift per event.
            let drop = recentPerJob / 10
            recent.droppedThrough = recent.events[drop - 1].id
            recent.events.removeFirst(drop)
        }
        state.recent[job] = recent
    }
}
