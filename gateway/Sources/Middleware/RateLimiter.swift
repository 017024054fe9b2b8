import Foundation
import Synchronization

/// A token bucket per client IP: `perMinute` tokens of burst, refilled at
/// `perMinute / 60` per second. Buckets that have been idle long enough to be
/// full again are dropped on a periodic sweep, so memory follows the number of
/// recently active clients.
public final class RateLimiter: Sendable {
    public let perMinute: Int
    private let capacity: Double
    private let refillPerSecond: Double

    private struct Bucket { var tokens: Double; var updated: Double }
    private struct State { var buckets: [String: Bucket] = [:]; var lastSweep: Double = 0 }
    private let state = Mutex(State())
    private let clock: @Sendable () -> Double

    public init(perMinute: Int, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.perMinute = perMinute
        capacity = Double(perMinute)
        refillPerSecond = Double(perMinute) / 60
        self.clock = clock
    }

    public var isEnabled: Bool { perMinute > 0 }

    /// nil when the request may proceed, else the seconds to wait (≥ 1).
    public func take(_ client: String) -> Int? {
        guard isEnabled else { return nil }
        let now = clock()
        return state.withLock { state in
            if now - state.lastSweep > 60 { sweep(&state, now: now) }
            var bucket = state.buckets[client] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * refillPerSecond)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                state.buckets[client] = bucket
                return nil
            }
            state.buckets[client] = bucket
            return max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
        }
    }

    /// How many clients have a bucket (for tests and metrics).
    public var bucketCount: Int { state.withLock { $0.buckets.count } }

    private func sweep(_ state: inout State, now: Double) {
        state.lastSweep = now
        let fullAfter = capacity / refillPerSecond
        state.buckets = state.buckets.filter { _, bucket in
            bucket.tokens + (now - bucket.updated) * refillPerSecond < capacity && now - bucket.updated < fullAfter
        }
    }
}
