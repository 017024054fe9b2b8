import Bus
import Contracts
import Foundation
import Logging
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `bus` executable with CURVE keys from `bus keygen`, real sockets:
/// who gets in, and who may act for users. "gateway" may; "registry" may not.
@Suite(.serialized) struct BusCurveTests {
    /// A broker on free ports with keys for bus, gateway and registry, and an
    /// in-process probe worker (registry's key) whose Echo answers with the
    /// caller's subject and roles as the worker saw them.
    final class Stack: @unchecked Sendable {
        let folder: BusKeyFolder
        let ports = BrokerPorts()
        let broker: ChildProcess
        let worker: BusWorker
        let workerTask: Task<Void, any Error>

        init() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-keys-\(UUID().uuidString.prefix(8))").path
            folder = BusKeyFolder(directory)
            let keygen = try ChildProcess("bus", arguments: ["keygen", directory, "bus", "gateway", "registry"], environment: [:], name: "keygen")
            let status = await keygen.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "keygen: \(keygen.log)")
            try "gateway act-for-users\nregistry\n".write(toFile: directory + "/authorized", atomically: true, encoding: .utf8)
            broker = try ChildProcess("bus", environment: ports.environment(heartbeatMs: 500).merging(["BUS_KEYS_DIR": directory]) { $1 }, name: "bus-curve")

