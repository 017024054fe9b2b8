import Foundation
import Synchronization

/// Whether a token's subject still exists, is enabled, and with which role:
/// a JWT is stateless, so deleting, disabling or demoting a user would take
/// effect only at the token's expiry. Each gateway checks the users table
/// through this short cache instead, so a change made through any instance
/// takes effect within `cacheSeconds` (at once on the instance that made it).
final class UserDirectory: Sendable {
    private let users: UserStore
    let cacheSeconds: Double

    private struct Entry { let access: UserAccess?; let until: Double }
    private struct State { var entries: [String: Entry] = [:]; var generation = 0 }
    private let state = Mutex(State())
    private static let cacheLimit = 10_000

    init(users: UserStore, cacheSeconds: Int) {
        self.users = users
        self.cacheSeconds = Double(cacheSeconds)
    }

    /// nil when the user is gone.
    func current(_ username: String) async throws -> UserAccess? {
        let now = Date().timeIntervalSince1970
        let (cached, generation) = state.withLock { ($0.entries[username], $0.generation) }
        if let cached, cached.until > now { return cached.access }
        let access = try await users.access(username: username)
        if cacheSeconds > 0 {
            state.withLock { state in
                // A change landed while we read: our answer may predate it.
                guard state.generation == generation else { return }
                if state.entries.count >= Self.cacheLimit { state.entries.removeAll(keepingCapacity: true) }
                state.entries[username] = Entry(access: access, until: now + cacheSeconds)
            }
        }
        return access
    }

    /// After a change through this instance.
    func forget(_ username: String) {
        state.withLock { state in
            state.entries.removeValue(forKey: username)
            state.generation += 1
        }
    }
}

/// What a signed-in user may do now.
struct UserAccess: Sendable, Equatable {
    var role: Role
    var disabled: Bool
}
