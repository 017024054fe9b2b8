import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSON

/// `mlopsctl jobs …`: fine-tuning jobs through the trainer service.
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tuning jobs: create, list, get, logs, stop, resume.",
        discussion: "A job goes pending → queued → running → completed, failed or stopped (through stopping); `get --watch` and `logs --follow` exit non-zero when it fails.",
        subcommands: [Create.self, List.self, Get.self, Logs.self, Stop.self, Resume.self, Checkpoints.self]
    )
    static let base = "/api/v1/admin/finetuning/jobs"
    static let terminal: Set<String> = ["completed", "failed", "stopped"]

    enum Method: String, CaseIterable, ExpressibleByArgument {
        case full, lora, qlora
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a job from flags, a JSON spec file, or both (the flags override or extend the file).",
            discussion: """
            Without --file give at least --name, --base-model, --dataset and --method.
            --set adds to the file's hyperparameters; --gpu-ids replaces its gpu_count and
            --gpu-count its gpu_ids. Examples:

              mlopsctl jobs create --name legal-ko --base-model Qwen/Qwen3-7B-Instruct \\
                  --dataset 3 --method lora --set lora_rank=16 --set learning_rate=2e-4
              mlopsctl jobs create --file spec.json --set num_epochs=2 --gpu-ids 0,1 --watch
            """
        )
        @Option(help: ArgumentHelp("The whole request body as JSON ('-' reads standard input).", valueName: "spec.json")) var file: String?
        @Option(help: "The job's unique name.") var name: String?
        @Option(help: ArgumentHelp("A model name (Qwen/Qwen3-7B-Instruct) or path.", valueName: "model")) var baseModel: String?
        @Option(help: ArgumentHelp("The dataset to train on.", valueName: "id")) var dataset: Int?
        @Option(help: ArgumentHelp("A dataset version, e.g. v1.2 (default: the latest).", valueName: "label")) var datasetVersion: String?
        @Option(help: "The training method.") var method: Method?
        @Option(name: .customLong("set"), help: ArgumentHelp("A hyperparameter, e.g. lora_rank=16 or learning_rate=2e-4 (repeat). Numbers, true/false and null go as JSON, anything else as a string.", valueName: "key=value"))
        var settings: [String] = []
        @Option(help: ArgumentHelp("Exactly these devices: GPU indexes or device ids, e.g. 0,1 or gpu0,gpu1.", valueName: "ids")) var gpuIds: String?
        @Option(help: ArgumentHelp("Any N free devices (default 1).", valueName: "N")) var gpuCount: Int?
        @Option(help: ArgumentHelp("-100 to 100, higher runs first (default 0).", valueName: "N")) var priority: Int?
        @Option(help: ArgumentHelp("Sent as the Idempotency-Key header: a create repeated with the same key happens once (default: a fresh key).", valueName: "key"))
        var idempotencyKey: String?
        @Flag(help: "Then follow the job until it ends, like `jobs get --watch`.") var watch = false
        @Flag(help: "Print the raw JSON.") var json = false

        func validate() throws {
            if let file, file != "-", !FileManager.default.isReadableFile(atPath: file) { throw ValidationError("file: cannot read '\(file)'") }
            if file == nil {
                let missing = [("--name", name == nil), ("--base-model", baseModel == nil), ("--dataset", dataset == nil), ("--method", method == nil)]
                    .filter(\.1).map(\.0)
                if !missing.isEmpty { throw ValidationError("without --file give \(missing.joined(separator: ", "))") }
            }
            if gpuIds != nil, gpuCount != nil { throw ValidationError("give --gpu-ids or --gpu-count, not both") }
            for setting in settings where !setting.contains("=") || setting.hasPrefix("=") {
                throw ValidationError("--set wants key=value, got '\(setting)'")
            }
        }

        func run() async throws {
            var body = try spec()
            if let name { body["job_name"] = .string(name) }
            if let baseModel { body["base_model"] = .string(baseModel) }
            if let dataset { body["dataset_id"] = .int(Int64(dataset)) }
            if let datasetVersion { body["dataset_version"] = .string(datasetVersion) }
            if let method { body["method"] = .string(method.rawValue) }
            if let priority { body["priority"] = .int(Int64(priority)) }
            if let gpuIds {
                body["gpu_ids"] = .string(gpuIds)
                body.removeValue(forKey: "gpu_count")
            }
            if let gpuCount {
                body["gpu_count"] = .int(Int64(gpuCount))
                body.removeValue(forKey: "gpu_ids")
            }
            if !settings.isEmpty {
                var hyperparameters: [String: JSONValue] = [:]
                if let given = body["hyperparameters"], !given.isNull {
                    guard let object = given.objectValue else { throw ValidationError("\(file ?? "spec"): hyperparameters must be an object to --set into") }
                    hyperparameters = object
                }
                for setting in settings {
                    let parts = setting.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    hyperparameters[parts[0]] = Self.value(parts[1])
                }
                body["hyperparameters"] = JSONValue(object: hyperparameters)
            }
            let client = try APIClient(config: CLIConfig.load())
            let job = try await client.send("POST", Jobs.base, json: JSONValue(object: body), headers: ["Idempotency-Key": idempotencyKey ?? UUID().uuidString.lowercased()])
            if json { printJSON(job) } else { print("created job \(job["id"]?.displayText ?? "?") '\(job["job_name"]?.stringValue ?? "")' (\(job["status"]?.stringValue ?? "?"))") }
            guard watch, let id = job["id"]?.intValue.map(Int.init) else { return }
            try Jobs.finish(try await Jobs.watch(client, id: id, from: job), json: json)
        }

        /// The --file body, or an empty one.
        private func spec() throws -> [String: JSONValue] {
            guard let file else { return [:] }
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            guard let object = (try? JSONValue.parse(data))?.objectValue else {
                throw ValidationError("\(file == "-" ? "standard input" : file): not a JSON object")
            }
            return object
        }

        /// `--set` values: a JSON number, true/false or null as such, anything
        /// else (a JSON string, array or object too) as the text given. Numbers
        /// follow the JSON module: `16` is an integer, `16.0` a fraction.
        static func value(_ text: String) -> JSONValue {
            switch try? JSONValue.parse(text.trimmingCharacters(in: .whitespaces)) {
            case let scalar? where scalar.numberValue != nil || scalar.boolValue != nil || scalar.isNull: return scalar
            default: return .string(text)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs with their progress and latest loss.")
        @Option(help: "pending, queued, running, stopping, completed, failed or stopped.") var status: String?
        @Option var skip = 0
        @Option var limit = 20
        @Flag(help: "Print the raw JSON.") var json = false

        func run() async throws {
            var query: [URLQueryItem] = [.init(name: "skip", value: "\(skip)"), .init(name: "limit", value: "\(limit)")]
            if let status { query.append(.init(name: "status", value: status)) }
            let reply = try await APIClient(config: CLIConfig.load()).send("GET", Jobs.base, query: query)
            if json { return printJSON(reply) }
            let items = reply["items"]?.arrayValue ?? []
            printTable(["ID", "NAME", "METHOD", "STATUS", "PROGRESS", "LOSS", "DEVICES", "CREATED"], items.map { job in
                [job["id"]?.displayText ?? "", job["job_name"]?.stringValue ?? "", job["method"]?.stringValue ?? "", job["status"]?.stringValue ?? "",
                 Jobs.progress(job), Jobs.metric(job["latest_metrics"]?["loss"]), Jobs.devices(job), job["created_at"]?.stringValue ?? ""]
            })
            print("\(items.count) of \(reply["total"]?.displayText ?? "0")")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job; --watch follows it with a progress bar until it ends.")
        @Argument(help: "The job id.") var id: Int
        @Flag(help: "Print the raw JSON (with --watch: the final job's, once it ends).") var json = false
        @Flag(help: "Poll every second with a progress bar on standard error until the job completes, fails or is stopped; exits non-zero if it failed.")
        var watch = false

        func run() async throws {
            let client = try APIClient(config: CLIConfig.load())
            let job = try await client.send("GET", "\(Jobs.base)/\(id)")
            guard watch else { return json ? printJSON(job) : Jobs.describe(job) }
            if !json { Jobs.describe(job) }
            try Jobs.finish(try await Jobs.watch(client, id: id, from: job), json: json)
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a job's log; --follow streams new lines until the job ends.")
        @Argument(help: "The job id.") var id: Int
        @Option(help: "How many of the latest lines to print.") var lines = 100
        @Flag(name: [.short, .long], help: "Then stream new lines (and a progress bar on a terminal's standard error) until the job completes, fails or is stopped; exits non-zero if it failed.")
        var follow = false

        func run() async throws {
            let client = try APIClient(config: CLIConfig.load())
            let reply = try await client.send("GET", "\(Jobs.base)/\(id)/logs", query: [.init(name: "lines", value: "\(lines)")])
            for line in (reply["lines"]?.arrayValue ?? []).compactMap(\.stringValue) { print(line) }
            guard follow else { return }
            fflush(nil)
            try await stream(client)
        }

        /// Prints log events and feeds the bar until a terminal state. A stream
        /// quiet for two minutes (no event, no keepalive) is opened again from
        /// the last event id, as an EventSource would.
        private func stream(_ client: APIClient) async throws {
            let bar = JobProgressLine(id: id, onlyOnTerminal: true)
            var ended: (status: String, reason: String?)?
            var lastID: String?
            streaming: while true {
                var request = client.request("GET", "\(Jobs.base)/\(id)/events", timeout: 120)
                request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
                if let lastID { request.setValue(lastID, forHTTPHeaderField: "Last-Event-ID") }
                do {
                    for try await event in EventStream.events(request) {
                        lastID = event.id ?? lastID
                        guard let data = try? JSONValue.parse(event.data), data.members != nil else { continue }
                        switch event.event {
                        case "log":
                            bar.clear()
                            print(data["message"]?.stringValue ?? "")
                            fflush(nil)
                        case "snapshot", "state":
                            bar.apply(data)
                            if let status = data["status"]?.stringValue, Jobs.terminal.contains(status) {
                                ended = (status, data[event.event == "state" ? "reason" : "status_reason"]?.stringValue)
                                break streaming
                            }
                        case "progress":
                            bar.apply(.object([("progress", data)]))
                        case "metrics":
                            bar.apply(.object([("latest_metrics", data)]))
                        default:
                            break // checkpoint, and anything newer
                        }
                        bar.draw()
                    }
                    break
                } catch let error as URLError where error.code == .timedOut {
                    continue
                }
            }
            bar.finish(keep: false)
            guard let ended else {
                FileHandle.standardError.write(Data("event stream of job \(id) closed before the job ended\n".utf8))
                return
            }
            FileHandle.standardError.write(Data("job \(id) \(ended.status)\(ended.reason.map { ": \($0)" } ?? "")\n".utf8))
            if ended.status == "failed" { throw ExitCode.failure }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a pending, queued or running job.")
        @Argument(help: "The job id.") var id: Int

        func run() async throws {
            let job = try await APIClient(config: CLIConfig.load()).send("POST", "\(Jobs.base)/\(id)/stop", json: .object([]))
            print("job \(job["id"]?.displayText ?? "\(id)") '\(job["job_name"]?.stringValue ?? "")' is now \(job["status"]?.stringValue ?? "?")")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a stopped or failed job again, optionally from a given checkpoint.")
        @Argument(help: "The job id.") var id: Int
        @Option(help: ArgumentHelp("Resume from this checkpoint (see `jobs checkpoints`).", valueName: "checkpoint-id")) var checkpoint: Int?

        func run() async throws {
            let body = JSONValue.object(checkpoint.map { [("checkpoint_id", .int(Int64($0)))] } ?? [])
            let job = try await APIClient(config: CLIConfig.load()).send("POST", "\(Jobs.base)/\(id)/resume", json: body)
            print("job \(job["id"]?.displayText ?? "\(id)") '\(job["job_name"]?.stringValue ?? "")' is now \(job["status"]?.stringValue ?? "?")")
        }
    }

    struct Checkpoints: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a job's saved checkpoints.")
        @Argument(help: "The job id.") var id: Int
        @Flag(help: "Print the raw JSON.") var json = false

        func run() async throws {
            let reply = try await APIClient(config: CLIConfig.load()).send("GET", "\(Jobs.base)/\(id)/checkpoints", query: [.init(name: "limit", value: "200")])
            if json { return printJSON(reply) }
            let items = reply["items"]?.arrayValue ?? []
            printTable(["ID", "NAME", "STEP", "EPOCH", "SIZE", "PATH", "CREATED"], items.map { checkpoint in
                [checkpoint["id"]?.displayText ?? "", checkpoint["checkpoint_name"]?.stringValue ?? "", checkpoint["step"]?.displayText ?? "",
                 Jobs.metric(checkpoint["epoch"], format: "%.2f"), checkpoint["size_bytes"]?.intValue.map(Jobs.bytes) ?? "-",
                 checkpoint["file_path"]?.stringValue ?? "", checkpoint["created_at"]?.stringValue ?? ""]
            })
        }
    }
}

// MARK: - Watching and formatting

extension Jobs {
    /// Polls the job every second, redrawing its progress, until it reaches a
    /// terminal status; returns it then. Up to ten failed polls in a row that
    /// got no HTTP answer (a gateway restart) are ridden out.
    static func watch(_ client: APIClient, id: Int, from first: JSONValue) async throws -> JSONValue {
        let bar = JobProgressLine(id: id, onlyOnTerminal: false)
        var job = first
        var failedPolls = 0
        while true {
            bar.apply(job)
            if let status = job["status"]?.stringValue, terminal.contains(status) {
                bar.finish(keep: true)
                return job
            }
            bar.draw()
            try await Task.sleep(for: .seconds(1))
            do {
                job = try await client.send("GET", "\(base)/\(id)")
                failedPolls = 0
            } catch where !(error is CLIError) && failedPolls < 10 {
                failedPolls += 1
            }
        }
    }

    /// Prints how a watched job ended; a failed job exits non-zero.
    static func finish(_ job: JSONValue, json: Bool) throws {
        if json {
            printJSON(job)
        } else {
            let status = job["status"]?.stringValue ?? "?"
            var line = "job \(job["id"]?.displayText ?? "?") '\(job["job_name"]?.stringValue ?? "")' \(status)"
            if let reason = job["status_reason"]?.stringValue { line += ": \(reason)" }
            if let error = job["error"], let message = error["message"]?.stringValue {
                line += "\n  error: \(message)\(error["field"]?.stringValue.map { " [\($0)]" } ?? "")"
            }
            print(line)
        }
        if job["status"]?.stringValue == "failed" { throw ExitCode.failure }
    }

    /// The readable summary of `jobs get`.
    static func describe(_ job: JSONValue) {
        var rows: [(String, String)] = []
        var status = job["status"]?.stringValue ?? "?"
        if let reason = job["status_reason"]?.stringValue { status += " (\(reason))" }
        rows.append(("status", status))
        rows.append(("base model", job["base_model"]?.stringValue ?? ""))
        rows.append(("dataset", "\(job["dataset_id"]?.displayText ?? "?") \(job["dataset_version"]?.stringValue ?? "(latest)")"))
        rows.append(("method", "\(job["method"]?.stringValue ?? "")  priority \(job["priority"]?.displayText ?? "0")"))
        var devices = devices(job)
        if let request = job["gpu_request"]?.stringValue, request != devices { devices += "  (asked: \(request))" }
        rows.append(("devices", devices))
        var progress = progress(job)
        if let epoch = job["progress"]?["epoch"], !epoch.isNull { progress += "  epoch \(metric(epoch, format: "%.2f"))" }
        rows.append(("progress", progress))
        if let metrics = job["latest_metrics"]?.objectValue {
            let shown = [("loss", "loss", "%.4f"), ("eval_loss", "eval loss", "%.4f"), ("perplexity", "ppl", "%.3f"), ("learning_rate", "lr", "%.3g"),
                         ("tokens_per_second", "tok/s", "%.0f"), ("gpu_memory_gb", "GPU GB", "%.1f")]
                .filter { metrics[$0.0].map { !$0.isNull } ?? false }
                .map { "\($0.1) \(metric(metrics[$0.0], format: $0.2))" }
            rows.append(("metrics", (["step \(metrics["step"]?.displayText ?? "?")"] + shown).joined(separator: "  ")))
        }
        if let hyperparameters = job["hyperparameters"]?.objectValue, !hyperparameters.isEmpty {
            rows.append(("hyperparameters", hyperparameters.keys.sorted().map { "\($0)=\(hyperparameters[$0]!.serialized)" }.joined(separator: " ")))
        }
        if let run = job["mlflow_run_id"]?.stringValue { rows.append(("mlflow run", run)) }
        if let output = job["output_dir"]?.stringValue { rows.append(("output", output)) }
        rows.append(("created", "\(job["created_at"]?.stringValue ?? "?") by \(job["created_by"]?.stringValue ?? "?")"))
        if let start = job["start_time"]?.stringValue { rows.append(("started", start)) }
        if let end = job["end_time"]?.stringValue { rows.append(("ended", end)) }
        rows.append(("attempts", job["attempts"]?.displayText ?? "0"))
        if let error = job["error"], let message = error["message"]?.stringValue {
            rows.append(("error", "\(message)\(error["field"]?.stringValue.map { " [\($0)]" } ?? "")"))
        }
        print("job \(job["id"]?.displayText ?? "?") '\(job["job_name"]?.stringValue ?? "")'")
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows { print("  \(label.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)") }
    }

    /// `40/100 40%`, or `-` before the total is known.
    static func progress(_ job: JSONValue) -> String {
        guard let total = job["progress"]?["total"]?.intValue, total > 0 else { return "-" }
        let step = job["progress"]?["step"]?.intValue ?? 0
        return "\(step)/\(total) \(step * 100 / total)%"
    }

    /// The devices a job holds (`gpu_ids`), else what it asked for (`gpu_request`).
    static func devices(_ job: JSONValue) -> String {
        if let ids = job["gpu_ids"]?.arrayValue?.compactMap(\.stringValue), !ids.isEmpty { return ids.joined(separator: ",") }
        return job["gpu_request"]?.stringValue ?? "-"
    }

    static func metric(_ value: JSONValue?, format: String = "%.4f") -> String {
        guard let number = value?.numberValue else { return "-" }
        return String(format: format, number)
    }

    static func bytes(_ count: Int64) -> String {
        var value = Double(count)
        for unit in ["B", "KiB", "MiB", "GiB"] {
            if value < 1024 { return unit == "B" ? "\(count) B" : String(format: "%.1f ", value) + unit }
            value /= 1024
        }
        return String(format: "%.1f TiB", value)
    }

}

/// A job's progress line on standard error: a bar redrawn in place on a
/// terminal; elsewhere one line per status change, or nothing when
/// `onlyOnTerminal`. Fed with job-shaped fragments (`status`, `progress`,
/// `latest_metrics`) from polls or events.
final class JobProgressLine {
    let id: Int
    let enabled: Bool
    let terminal: Bool
    private var status = ""
    private var step: Int64 = 0
    private var total: Int64 = 0
    private var loss: Double?
    private var tokensPerSecond: Double?
    private var shown = ""

    init(id: Int, onlyOnTerminal: Bool) {
        self.id = id
        terminal = isatty(FileHandle.standardError.fileDescriptor) != 0
        enabled = terminal || !onlyOnTerminal
    }

    func apply(_ job: JSONValue) {
        if let status = job["status"]?.stringValue { self.status = status }
        if let step = job["progress"]?["step"]?.intValue { self.step = step }
        if let total = job["progress"]?["total"]?.intValue { self.total = total }
        if let loss = job["latest_metrics"]?["loss"]?.numberValue { self.loss = loss }
        if let speed = job["latest_metrics"]?["tokens_per_second"]?.numberValue { tokensPerSecond = speed }
    }

    func draw() {
        guard enabled else { return }
        fflush(nil) // what went to standard output first shows first
        guard terminal else {
            // A log file gets the status changes, not a redraw every second.
            guard status != shown else { return }
            shown = status
            FileHandle.standardError.write(Data("job \(id) \(status)\n".utf8))
            return
        }
        var line = "job \(id) \(status)"
        if total > 0 {
            let percent = Int(min(100, step * 100 / total))
            let width = 30
            let filled = width * percent / 100
            line += " [\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] \(percent)% \(step)/\(total)"
        }
        if let loss { line += String(format: " loss %.4f", loss) }
        if let tokensPerSecond { line += String(format: " %.0f tok/s", tokensPerSecond) }
        guard line != shown else { return }
        shown = line
        FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
    }

    /// Takes the bar off the screen (before printing a log line); `draw` puts it back.
    func clear() {
        guard terminal, enabled, !shown.isEmpty else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = ""
    }

    /// The end: `keep` leaves the final bar on its own line, else it is taken
    /// off. Either way the caller prints how the job ended.
    func finish(keep: Bool) {
        guard keep, terminal else { return clear() }
        draw()
        if terminal, enabled, !shown.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
