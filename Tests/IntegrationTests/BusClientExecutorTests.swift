import Bus
import Contracts
import Foundation
import Synchronization
import Testing
import TestKit

/// `BusClient.executor`: tasks that run on the client's I/O thread, against a
/// real broker and a real echo-worker process.
@Suite(.serialized) struct BusClientExecutorTests {
    static let heartbeatMs = 250

    /// The calling thread's name (the I/O thread is named "bus-client").
    static func threadName() -> String {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
        return comm.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func echo(_ client: BusClient, _ text: String, timeout: Duration = .seconds(10)) async throws -> String {
        var request = Mlops_V1_Probe_EchoRequest()
        request.payload = Data(text.utf8)
        let reply = try await client.call(ProbeMethods.echo, request, options: .init(timeout: timeout))
        return String(decoding: reply.payload, as: UTF8.self)
    }

    @Test func tasksOnTheClientExecutorRunOnItsThreadAndGetTheirOwnReplies() async throws {
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: Self.heartbeatMs)
        let worker = try ChildProcess("bus-probe", arguments: ["echo-worker", "--endpoint", ports.endpoint, "--slots", "8"], environment: [:], name: "echo-worker")
        let client = try BusClient(configuration: .init(endpoint: ports.endpoint))
        defer { client.shutdown() }
        #expect(await eventually(timeout: .seconds(30)) { (try? await Self.echo(client, "ping", timeout: .seconds(1))) == "ping" })

        // Eight tasks on the executor and two on the pool, all calling at once:
        // each reply must reach the call that asked for it.
        let results = try await withThrowingTaskGroup(of: (onExecutor: Bool, threads: Set<String>, mismatches: Int, calls: Int).self) { group in
            for task in 0..<10 {
                let onExecutor = task < 8
                group.addTask(executorPreference: onExecutor ? client.executor : nil) {
                    var threads = Set<String>()
                    var mismatches = 0
                    for call in 0..<250 {
                        let text = "task \(task) call \(call)"
                        threads.insert(Self.threadName())
                        if try await Self.echo(client, text) != text { mismatches += 1 }
                        threads.insert(Self.threadName())
                    }
                    return (onExecutor, threads, mismatches, 250)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 10)
        #expect(results.reduce(0) { $0 + $1.mismatches } == 0)
        #expect(results.reduce(0) { $0 + $1.calls } == 2500)
        for result in results where result.onExecutor {
            #expect(result.threads == ["bus-client"], "a task on the client's executor ran on \(result.threads)")
        }
        for result in results where !result.onExecutor {
            #expect(!result.threads.contains("bus-client"), "a pool task ran on the client's I/O thread")
        }
        await worker.stop()
        await broker.stop()
    }

    /// An attempt that expires in the client itself resumes its task from the
    /// I/O thread without waking it through the eventfd; the loop must run that
    /// task before it sleeps again. Here nothing ever answers or arrives, so
    /// nothing else would wake the loop.
    @Test func aLocallyExpiredCallResumesItsTaskWithNoOtherTraffic() async throws {
        // Nobody listens on this port: the request is queued and never answered.
        let client = try BusClient(configuration: .init(endpoint: "tcp://127.0.0.1:\(freePort())"))
        defer { client.shutdown() }
        let outcome = Mutex<(code: Mlops_V1_StatusCode?, waited: Duration)?>(nil)
        let task = Task(executorPreference: client.executor) {
            let started = ContinuousClock.now
            var code: Mlops_V1_StatusCode?
            do { _ = try await Self.echo(client, "nobody", timeout: .milliseconds(400)) } catch let error as BusError { code = error.code } catch {}
            outcome.withLock { $0 = (code, started.duration(to: .now)) }
        }
        let finished = await eventually(timeout: .seconds(10)) { outcome.withLock { $0 != nil } }
        #expect(finished, "the task resumed by the local expiry never ran")
        let result = try #require(outcome.withLock { $0 })
        #expect(result.code == .deadlineExceeded)
        #expect(result.waited >= .milliseconds(350) && result.waited < .seconds(3), "waited \(result.waited)")
        client.shutdown()
        await task.value
    }

    @Test func deadlinesExpireAndShutdownReleasesTasksOnTheExecutor() async throws {
        let ports = BrokerPorts()
        let broker = try ports.start(heartbeatMs: Self.heartbeatMs)
        let client = try BusClient(configuration: .init(endpoint: ports.endpoint))
        // No worker: the call waits in the broker until its deadline.
        let expiry = Task(executorPreference: client.executor) { () -> (BusError?, Duration) in
            let started = ContinuousClock.now
            do {
                _ = try await Self.echo(client, "nobody", timeout: .milliseconds(600))
                return (nil, started.duration(to: .now))
            } catch let error as BusError {
                return (error, started.duration(to: .now))
            }
        }
        let (error, waited) = try await expiry.value
        #expect(error?.code == .deadlineExceeded)
        #expect(waited >= .milliseconds(550) && waited < .seconds(3), "waited \(waited)")

        // A call still waiting when the client stops fails with UNAVAILABLE, and
        // the task goes on (elsewhere: the client's thread is gone).
        let stranded = Task(executorPreference: client.executor) { () -> (BusError?, String) in
            do {
                _ = try await Self.echo(client, "stranded", timeout: .seconds(30))
                return (nil, Self.threadName())
            } catch let error as BusError {
                return (error, Self.threadName())
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        client.shutdown()
        let outcome = await withTaskGroup(of: (BusError?, String)?.self) { group in
            group.addTask { try? await stranded.value }
            group.addTask { try? await Task.sleep(for: .seconds(10)); return nil }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        let (strandedError, thread) = try #require(outcome, "the task waiting on a stopped client never finished")
        #expect(strandedError?.code == .unavailable)
        #expect(thread != "bus-client")
        await broker.stop()
    }
}
