/// A peer the broker admits: its name (the ZAP user id the broker sees on
/// each of its messages), its public key, and whether it may present an
/// end-user identity (a request's subject and roles).
public struct AuthorizedPeer: Sendable, Equatable {
    public var name: String
    /// Z85, 40 characters.
    public var publicKey: String
    public var mayActForUsers: Bool

    public init(name: String, publicKey: String, mayActForUsers: Bool) {
        self.name = name
        self.publicKey = publicKey
        self.mayActForUsers = mayActForUsers
    }
}

/// The broker's authorized keys: who may connect (ZAP) and who may act for users.
public struct BusPeers: Sendable {
    public let all: [AuthorizedPeer]
    private let byKey: [[UInt8]: AuthorizedPeer]
    private let byName: [String: AuthorizedPeer]

    /// Refuses malformed keys and a name or key listed twice (which peer would it be?).
    public init(_ peers: [AuthorizedPeer]) throws(BusKeyError) {
        var byKey: [[UInt8]: AuthorizedPeer] = [:]
        var byName: [String: AuthorizedPeer] = [:]
        for peer in peers {
            guard !peer.name.isEmpty else { throw BusKeyError("a peer has an empty name") }
            guard let key = CurveKeyPair.decode(peer.publicKey) else { throw BusKeyError("\(peer.name): not a Z85 CURVE public key (40 characters)") }
            guard byName[peer.name] == nil else { throw BusKeyError("\(peer.name) is listed twice") }
            if let other = byKey[key] { throw BusKeyError("\(peer.name) has the same public key as \(other.name)") }
            byKey[key] = peer
            byName[peer.name] = peer
        }
        all = peers
        self.byKey = byKey
        self.byName = byName
    }

    /// The peer a 32-byte public key (ZAP's CURVE credentials) belongs to.
    public func peer(publicKey: [UInt8]) -> AuthorizedPeer? { byKey[publicKey] }

    /// Whether a message's sender, named by its ZAP user id, is an admitted peer.
    /// Empty when the handshake skipped ZAP: never trusted.
    public func isKnown(_ name: String) -> Bool { byName[name] != nil }

    /// Why a request from `sender` must be refused; nil when it may pass. Only
    /// peers allowed to act for users may send a subject or roles: anyone else
    /// would be skipping the gateway's login, roles, rate limit and audit.
    public func identityRefusal(sender: String, carriesIdentity: Bool) -> String? {
        guard carriesIdentity, byName[sender]?.mayActForUsers != true else { return nil }
        return "bus peer '\(sender)' may not act for an end user (the request carries a subject or roles); the broker's authorized list allows only its act-for-users peers to"
    }
}
