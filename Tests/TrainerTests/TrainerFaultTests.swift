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

    /// The runner itself dies (a segfault, the OOM killer): the job fails with
    /// the signal, the device is freed for the next job, and the failed job
    /// resumes from its last checkpoint.
    @Test func aCrashedRunnerFailsTheJobAndFreesItsDevice() async throws {
        try await TrainerStack.with(trainers: ["a": ["TRAINER_DEVICES": "cpu:1"]]) { stack in
            let id = try await stack.createJob("segv-1", hyperparameters: ["num_epochs": 40, "save_steps": 4, "batch_size": 16])
            let checkpointed = await eventually(timeout: .seconds(120), every: .milliseconds(200)) {
                ((try? await stack.ints("SELECT count(*)::int FROM trainer.training_checkpoints WHERE job_id = \(id)"))?.first ?? 0) >= 1
            }
            try #require(checkpointed, "no checkpoint before the crash")
            let runner = try #require(Self.runnerPID(job: id, dataRoot: stack.dataRoot), "no runner process for job \(id)")
            #expect(kill(runner, SIGSEGV) == 0)
            let failed = try await stack.waitFor(id, ["failed", "completed", "stopped", "queued"], timeout: .seconds(30))
            #expect(failed["status"] as? String == "failed", "\(failed["status_reason"] ?? "")")
            let error = (failed["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(error.contains("signal 11"), "the error does not name the signal: \(error)")
            #expect(try await stack.ints("SELECT count(*)::int FROM trainer.device_leases WHERE job_id IS NOT NULL") == [0],
                    "the crashed job still holds its device")
            // The only slot is free again: the next job runs on it.
            let next = try await stack.createJob("after-segv", hyperparameters: ["num_epochs": 1])
            let done = try await stack.waitFor(next, ["completed", "failed"])
            #expect(done["status"] as? String == "completed", "\(done["error"] ?? "")")
            // And the failed job picks up where it was.
            let resumed = try await stack.call("POST", "/api/v1/admin/finetuning/jobs/\(id)/resume", json: [:])
            #expect(resumed.status == 200, "\(resumed.text)")
            let running = await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
                (try? await stack.logs(id, lines: 5000))?.contains { $0.contains("resuming from") } ?? false
            }
            #expect(running, "the resumed job did not start from a checkpoint")
            _ = try await stack.call("POST", "/api/v1/admin/finetuning/jobs/\(id)/stop")
            _ = try await stack.waitFor(id, ["stopped", "failed", "completed"], timeout: .seconds(60))
        }
    }

    /// The runner's pid, from its command line (it names the job's spec file).
    static func runnerPID(job: Int, dataRoot: URL) -> pid_t? {
        let spec = dataRoot.appendingPathComponent("trainer/jobs/\(job)/job.json").path
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let argv = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if argv.contains(spec) && argv.contains("train") { return pid }
        }
        return nil
    }
}