            var router = BusRouter(service: ProbeMethods.service)
            router.on(ProbeMethods.echo) { _, context in
                var reply = Mlops_V1_Probe_EchoReply()
                reply.payload = Data(([context.subject] + context.roles).joined(separator: "|").utf8)
                return reply
            }
            worker = BusWorker(configuration: .init(endpoint: ports.endpoint, slots: 2, heartbeatIntervalMs: 500, curve: try folder.clientKeys(for: "registry")), router: router)
            workerTask = Task { [worker] in try await worker.run() }
        }

        func client(_ name: String) throws -> BusClient {
            try BusClient(configuration: .init(endpoint: ports.endpoint, curve: try folder.clientKeys(for: name)))
        }

        func stop() async {
            worker.drain()
            _ = try? await workerTask.value
            await broker.stop()
        }
    }

    static func echo(_ client: BusClient, subject: String = "", roles: [String] = [], timeout: Duration = .seconds(2)) async throws -> String {
        let reply = try await client.call(ProbeMethods.echo, Mlops_V1_Probe_EchoRequest(), options: .init(timeout: timeout, subject: subject, roles: roles))
        return String(decoding: reply.payload, as: UTF8.self)
    }

    /// Waits until `client` is served (the broker and worker are up and connected).
    static func served(_ client: BusClient) async -> Bool {
        await eventually(timeout: .seconds(20), every: .milliseconds(100)) { (try? await echo(client, timeout: .milliseconds(500))) != nil }
    }

    @Test func aKnownPeerIsServedEndToEndAndTheGatewayMayActForUsers() async throws {
        let stack = try await Stack()
        let gateway = try stack.client("gateway")
        defer { gateway.shutdown() }
        #expect(await Self.served(gateway), "broker log:\n\(stack.broker.log)")
        #expect(try await Self.echo(gateway, subject: "alice", roles: ["admin", "viewer"]) == "alice|admin|viewer")
        // A known peer without an identity is served too.
        let registry = try stack.client("registry")
        defer { registry.shutdown() }
        #expect(try await Self.echo(registry) == "")
        // Every message of a known peer names it: calls and heartbeats (every 500 ms here) for a few
        // seconds, and the broker drops none (under scripts/up, routing-id frames without metadata once did).
        let until = ContinuousClock.now + .seconds(4)
        while ContinuousClock.now < until {
            #expect(try await Self.echo(Bool.random() ? gateway : registry) == "")
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...150)))
        }
        #expect(!stack.broker.log.contains("without an authorized key"), "broker log:\n\(stack.broker.log)")
        await stack.stop()
    }

    @Test func aPeerNotAllowedToActForUsersIsRefusedWhenItSendsAnIdentity() async throws {
        let stack = try await Stack()
        let registry = try stack.client("registry")
        defer { registry.shutdown() }
        #expect(await Self.served(registry), "broker log:\n\(stack.broker.log)")
        for (subject, roles) in [("alice", [String]()), ("", ["admin"]), ("alice", ["admin"])] {
            let error = await #expect(throws: BusError.self) { try await Self.echo(registry, subject: subject, roles: roles) }
            #expect(error?.code == .permissionDenied, "\(String(describing: error))")
            #expect(error?.message.contains("'registry'") == true)
        }
        // The gateway's identical call passes.
        let gateway = try stack.client("gateway")
        defer { gateway.shutdown() }
        #expect(try await Self.echo(gateway, subject: "alice", roles: ["admin"]) == "alice|admin")
        await stack.stop()
    }

    @Test func anUnknownKeyIsRefusedAtTheHandshake() async throws {
        let stack = try await Stack()
        let gateway = try stack.client("gateway")
        defer { gateway.shutdown() }
        #expect(await Self.served(gateway), "broker log:\n\(stack.broker.log)")
        let stranger = try BusClient(configuration: .init(endpoint: stack.ports.endpoint, curve: try BusClientKeys(own: try CurveKeyPair.generate(), brokerPublicKey: try stack.folder.clientKeys(for: "gateway").brokerPublicKey)))
        defer { stranger.shutdown() }
        let error = await #expect(throws: BusError.self) { try await Self.echo(stranger, timeout: .seconds(1)) }
        #expect(error?.code == .deadlineExceeded)
        #expect(await eventually(timeout: .seconds(2)) { stack.broker.log.contains("unknown public key") }, "ZAP refused it (400); log:\n\(stack.broker.log)")
        await stack.stop()
    }

    @Test func aPlaintextPeerGetsNoReply() async throws {
        let stack = try await Stack()
        let gateway = try stack.client("gateway")
        defer { gateway.shutdown() }
        #expect(await Self.served(gateway), "broker log:\n\(stack.broker.log)")
        let plaintext = try BusClient(configuration: .init(endpoint: stack.ports.endpoint))
        defer { plaintext.shutdown() }
        let error = await #expect(throws: BusError.self) { try await Self.echo(plaintext, subject: "alice", timeout: .seconds(1)) }
        #expect(error?.code == .deadlineExceeded)
        await stack.stop()
    }

    /// The first event's topic within `limit`, nil when none came.
    static func firstTopic(_ subscriber: BusSubscriber, within limit: Duration) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                for await event in subscriber.events { return event.topic }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func eventsReachAKnownSubscriberOnly() async throws {
        let stack = try await Stack()
        let publisher = try BusPublisher(endpoint: stack.ports.pubEndpoint, curve: try stack.folder.clientKeys(for: "registry"))
        defer { publisher.shutdown() }
        let known = try BusSubscriber(endpoint: stack.ports.subEndpoint, topics: ["curve."], curve: try stack.folder.clientKeys(for: "gateway"))
        defer { known.shutdown() }
        let plaintext = try BusSubscriber(endpoint: stack.ports.subEndpoint, topics: ["curve."])
        defer { plaintext.shutdown() }
        // Subscriptions travel only after the handshake: publish until they may have.
        let publishing = Task {
            while !Task.isCancelled {
                publisher.publish(topic: "curve.test", body: [1])
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(await Self.firstTopic(known, within: .seconds(10)) == "curve.test", "broker log:\n\(stack.broker.log)")
        #expect(await Self.firstTopic(plaintext, within: .seconds(1)) == nil, "a plaintext subscriber received an event")
        publishing.cancel()
        await stack.stop()
    }

    @Test func aMalformedKeyFileStopsTheBrokerWithStatus2NamingTheSetting() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-keys-\(UUID().uuidString.prefix(8))").path
        _ = try BusKeyFolder(directory).generate(names: ["bus", "gateway"])
        try "gateway act-for-users\nregistry\n".write(toFile: directory + "/authorized", atomically: true, encoding: .utf8)
        let broker = try ChildProcess("bus", environment: BrokerPorts().environment(heartbeatMs: 500).merging(["BUS_KEYS_DIR": directory]) { $1 }, name: "bus-badkeys")
        #expect(await broker.waitForExit(timeout: .seconds(10)) == 2)
        #expect(broker.log.contains("BUS_KEYS_DIR") && broker.log.contains("registry.pub: missing"), "log:\n\(broker.log)")
    }

    @Test func keygenMakesOwnerOnlySecretsAndNeverReplacesAKey() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlops-keys-\(UUID().uuidString.prefix(8))").path
        let folder = BusKeyFolder(directory)
        #expect(try folder.generate(names: ["bus", "gateway"]) == ["bus", "gateway"])
        let before = try String(contentsOfFile: directory + "/gateway.key", encoding: .utf8)
        #expect(try folder.generate(names: ["gateway", "registry"]) == ["registry"])
        #expect(try String(contentsOfFile: directory + "/gateway.key", encoding: .utf8) == before)
        func mode(_ path: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1) & 0o777 }
        #expect(try mode(directory) == 0o700)
        #expect(try mode(directory + "/gateway.key") == 0o600)
        // The public file is the secret's own public key.
        let keys = try folder.clientKeys(for: "gateway")
        #expect(try String(contentsOfFile: directory + "/gateway.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == keys.own.publicKey)
        #expect(throws: BusKeyError.self) { try folder.generate(names: ["../x"]) }
    }
}
