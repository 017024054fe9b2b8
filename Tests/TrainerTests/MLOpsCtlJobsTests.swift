import Foundation
import TestKit
import Testing

/// `mlopsctl jobs` against the real stack: create with flags, follow the live
/// log until the job ends, then list and get.
@Suite(.serialized)
struct MLOpsCtlJobsTests {
    func mlopsctl(_ arguments: [String], stack: TrainerStack, home: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent("mlopsctl")
        process.arguments = arguments
        process.environment = ["HOME": home.path, "XDG_CONFIG_HOME": home.path, "PATH": "/usr/bin:/bin",
                               "MLOPS_URL": "http://127.0.0.1:\(stack.httpPort)", "MLOPS_TOKEN": stack.token]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func createFollowListGet() async throws {
        let home = temporaryDataRoot()
        defer { try? FileManager.default.removeItem(at: home) }
        try await TrainerStack.with { stack in
            let (created, createOutput) = try mlopsctl(["jobs", "create", "--name", "cli-1", "--base-model", "tiny", "--dataset", "1",
                                                        "--method", "lora", "--set", "num_epochs=1", "--set", "learning_rate=3e-3",
                                                        "--set", "batch_size=8"], stack: stack, home: home)
            #expect(created == 0, "\(createOutput)")
            let id = try #require(try await stack.ints("SELECT id::int FROM trainer.finetuning_jobs WHERE job_name = 'cli-1'").first)
            let job = try await stack.job(id)
            #expect((job["hyperparameters"] as? [String: Any])?["learning_rate"] as? Double == 0.003)
            let (followed, followOutput) = try mlopsctl(["jobs", "logs", "\(id)", "-f"], stack: stack, home: home)
            #expect(followed == 0, "\(followOutput)")
            #expect(followOutput.contains("completed"), "\(followOutput.suffix(500))")
            #expect(try await stack.job(id)["status"] as? String == "completed")
            let (listed, listOutput) = try mlopsctl(["jobs", "list"], stack: stack, home: home)
            #expect(listed == 0 && listOutput.contains("cli-1") && listOutput.contains("completed"), "\(listOutput)")
            let (bad, badOutput) = try mlopsctl(["jobs", "create", "--name", "cli-2", "--base-model", "tiny", "--dataset", "1",
                                                 "--method", "lora", "--set", "lora_rank=0"], stack: stack, home: home)
            #expect(bad != 0 && badOutput.contains("hyperparameters.lora_rank"), "\(badOutput)")
        }
    }
}
