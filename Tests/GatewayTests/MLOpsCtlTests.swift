import Foundation
import TestKit
import Testing

/// The command-line client against the real stack: login (password on stdin),
/// a chunked upload, register from it, list, promote, rollback, and a clear error.
@Suite("mlopsctl end to end", .serialized)
struct MLOpsCtlTests {
    /// Runs mlopsctl with its config in `home`; returns (exit status, output).
    func mlopsctl(_ arguments: [String], home: URL, stdin: String? = nil) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent("mlopsctl")
        process.arguments = arguments
        process.environment = ["XDG_CONFIG_HOME": home.path, "HOME": home.path, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data((stdin + "\n").utf8)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theCommandLineClientDrivesTheRegistry() async throws {
        let home = temporaryDataRoot()
        defer { try? FileManager.default.removeItem(at: home) }
        try await Gateway.withRegistry { gateway, registry in
            let url = "http://127.0.0.1:\(gateway.port)"
            let (loginStatus, loginOutput) = try await mlopsctl(["login", "--url", url, "--username", "admin", "--password-stdin"], home: home, stdin: adminPassword)
            #expect(loginStatus == 0, "\(loginOutput)")
            let (badStatus, badOutput) = try await mlopsctl(["login", "--url", url, "--username", "admin", "--password-stdin"], home: home.appendingPathComponent("other"), stdin: "wrong-password")
            #expect(badStatus != 0 && badOutput.contains("401"), "\(badOutput)")

            // A 2.5 MiB file in 1 MiB chunks: three PUTs, then complete with the sha256.
            let file = home.appendingPathComponent("model.bin")
            let payload = Data((0..<(5 << 19)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try payload.write(to: file)
            let (uploadStatus, uploadOutput) = try await mlopsctl(["upload", file.path, "--chunk-mib", "1"], home: home)
            let sha = sha256Hex(Array(payload))
            #expect(uploadStatus == 0 && uploadOutput.contains(sha) && uploadOutput.contains("100%"), "\(uploadOutput)")

            let ready = await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
                (try? await mlopsctl(["models", "list"], home: home))?.0 == 0
            }
            #expect(ready, "registry log:\n\(registry.log.suffix(2000))")
            let (r1, o1) = try await mlopsctl(["models", "register", "--name", "legal-ko", "--version", "1.0.0", "--artifact", sha, "--tag", "korean"], home: home)
            #expect(r1 == 0 && o1.contains("\"size_bytes\" : \(payload.count)"), "\(o1)")
            let (r2, o2) = try await mlopsctl(["models", "register", "--name", "legal-ko", "--version", "1.1.0", "--path", "/data/models/legal-ko-1.1"], home: home)
            #expect(r2 == 0, "\(o2)")
            let (_, list) = try await mlopsctl(["models", "list"], home: home)
            #expect(list.contains("2 of 2") && list.contains("1.0.0") && list.contains("1.1.0"), "\(list)")

            #expect(try await mlopsctl(["models", "promote", "1"], home: home).1.contains("1.0.0 is now production"))
            #expect(try await mlopsctl(["models", "promote", "2"], home: home).1.contains("1.1.0 is now production"))
            #expect(try await mlopsctl(["models", "rollback", "1"], home: home).1.contains("1.0.0 is now production"))
            let (_, production) = try await mlopsctl(["models", "list", "--status", "production"], home: home)
            #expect(production.contains("1 of 1") && production.contains("1.0.0"), "\(production)")

            // A model registered without a job: its lineage stops at the model, and says so.
            let (lineageStatus, lineage) = try await mlopsctl(["models", "lineage", "2"], home: home)
            #expect(lineageStatus == 0 && lineage.contains("legal-ko 1.1.0") && lineage.contains("job      none recorded"), "\(lineage)")

            let (missingStatus, missing) = try await mlopsctl(["models", "promote", "99"], home: home)
            #expect(missingStatus != 0 && missing.contains("404"), "\(missing)")
        }
    }

    @Test func theCommandLineClientDrivesDatasets() async throws {
        let home = temporaryDataRoot()
        defer { try? FileManager.default.removeItem(at: home) }
        try await Gateway.withDataset { gateway, dataset in
            let url = "http://127.0.0.1:\(gateway.port)"
            let (loginStatus, loginOutput) = try await mlopsctl(["login", "--url", url, "--username", "admin", "--password-stdin"], home: home, stdin: adminPassword)
            #expect(loginStatus == 0, "\(loginOutput)")
            let file = home.appendingPathComponent("road-qa.jsonl")
            try Data(DatasetRouteTests.sampleFile().text.utf8).write(to: file)
            let (uploadStatus, uploadOutput) = try await mlopsctl(["datasets", "upload", file.path, "--name", "road-qa", "--chunk-mib", "1"], home: home)
            #expect(uploadStatus == 0 && uploadOutput.contains("100%") && uploadOutput.contains("v1.0: 60 samples"), "\(uploadOutput)\n\(dataset.log.suffix(1500))")

            let (validateStatus, validateOutput) = try await mlopsctl(["datasets", "validate", "1"], home: home)
            #expect(validateStatus == 0 && validateOutput.contains("pii_detection") && validateOutput.contains("FAILED") && validateOutput.contains("derived version v1.1"), "\(validateOutput)")
            let (splitStatus, splitOutput) = try await mlopsctl(["datasets", "split", "1", "--seed", "3"], home: home)
            #expect(splitStatus == 0 && splitOutput.contains("v1.1: train"), "\(splitOutput)")
            let (_, list) = try await mlopsctl(["datasets", "list"], home: home)
            #expect(list.contains("road-qa") && list.contains("v1.1") && list.contains("1 of 1"), "\(list)")
            let (_, versions) = try await mlopsctl(["datasets", "versions", "1"], home: home)
            #expect(versions.contains("v1.0") && versions.contains("validate"), "\(versions)")
            let (_, diff) = try await mlopsctl(["datasets", "versions", "1", "--diff", "v1.0", "--to", "v1.1"], home: home)
            #expect(diff.contains("v1.0 → v1.1") && diff.contains("removed"), "\(diff)")
            let (statsStatus, stats) = try await mlopsctl(["datasets", "stats", "1"], home: home)
            #expect(statsStatus == 0 && stats.contains("\"sample_count\""), "\(stats)")

            // A rejected file exits non-zero and names the bad line.
            let bad = home.appendingPathComponent("bad.jsonl")
            try Data("{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}\n".utf8).write(to: bad)
            let (rejectedStatus, rejected) = try await mlopsctl(["datasets", "upload", bad.path, "--name", "bad"], home: home)
            #expect(rejectedStatus != 0 && rejected.contains("REJECTED") && rejected.contains("line 1"), "\(rejected)")
        }
    }
}
