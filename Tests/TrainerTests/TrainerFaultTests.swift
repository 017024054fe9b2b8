import Foundation
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Several trainer instances on one inventory, and an instance killed for real.
@Suite(.serialized)
struct TrainerFaultTests {
    /// Pairs of leases on one device whose held intervals overlap (an expired
    /// lease counts until its expiry, an open one until now).
    static let overlappingLeases = """
        SELECT count(*)::int FROM trainer.lease_history a JOIN trainer.lease_history b
          ON a.device = b.device AND a.id < b.id
         AND a.acquired_at < COALESCE(b.released_at, 'infinity') AND b.acquired_at < COALESCE(a.released_at, 'infinity')
        """

    @Test func twoInstancesShareTwoSlotsAcrossFiveJobs() async throws {
        try await TrainerStack.with(trainers: ["a": [:], "b": [:]]) { stack in
            var ids: [Int] = []
            for n in 1...5 { ids.append(try await stack.createJob("shared-\(n)", hyperparameters: ["num_epochs": 1])) }
            var maxRunning = 0
            let allDone = await eventually(timeout: .seconds(300), every: .milliseconds(150)) {
                let running = (try? await stack.ints("SELECT count(*)::int FROM trainer.finetuning_jobs WHERE status IN ('running', 'stopping')"))?.first ?? 0
                maxRunning = max(maxRunning, running)
                let done = (try? await stack.ints("SELECT count(*)::int FROM trainer.finetuning_jobs WHERE status IN ('completed', 'failed', 'stopped')"))?.first ?? 0
                return done == ids.count
            }
            try #require(allDone, "not every job ended")
            #expect(try await stack.ints("SELECT count(*)::int FROM trainer.finetuning_jobs WHERE status = 'completed'") == [5])
            #expect(maxRunning <= 2, "more jobs ran than there are slots: \(maxRunning)")
            #expect(try await stack.ints(Self.overlappingLeases) == [0], "two jobs held one slot at once")
            #expect(try await stack.ints("SELECT count(*)::int FROM trainer.lease_history") == [5])
        }
    }

    @Test func aKilledTrainersJobResumesFromItsLastCheckpoint() async throws {
        let ttl = 4
        try await TrainerStack.with(trainers: ["a": [:], "b": ["TRAINER_DEVICES": "cpu:1"]], ttl: ttl) { stack in
            let id = try await stack.createJob("crash-1", hyperparameters: ["num_epochs": 40, "save_steps": 4, "batch_size": 16])
            let checkpointed = await eventually(timeout: .seconds(120), every: .milliseconds(200)) {
                ((try? await stack.ints("SELECT count(*)::int FROM trainer.training_checkpoints WHERE job_id = \(id)"))?.first ?? 0) >= 2
            }
            try #require(checkpointed, "no checkpoint before the kill")
            let job = try await stack.job(id)
            try #require(job["status"] as? String == "running")
            let holder = try #require(try await stack.call("GET", "/api/v1/admin/gpus").object["devices"] as? [[String: Any]])
                .compactMap { ($0["lease"] as? [String: Any])?["holder"] as? String }.first
            let victim = try #require(stack.processes["trainer-\(holder ?? "")"], "no lease holder found")
            victim.signal(SIGKILL)
            let killedAt = ContinuousClock.now
            _ = await victim.waitForExit(timeout: .seconds(5))
            // Another instance re-queues it after the lease expires, and runs it.
            let restarted = await eventually(timeout: .seconds(Double(ttl) + 20), every: .milliseconds(100)) {
                let now = try? await stack.job(id)
                return now?["status"] as? String == "running" && now?["attempts"] as? Int == 2
            }
            try #require(restarted, "the job was not picked up again")
            let after = ContinuousClock.now - killedAt
            #expect(after < .seconds(Double(ttl) + 5), "took \(after) to resume (TTL \(ttl) s)")
            let done = try await stack.waitFor(id, ["completed", "failed", "stopped"], timeout: .seconds(300))
            #expect(done["status"] as? String == "completed", "\(done["error"] ?? "")")
            let log = try await stack.logs(id, lines: 5000)
            #expect(log.contains { $0.contains("expired") }, "the log does not say why it was re-queued")
            let resumed = log.first { $0.contains("resuming from") && $0.contains(" at step ") } ?? ""
            let step = resumed.split(separator: " ").last.flatMap { Int($0) } ?? 0
            #expect(step >= 4, "did not resume from a checkpoint: '\(resumed)'")
            #expect(try await stack.ints(TrainerFaultTests.overlappingLeases) == [0])
        }
    }
}
