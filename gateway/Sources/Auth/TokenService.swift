import Foundation
import JWTKit
import Synchronization

/// The access token's claims.
struct AccessClaims: JWTPayload {
    var sub: SubjectClaim
    var role: String
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    /// Absent from tokens issued before it was added; enforced when present.
    var nbf: NotBeforeClaim?
    var jti: IDClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf?.verifyNotBefore()
        guard Role(rawValue: role) != nil else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "unknown role") }
    }
}

/// Issues and verifies HS256 access tokens. Verification needs no database;
/// a verified token is remembered until its expiry (bounded), so a client that
/// reuses its token skips the HMAC and the JSON decoding on every request.
public final class TokenService: Sendable {
    private let keys: JWTKeyCollection
    public let ttlSeconds: Int

    private struct Verified { let principal: Principal; let expiresAt: Double }
    private let cache = Mutex<[String: Verified]>([:])
    private static let cacheLimit = 10_000

    public init(secret: [UInt8], ttlSeconds: Int) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: .init(data: secret)), digestAlgorithm: .sha256)
        self.ttlSeconds = ttlSeconds
    }

    public func issue(for principal: Principal) async throws -> String {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = AccessClaims(
            sub: SubjectClaim(value: principal.subject), role: principal.role.rawValue,
            exp: ExpirationClaim(value: now.addingTimeInterval(Double(ttlSeconds))),
            iat: IssuedAtClaim(value: now), nbf: NotBeforeClaim(value: now), jti: IDClaim(value: UUID().uuidString.lowercased())
        )
        return try await keys.sign(claims)
    }

    /// The token's principal, or nil when it is malformed, forged or expired.
    public func verify(_ token: String) async -> Principal? {
        let now = Date().timeIntervalSince1970
        if let hit = cache.withLock({ $0[token] }) {
            if hit.expiresAt > now { return hit.principal }
            _ = cache.withLock { $0.removeValue(forKey: token) }
            return nil
        }
        guard token.utf8.count < 4096, let claims = try? await keys.verify(token, as: AccessClaims.self),
              let role = Role(rawValue: claims.role) else { return nil }
        let principal = Principal(subject: claims.sub.value, role: role)
        let expiresAt = claims.exp.value.timeIntervalSince1970
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit {
                cache = cache.filter { $0.value.expiresAt > now }
                if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            }
            cache[token] = Verified(principal: principal, expiresAt: expiresAt)
        }
        return principal
    }
}
