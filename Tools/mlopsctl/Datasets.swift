import ArgumentParser
import Foundation

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
            var body: [String: Any] = ["upload_id": uploadId]
            if let name { body["name"] = name }
            if let description { body["description"] = description }
            if let format { body["format"] = format } else if !DatasetsFormat.known(file) {
                throw ValidationError("cannot tell the format from '\(file)'; give --format")
            } else { body["format"] = DatasetsFormat.guess(file) }
            if let onBadLines { body["on_bad_lines"] = onBadLines }
            if !columns.isEmpty {
                body["columns"] = Dictionary(uniqueKeysWithValues: columns.map { pair in
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                })
            }
            let client = try APIClient(config: CLIConfig.load())
            let path = to.map { "\(Datasets.base)/\($0)/versions" } ?? Datasets.base
            let reply = try await Waiting.run("ingesting") {
                try await client.send("POST", path, json: body, timeout: 3600, accept: [422])
            }
            if json { return printJSON(reply) }
            let dataset = reply["dataset"] as? [String: Any] ?? [:]
            let report = reply["report"] as? [String: Any] ?? [:]
            if dataset["status"] as? String == "rejected" {
                print("REJECTED: dataset \(dataset["id"] ?? "?") '\(dataset["name"] ?? "")' has \(report["bad_lines"] ?? 0) bad line(s):")
                for error in report["errors"] as? [[String: Any]] ?? [] {
                    print("  line \(error["line"] ?? "?")\((error["field"] as? String).map { " [\($0)]" } ?? ""): \(error["reason"] ?? "")")
                }
                throw ExitCode(3)
            }
            let version = reply["version"] as? [String: Any] ?? [:]
            print("dataset \(dataset["id"] ?? "?") '\(dataset["name"] ?? "")' \(version["version"] ?? "?"): \(version["total_samples"] ?? 0) samples, sha256 \(version["sha256"] ?? "")")
            if let dropped = report["bad_lines"] as? Int, dropped > 0 { print("  \(dropped) bad line(s) dropped") }
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
            let items = reply["items"] as? [[String: Any]] ?? []
            printTable(["ID", "NAME", "STATUS", "LATEST", "SAMPLES", "QUALITY", "SPLIT", "CREATED"], items.map { dataset in
                let latest = dataset["latest_version"] as? [String: Any] ?? [:]
                let quality = (latest["quality_score"] as? Double).map { String(format: "%.3f", $0) } ?? "-"
                let split = latest["train_samples"] is NSNull || latest["train_samples"] == nil ? "-" : "\(latest["train_samples"]!)/\(latest["val_samples"]!)/\(latest["test_samples"]!)"
                return ["\(dataset["id"] ?? "")", dataset["name"] as? String ?? "", dataset["status"] as? String ?? "",
                        latest["version"] as? String ?? "-", "\(latest["total_samples"] ?? "-")", quality, split, dataset["created_at"] as? String ?? ""]
            })
            print("\(items.count) of \(reply["total"] ?? 0)")
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
            var body: [String: Any] = ["mask_pii": !noMask, "remove_duplicates": !keepDuplicates]
            if let version { body["version"] = version }
            if !checks.isEmpty { body["checks"] = checks }
            if let minScore { body["min_score"] = minScore }
            let client = try APIClient(config: CLIConfig.load())
            let reply = try await Waiting.run("validating") {
                try await client.send("POST", "\(Datasets.base)/\(id)/validate", json: body, timeout: 3600)
            }
            if json { return printJSON(reply) }
            for check in reply["checks"] as? [[String: Any]] ?? [] {
                let result = check["result"] as? [String: Any] ?? [:]
                print(String(format: "%-22@ %@  %@ issue(s)", check["check_type"] as? String ?? "", (check["passed"] as? Bool ?? false) ? "passed" : "FAILED", "\(result["issue_count"] ?? 0)"))
            }
            if let derived = reply["derived_version"] as? [String: Any] {
                print("derived version \(derived["version"] ?? "?"): \(derived["total_samples"] ?? 0) samples (PII masked / duplicates removed / filtered)")
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
            var body: [String: Any] = ["train_ratio": train, "val_ratio": val, "test_ratio": test, "seed": seed]
            if let version { body["version"] = version }
            let client = try APIClient(config: CLIConfig.load())
            let reply = try await Waiting.run("splitting") {
                try await client.send("POST", "\(Datasets.base)/\(id)/split", json: body, timeout: 3600)
            }
            let version = reply["version"] as? [String: Any] ?? [:]
            print("\(version["version"] ?? "?"): train \(reply["train_samples"] ?? 0), val \(reply["val_samples"] ?? 0), test \(reply["test_samples"] ?? 0) (seed \(reply["seed"] ?? seed))")
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
                print("\(diff) → \(to): +\(reply["added"] ?? 0) added, -\(reply["removed"] ?? 0) removed, ~\(reply["changed"] ?? 0) changed, \(reply["unchanged"] ?? 0) unchanged")
                return
            }
            // Lists are paged (default 20): ask for the family's maximum to show the whole lineage.
            let reply = try await client.send("GET", "\(Datasets.base)/\(id)/versions", query: [.init(name: "limit", value: "500")])
            if json { return printJSON(reply) }
            let items = reply["items"] as? [[String: Any]] ?? []
            printTable(["VERSION", "SAMPLES", "PARENT", "TRANSFORMATION", "QUALITY", "SHA256", "CREATED"], items.map { v in
                ["\(v["version"] ?? "")", "\(v["total_samples"] ?? "")", v["parent_version_id"] is NSNull ? "-" : "\(v["parent_version_id"] ?? "-")",
                 v["transformation"] as? String ?? "", (v["quality_score"] as? Double).map { String(format: "%.3f", $0) } ?? "-",
                 String((v["sha256"] as? String ?? "").prefix(12)), v["created_at"] as? String ?? ""]
            })
        }
    }
}

enum DatasetsFormat {
    static func guess(_ file: String) -> String {
        let lower = file.lowercased()
        for format in ["jsonl", "json", "csv", "parquet"] where lower.hasSuffix(".\(format)") { return format }
        return lower.hasSuffix(".ndjson") ? "jsonl" : ""
    }
    static func known(_ file: String) -> Bool { !guess(file).isEmpty }
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
