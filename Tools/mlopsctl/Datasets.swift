import ArgumentParser
import Contracts
import Foundation
import JSON

/// `mlopsctl datasets …`: training data through the dataset service.
struct Datasets: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Training datasets: upload, list, validate, split, stats, versions.",
        subcommands: [UploadDataset.self, List.self, Validate.self, Split.self, Stats.self, Versions.self]
    )
    static let base = "/api/v1/admin/training/datasets"

    struct UploadDataset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "upload", abstract: "Upload a JSONL/JSON/CSV/Parquet file as a new dataset (or --to a new version).")
        @Argument(help: "The file.") var file: String
        @Option var name: String?
        @Option var description: String?
        @Option(help: "jsonl, json, csv or parquet (default: from the file name).") var format: String?
        @Option(help: "reject (default): any bad line rejects the file; drop: bad lines are left out.") var onBadLines: String?
        @Option(name: .customLong("column"), help: "role=column for CSV/Parquet, e.g. question=q (repeat).") var columns: [String] = []
        @Option(help: "Add the file as a new version of this dataset id.") var to: Int?
        @Option(help: "Chunk size in MiB.") var chunkMib = 8
        @Flag(help: "Print the raw JSON.") var json = false

        func validate() throws {
            guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("file: cannot read '\(file)'") }
            guard (name == nil) != (to == nil) else { throw ValidationError("give --name for a new dataset or --to ID for a new version") }
            for column in columns where !column.contains("=") { throw ValidationError("--column wants role=column, got '\(column)'") }
        }

        func run() async throws {
            let (uploadId, _, _) = try await chunkedUpload(file: file, chunkMib: chunkMib, resume: nil)
            var body: [String: JSONValue] = ["upload_id": .string(uploadId)]
            if let name { body["name"] = .string(name) }
            if let description { body["description"] = .string(description) }
            if let format {
                body["format"] = .string(format)
            } else if let inferred = DatasetFormat(fileName: file) {
                body["format"] = .string(inferred.rawValue)
            } else {
                throw ValidationError("cannot tell the format from '\(file)'; give --format (\(DatasetFormat.names))")
            }
            if let onBadLines { body["on_bad_lines"] = .string(onBadLines) }
            if !columns.isEmpty {
                body["columns"] = JSONValue(object: Dictionary(uniqueKeysWithValues: columns.map { pair in
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    return (parts[0], JSONValue.string(parts.count > 1 ? parts[1] : ""))
                }))
            }
            let client = try APIClient(config: CLIConfig.load())
            let path = to.map { "\(Datasets.base)/\($0)/versions" } ?? Datasets.base
            let reply = try await Waiting.run("ingesting") {
                try await client.send("POST", path, json: JSONValue(object: body), timeout: 3600, accept: [422])
            }
            if json { return printJSON(reply) }
            let dataset = reply["dataset"] ?? .null
            let report = reply["report"] ?? .null
            if dataset["status"]?.stringValue == "rejected" {
                print("REJECTED: dataset \(dataset["id"]?.displayText ?? "?") '\(dataset["name"]?.displayText ?? "")' has \(report["bad_lines"]?.displayText ?? "0") bad line(s):")
                for error in report["errors"]?.arrayValue ?? [] {
                    print("  line \(error["line"]?.displayText ?? "?")\(error["field"]?.stringValue.map { " [\($0)]" } ?? ""): \(error["reason"]?.displayText ?? "")")
                }
                throw ExitCode(3)
            }
            let version = reply["version"] ?? .null
            print("dataset \(dataset["id"]?.displayText ?? "?") '\(dataset["name"]?.displayText ?? "")' \(version["version"]?.displayText ?? "?"): \(version["total_samples"]?.displayText ?? "0") samples, sha256 \(version["sha256"]?.displayText ?? "")")
            if let dropped = report["bad_lines"]?.intValue, dropped > 0 { print("  \(dropped) bad line(s) dropped") }
        }
    }

    struct List: AsyncParsableCommand {
        @Option var status: String?
        @Option var search: String?
        @Option var skip = 0
        @Option var limit = 20
        @Flag(help: "Print the raw JSON.") var json = false

        func run() async throws {
            var query: [URLQueryItem] = [.init(name: "skip", value: "\(skip)"), .init(name: "limit", value: "\(limit)")]
            if let status { query.append(.init(name: "status", value: status)) }
            if let search { query.append(.init(name: "search", value: search)) }
            let reply = try await APIClient(config: CLIConfig.load()).send("GET", Datasets.base, query: query)
            if json { return printJSON(reply) }
            let items = reply["items"]?.arrayValue ?? []
            printTable(["ID", "NAME", "STATUS", "LATEST", "SAMPLES", "QUALITY", "SPLIT", "CREATED"], items.map { dataset in
                let latest = dataset["latest_version"] ?? .null
                let quality = latest["quality_score"]?.numberValue.map { String(format: "%.3f", $0) } ?? "-"
                let split = latest["train_samples"]?.displayText.map { "\($0)/\(latest["val_samples"]?.displayText ?? "-")/\(latest["test_samples"]?.displayText ?? "-")" } ?? "-"
                return [dataset["id"]?.displayText ?? "", dataset["name"]?.stringValue ?? "", dataset["status"]?.stringValue ?? "",
                        latest["version"]?.stringValue ?? "-", latest["total_samples"]?.displayText ?? "-", quality, split, dataset["created_at"]?.stringValue ?? ""]
            })
            print("\(items.count) of \(reply["total"]?.displayText ?? "0")")
        }
    }

    struct Validate: AsyncParsableCommand {
        @Argument var id: Int
        @Option var version: String?
        @Option(name: .customLong("check"), help: "pii, exact_duplicates, near_duplicates, quality, toxicity (repeat; default all).") var checks: [String] = []
        @Option var minScore: Double?
        @Flag(help: "Keep PII in the derived version (report only).") var noMask = false
        @Flag(help: "Keep duplicates in the derived version.") var keepDuplicates = false
        @Flag(help: "Print the raw JSON.") var json = false

        func run() async throws {
            var body: [String: JSONValue] = ["mask_pii": .bool(!noMask), "remove_duplicates": .bool(!keepDuplicates)]
            if let version { body["version"] = .string(version) }
            if !checks.isEmpty { body["checks"] = .array(checks.map(JSONValue.string)) }
            if let minScore { body["min_score"] = .double(minScore) }
            let client = try APIClient(config: CLIConfig.load())
            let reply = try await Waiting.run("validating") {
                try await client.send("POST", "\(Datasets.base)/\(id)/validate", json: JSONValue(object: body), timeout: 3600)
            }
            if json { return printJSON(reply) }
            for check in reply["checks"]?.arrayValue ?? [] {
                print(String(format: "%-22@ %@  %@ issue(s)", check["check_type"]?.stringValue ?? "", (check["passed"]?.boolValue ?? false) ? "passed" : "FAILED",
                             check["result"]?["issue_count"]?.displayText ?? "0"))
            }
            if let derived = reply["derived_version"], derived.members != nil {
                print("derived version \(derived["version"]?.displayText ?? "?"): \(derived["total_samples"]?.displayText ?? "0") samples (PII masked / duplicates removed / filtered)")
            } else {
                print("no derived version: nothing to mask, remove or filter")
            }
        }
    }

    struct Split: AsyncParsableCommand {
        @Argument var id: Int
        @Option var version: String?
        @Option var train = 0.8
        @Option var val = 0.1
        @Option var test = 0.1
        @Option var seed = 42

        func run() async throws {
            var body: [String: JSONValue] = ["train_ratio": .double(train), "val_ratio": .double(val), "test_ratio": .double(test), "seed": .int(Int64(seed))]
            if let version { body["version"] = .string(version) }
            let client = try APIClient(config: CLIConfig.load())
            let reply = try await Waiting.run("splitting") {
                try await client.send("POST", "\(Datasets.base)/\(id)/split", json: JSONValue(object: body), timeout: 3600)
            }
            print("\(reply["version"]?["version"]?.displayText ?? "?"): train \(reply["train_samples"]?.displayText ?? "0"), val \(reply["val_samples"]?.displayText ?? "0"), test \(reply["test_samples"]?.displayText ?? "0") (seed \(reply["seed"]?.displayText ?? "\(seed)"))")
        }
    }

    struct Stats: AsyncParsableCommand {
        @Argument var id: Int
        @Option var version: String?
        @Option(help: "A tokenizer folder inside DATA_ROOT, to count real tokens.") var tokenizer: String?

        func run() async throws {
            var query: [URLQueryItem] = []
            if let version { query.append(.init(name: "version", value: version)) }
            if let tokenizer { query.append(.init(name: "tokenizer", value: tokenizer)) }
            printJSON(try await APIClient(config: CLIConfig.load()).send("GET", "\(Datasets.base)/\(id)/stats", query: query, timeout: 600))
        }
    }

    struct Versions: AsyncParsableCommand {
        @Argument var id: Int
        @Option(help: "Show the diff from this version to --to.") var diff: String?
        @Option var to: String?
        @Flag(help: "Print the raw JSON.") var json = false

        func run() async throws {
            let client = try APIClient(config: CLIConfig.load())
            if let diff {
                guard let to else { throw ValidationError("--diff needs --to") }
                let reply = try await client.send("GET", "\(Datasets.base)/\(id)/versions/\(diff)/diff/\(to)", timeout: 600)
                if json { return printJSON(reply) }
                print("\(diff) → \(to): +\(reply["added"]?.displayText ?? "0") added, -\(reply["removed"]?.displayText ?? "0") removed, ~\(reply["changed"]?.displayText ?? "0") changed, \(reply["unchanged"]?.displayText ?? "0") unchanged")
                return
            }
            // Lists are paged (default 20): ask for the family's maximum to show the whole lineage.
            let reply = try await client.send("GET", "\(Datasets.base)/\(id)/versions", query: [.init(name: "limit", value: "500")])
            if json { return printJSON(reply) }
            let items = reply["items"]?.arrayValue ?? []
            printTable(["VERSION", "SAMPLES", "PARENT", "TRANSFORMATION", "QUALITY", "SHA256", "CREATED"], items.map { v in
                [v["version"]?.displayText ?? "", v["total_samples"]?.displayText ?? "", v["parent_version_id"]?.displayText ?? "-",
                 v["transformation"]?.stringValue ?? "", v["quality_score"]?.numberValue.map { String(format: "%.3f", $0) } ?? "-",
                 String((v["sha256"]?.stringValue ?? "").prefix(12)), v["created_at"]?.stringValue ?? ""]
            })
        }
    }
}

/// An elapsed-time line on standard error while one long request runs.
enum Waiting {
    static func run<T>(_ label: String, _ work: () async throws -> T) async throws -> T {
        let ticker = Task {
            let start = Date()
            var frame = 0
            let frames = ["|", "/", "-", "\\"]
            while !Task.isCancelled {
                FileHandle.standardError.write(Data("\r\(label) \(frames[frame % 4]) \(Int(Date().timeIntervalSince(start)))s".utf8))
                frame += 1
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        defer {
            ticker.cancel()
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        }
        return try await work()
    }
}
