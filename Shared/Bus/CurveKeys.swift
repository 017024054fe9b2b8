import CZeroMQ

/// Why a CURVE key or key file was refused; the message names the key or file and the reason.
public struct BusKeyError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A CURVE key pair in Z85 text (40 characters each, RFC 32).
public struct CurveKeyPair: Sendable, Equatable {
    public let publicKey: String
    public let secretKey: String

    /// A fresh pair from libzmq's generator (libsodium).
    public static func generate() throws(BusKeyError) -> CurveKeyPair {
        try CurveKeyPair.requireCurve()
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else { throw BusKeyError("zmq_curve_keypair failed") }
        return CurveKeyPair(publicKey: z85Text(publicText), secretKey: z85Text(secretText))
    }

    /// The pair of a secret key: the public key is derived, so the two can never disagree.
    public init(secretKey: String) throws(BusKeyError) {
        try CurveKeyPair.requireCurve()
        guard CurveKeyPair.decode(secretKey) != nil else { throw BusKeyError("not a Z85 CURVE key (40 characters)") }
        var publicText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicText, secretKey) == 0 else { throw BusKeyError("zmq_curve_public failed") }
        self.init(publicKey: z85Text(publicText), secretKey: secretKey)
    }

    private init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The 32 bytes a Z85 key stands for; nil when it is not one.
    public static func decode(_ z85: String) -> [UInt8]? {
        guard z85.utf8.count == 40 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&bytes, z85) != nil else { return nil }
        return bytes
    }

    /// Fails when libzmq was built without CURVE (libsodium): keys are then unusable.
    static func requireCurve() throws(BusKeyError) {
        guard zmq_has("curve") != 0 else { throw BusKeyError("this libzmq has no CURVE support (built without libsodium)") }
    }
}

/// The 40 characters libzmq wrote into a 41-byte buffer.
private func z85Text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// What a client-side bus socket (client, worker, publisher, subscriber) needs
/// to speak CURVE to the broker: its own pair and the broker's public key.
public struct BusClientKeys: Sendable, Equatable {
    public var own: CurveKeyPair
    public var brokerPublicKey: String

    public init(own: CurveKeyPair, brokerPublicKey: String) throws(BusKeyError) {
        guard CurveKeyPair.decode(brokerPublicKey) != nil else { throw BusKeyError("the broker's public key is not a Z85 CURVE key (40 characters)") }
        self.own = own
        self.brokerPublicKey = brokerPublicKey
    }
}

extension ZMQSocket {
    /// Makes this socket a CURVE client of the broker; before `connect`.
    func useCurve(_ keys: BusClientKeys?) {
        guard let keys else { return }
        setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(keys.brokerPublicKey.utf8))
        setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(keys.own.publicKey.utf8))
        setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(keys.own.secretKey.utf8))
    }

    /// Makes this socket a CURVE server whose peers the ZAP handler admits; before `bind`.
    func serveCurve(_ keys: CurveKeyPair) {
        setOption(ZMQ_CURVE_SERVER, 1)
        setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(keys.secretKey.utf8))
    }
}
