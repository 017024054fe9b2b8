/// ZAP (ZeroMQ RFC 27): libzmq asks this handler, over an inproc REP socket,
/// whether a peer that completed a CURVE handshake may connect. Pure: frames in,
/// frames out; `ZAPHandler` owns the socket.
public enum ZAP {
    /// Where libzmq sends ZAP requests, per context.
    static let endpoint = "inproc://zeromq.zap.01"
    static let version: Frame = Array("1.0".utf8)

    public struct Request: Equatable, Sendable {
        public var requestId: Frame
        public var domain: String
        public var address: String
        public var routingId: Frame
        public var mechanism: String
        public var credentials: [Frame]
    }

    public struct Decision: Equatable, Sendable {
        /// "200" admitted, "400" refused, "500" a request we could not read.
        public var status: String
        public var text: String
        /// The peer's name: the User-Id property of each of its messages.
        public var userId: String
    }

    /// Reads [version, request id, domain, address, routing id, mechanism, credentials…]; nil when malformed.
    public static func parse(_ frames: [Frame]) -> Request? {
        guard frames.count >= 6, frames[0] == version,
              let domain = String(validating: frames[2], as: UTF8.self),
              let address = String(validating: frames[3], as: UTF8.self),
              let mechanism = String(validating: frames[5], as: UTF8.self) else { return nil }
        return Request(requestId: frames[1], domain: domain, address: address, routingId: frames[4], mechanism: mechanism, credentials: Array(frames[6...]))
    }

    /// Admits a CURVE peer whose public key is authorized, under its name; refuses everything else.
    public static func decide(_ request: Request, peers: BusPeers) -> Decision {
        guard request.mechanism == "CURVE" else {
            return Decision(status: "400", text: "mechanism \(request.mechanism) is not allowed", userId: "")
        }
        guard request.credentials.count == 1, request.credentials[0].count == 32 else {
            return Decision(status: "400", text: "CURVE credentials are not one 32-byte public key", userId: "")
        }
        guard let peer = peers.peer(publicKey: request.credentials[0]) else {
            return Decision(status: "400", text: "unknown public key", userId: "")
        }
        return Decision(status: "200", text: "OK", userId: peer.name)
    }

    /// The reply frames to a request: [version, request id, status, text, user id, metadata].
    public static func reply(to frames: [Frame], peers: BusPeers) -> (frames: [Frame], decision: Decision) {
        guard let request = parse(frames) else {
            let decision = Decision(status: "500", text: "malformed ZAP request", userId: "")
            return (encode(decision, requestId: frames.count > 1 ? frames[1] : []), decision)
        }
        let decision = decide(request, peers: peers)
        return (encode(decision, requestId: request.requestId), decision)
    }

    private static func encode(_ decision: Decision, requestId: Frame) -> [Frame] {
        [version, requestId, Array(decision.status.utf8), Array(decision.text.utf8), Array(decision.userId.utf8), []]
    }
}
