import Contracts
import Foundation
import Testing

@testable import Bus

/// The ZAP decision (RFC 27), the authorized list and the identity rule, as
/// pure functions: frames and names in, decisions out.
@Suite struct ZAPTests {
    static let gateway = try! CurveKeyPair.generate()
    static let registry = try! CurveKeyPair.generate()
    static let peers = try! BusPeers([
        AuthorizedPeer(name: "gateway", publicKey: gateway.publicKey, mayActForUsers: true),
        AuthorizedPeer(name: "registry", publicKey: registry.publicKey, mayActForUsers: false),
    ])

    static func request(mechanism: String = "CURVE", credentials: [Frame], requestId: String = "7") -> [Frame] {
        [Array("1.0".utf8), Array(requestId.utf8), Array("".utf8), Array("127.0.0.1".utf8), [0, 1, 2], Array(mechanism.utf8)] + credentials
    }

    @Test func aKnownKeyIsAdmittedUnderItsName() throws {
        let key = try #require(CurveKeyPair.decode(Self.registry.publicKey))
        let (frames, decision) = ZAP.reply(to: Self.request(credentials: [key]), peers: Self.peers)
        #expect(decision == ZAP.Decision(status: "200", text: "OK", userId: "registry"))
        #expect(frames == [Array("1.0".utf8), Array("7".utf8), Array("200".utf8), Array("OK".utf8), Array("registry".utf8), []])
    }

    @Test func everythingElseIsRefused() throws {
        let stranger = try #require(CurveKeyPair.decode(try CurveKeyPair.generate().publicKey))
        let known = try #require(CurveKeyPair.decode(Self.gateway.publicKey))
        let cases: [([Frame], String)] = [
            (Self.request(credentials: [stranger]), "400"),
            (Self.request(mechanism: "NULL", credentials: []), "400"),
            (Self.request(mechanism: "PLAIN", credentials: [Array("gateway".utf8), Array("pw".utf8)]), "400"),
            (Self.request(credentials: [Array(known.prefix(31))]), "400"),
            (Self.request(credentials: [known, known]), "400"),
            (Self.request(credentials: []), "400"),
        ]
        for (frames, status) in cases {
            let (reply, decision) = ZAP.reply(to: frames, peers: Self.peers)
            #expect(decision.status == status && decision.userId.isEmpty, "\(decision)")
            // The reply always answers the request's id, so libzmq can match it.
            #expect(reply.count == 6 && reply[1] == Array("7".utf8) && reply[2] == Array(status.utf8))
        }
    }

    @Test func aMalformedRequestIsAnsweredWith500() {
        let good = Self.request(credentials: [[UInt8](repeating: 0, count: 32)])
        var wrongVersion = good
        wrongVersion[0] = Array("2.0".utf8)
        for frames in [wrongVersion, Array(good.prefix(5)), [[UInt8]]()] {
            #expect(ZAP.parse(frames) == nil)
            let (reply, decision) = ZAP.reply(to: frames, peers: Self.peers)
            #expect(decision.status == "500")
            #expect(reply[1] == (frames.count > 1 ? frames[1] : []))
        }
        let parsed = ZAP.parse(good)
        #expect(parsed?.address == "127.0.0.1" && parsed?.mechanism == "CURVE" && parsed?.routingId == [0, 1, 2] && parsed?.credentials.count == 1)
    }

    @Test func onlyPeersAllowedToActForUsersMayCarryAnIdentity() throws {
        // Reference: refused exactly when the request names a user and its sender is not an act-for-users peer.
        let mayAct = ["gateway": true, "registry": false]
        for sender in ["gateway", "registry", "", "stranger"] {
            for carries in [false, true] {
                let refusal = Self.peers.identityRefusal(sender: sender, carriesIdentity: carries)
                #expect((refusal != nil) == (carries && mayAct[sender] != true), "\(sender) \(carries)")
                if let refusal { #expect(refusal.contains("'\(sender)'")) }
            }
        }
        #expect(Self.peers.isKnown("gateway") && Self.peers.isKnown("registry"))
        #expect(!Self.peers.isKnown("") && !Self.peers.isKnown("stranger"))
    }

    @Test func aNameOrKeyListedTwiceIsRefused() throws {
        let other = try CurveKeyPair.generate()
        #expect(throws: BusKeyError.self) {
            try BusPeers([AuthorizedPeer(name: "a", publicKey: other.publicKey, mayActForUsers: false), AuthorizedPeer(name: "a", publicKey: Self.gateway.publicKey, mayActForUsers: false)])
        }
        #expect(throws: BusKeyError.self) {
            try BusPeers([AuthorizedPeer(name: "a", publicKey: other.publicKey, mayActForUsers: false), AuthorizedPeer(name: "b", publicKey: other.publicKey, mayActForUsers: false)])
        }
        #expect(throws: BusKeyError.self) { try BusPeers([AuthorizedPeer(name: "a", publicKey: "not a key", mayActForUsers: false)]) }
    }

    @Test func theAuthorizedListReadsNamesAndTheActForUsersFlag() throws {
        let entries = try BusKeyFolder.parseAuthorized("# peers\ngateway act-for-users\n\n  registry   # models\ntrainer\tact-for-users\r\n")
        #expect(entries.map(\.name) == ["gateway", "registry", "trainer"])
        #expect(entries.map(\.mayActForUsers) == [true, false, true])
        for (text, line) in [("gateway\nregistry admin\n", 2), ("Gateway\n", 1), ("ok\nbus\n", 2), ("a b c\n", 1)] {
            let error = #expect(throws: BusKeyError.self) { try BusKeyFolder.parseAuthorized(text) }
            #expect(error?.description.hasPrefix("authorized line \(line):") == true, "\(String(describing: error))")
        }
    }

    @Test func aSecretKeyDerivesItsPublicKey() throws {
        let pair = try CurveKeyPair.generate()
        #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        #expect(throws: BusKeyError.self) { try CurveKeyPair(secretKey: String(pair.secretKey.dropLast())) }
        #expect(throws: BusKeyError.self) { try CurveKeyPair(secretKey: String(repeating: "\"", count: 40)) }
    }

    @Test func thePeekSeesAnIdentityExactlyWhenTheDecoderDoes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var request = Mlops_V1_Request()
            request.id = "r"
            if Bool.random(using: &generator) { request.metadata.traceID = "t" }
            if Bool.random(using: &generator) { request.metadata.subject = ["", "alice", "한"].randomElement(using: &generator)! }
            if Bool.random(using: &generator) { request.metadata.roles = [[], ["admin"], [""], ["a", "b"]].randomElement(using: &generator)! }
            if Bool.random(using: &generator) { request.metadata.deadlineUnixMs = Int64.random(in: 0...1 << 42, using: &generator) }
            let peek = try #require(EnvelopePeek(try request.serializedBytes()))
            #expect(peek.carriesIdentity == (!request.metadata.subject.isEmpty || !request.metadata.roles.isEmpty), "\(request.metadata)")
            #expect(peek.deadlineUnixMs == request.metadata.deadlineUnixMs)
        }
    }
}
