import ArgumentParser
import Foundation
import JSON

/// The command-line client of the admin API (gateway/API.md).
@main
struct MLOpsCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlopsctl",
        abstract: "Command-line client for the mlops platform's admin API.",
        discussion: "Settings live in ~/.config/mlopsctl/config.json (written by `login`); MLOPS_URL and MLOPS_TOKEN (an API key) override them.",
        subcommands: [Login.self, Models.self, Datasets.self, Upload.self, Jobs.self]
    )
}

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log in and store the access token.")

    @Option(help: "Gateway base URL.") var url = "http://127.0.0.1:8080"
    @Option var username: String
    @Flag(help: "Read the password from standard input instead of prompting.") var passwordStdin = false

    func run() async throws {
        let password: String
        if passwordStdin {
            password = (readLine(strippingNewline: true) ?? "")
        } else {
            guard let typed = getpass("Password: ") else { throw ValidationError("no password given") }
            password = String(cString: typed)
        }
        var config = CLIConfig(url: url, token: nil)
        let client = try APIClient(config: config)
        let reply = try await client.send("POST", "/api/v1/auth/login", json: .object([("username", .string(username)), ("password", .string(password))]), authenticated: false)
        guard let token = reply["access_token"]?.stringValue else { throw CLIError("login answered without a token") }
        config.token = token
        try config.save()
        print("Logged in to \(url) as \(username) (\(reply["role"]?.stringValue ?? "?")); token saved to \(CLIConfig.path.path)")
    }
}

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Registered models: list, get, lineage, register, promote, archive, rollback.",
        subcommands: [List.self, Get.self, Lineage.self, Register.self, Promote.self, Archive.self, Rollback.self]
    )

    struct List: AsyncParsableCommand {
        @Option var project: String?
        @Option var status: String?
        @Option(name: .customLong("tag"), help: "Repeat for several; all must match.") var tags: [String] = []
        @Option var search: String?
        @Option var skip = 0
        @Option var limit = 50
        @Flag(help: "Print the raw JSON.") var json = false

        func run() async throws {
            var query: [URLQueryItem] = [.init(name: "skip", value: "\(skip)"), .init(name: "limit", value: "\(limit)")]
            if let project { query.append(.init(name: "project", value: project)) }
            if let status { query.append(.init(name: "status", value: status)) }
            if !tags.isEmpty { query.append(.init(name: "tags", value: tags.joined(separator: ","))) }
            if let search { query.append(.init(name: "search", value: search)) }
            let client = try APIClient(config: CLIConfig.load())
            let reply = try await client.send("GET", "/api/v1/admin/models", query: query)
            if json { return printJSON(reply) }
            let items = reply["items"]?.arrayValue ?? []
            printTable(["ID", "NAME", "VERSION", "STATUS", "FORMAT", "TAGS", "CREATED"], items.map { model in
                [
                    model["id"]?.displayText ?? "", model["model_name"]?.stringValue ?? "", model["version"]?.stringValue ?? "",
                    model["status"]?.stringValue ?? "", model["model_format"]?.stringValue ?? "",
                    (model["tags"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","), model["created_at"]?.stringValue ?? "",
                ]
            })
            print("\(items.count) of \(reply["total"]?.displayText ?? "0")")
        }
    }

    struct Get: AsyncParsableCommand {
        @Argument var id: Int
        @Option(help: "metrics,evaluations,versions") var expand: String?

        func run() async throws {
            let client = try APIClient(config: CLIConfig.load())
            printJSON(try await client.send("GET", "/api/v1/admin/models/\(id)", query: expand.map { [URLQueryItem(name: "expand", value: $0)] } ?? []))
        }
    }

    struct Lineage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Where a model came from: job → dataset version → its parents, with quality checks.")
        @Argument var id: Int
        @Flag(help: "Print the raw JSON.") var json = false

        func run() async throws {
            let client = try APIClient(config: CLIConfig.load())
            let reply = try await client.send("GET", "/api/v1/admin/models/\(id)/lineage")
            if json { return printJSON(reply) }
            let model = reply["model"]
            print("model    \(model?["id"]?.displayText ?? "?")  \(model?["model_name"]?.displayText ?? "?") \(model?["version"]?.displayText ?? "?") (\(model?["status"]?.displayText ?? "?"))")
            guard let job = reply["job"], job != .null else {
                print("job      none recorded (finetuning_job_id is \(model?["finetuning_job_id"]?.displayText ?? "null"))")
                return
            }
            print("job      \(job["id"]?.displayText ?? "?")  \(job["job_name"]?.displayText ?? "?")  \(job["method"]?.displayText ?? "?")  \(job["status"]?.displayText ?? "?")"
                  + "  mlflow run \(job["mlflow_run_id"]?.displayText ?? "-")")
            if let dataset = reply["dataset"], dataset != .null {
                print("dataset  \(dataset["id"]?.displayText ?? "?")  \(dataset["name"]?.displayText ?? "?")")
            }
            for entry in reply["versions"]?.arrayValue ?? [] {
                let version = entry["version"]
                let checks = (entry["quality_checks"]?.arrayValue ?? []).map { check in
                    "\(check["check_type"]?.displayText ?? "?")=\(check["passed"]?.boolValue == true ? "pass" : "fail")"
                }
                print("  ← \(version?["version"]?.displayText ?? "?")  \(version?["transformation"]?.displayText ?? "?")  \(version?["total_samples"]?.displayText ?? "?") samples"
                      + (checks.isEmpty ? "" : "  " + checks.joined(separator: " ")))
            }
        }
    }

    struct Register: AsyncParsableCommand {
        @Option var name: String
        @Option var version: String
        @Option(help: "sha256 of an uploaded file (see `mlopsctl upload`).") var artifact: String?
        @Option(help: "An external model path, when there is no uploaded artifact.") var path: String?
        @Option var format = "huggingface"
        @Option var baseModel: String?
        @Option var project: String?
        @Option var description: String?
        @Option(name: .customLong("tag")) var tags: [String] = []

        func validate() throws {
            guard (artifact == nil) != (path == nil) else { throw ValidationError("give exactly one of --artifact or --path") }
        }

        func run() async throws {
            var body: [String: JSONValue] = ["model_name": .string(name), "version": .string(version), "model_format": .string(format), "tags": .array(tags.map(JSONValue.string))]
            if let artifact { body["artifact_sha256"] = .string(artifact) }
            if let path { body["model_path"] = .string(path) }
            if let baseModel { body["base_model"] = .string(baseModel) }
            if let project { body["project"] = .string(project) }
            if let description { body["description"] = .string(description) }
            let client = try APIClient(config: CLIConfig.load())
            printJSON(try await client.send("POST", "/api/v1/admin/models/register", json: JSONValue(object: body)))
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Staging → production (the previous production version is archived).")
        @Argument var id: Int
        @Option var reason: String?
        func run() async throws { try await stageChange(id: id, action: "promote", reason: reason) }
    }

    struct Archive: AsyncParsableCommand {
        @Argument var id: Int
        @Option var reason: String?
        func run() async throws { try await stageChange(id: id, action: "archive", reason: reason) }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make an earlier (archived) production version production again.")
        @Argument var id: Int
        @Option var reason: String?
        func run() async throws { try await stageChange(id: id, action: "rollback", reason: reason) }
    }
}

func stageChange(id: Int, action: String, reason: String?) async throws {
    let client = try APIClient(config: CLIConfig.load())
    let body = JSONValue.object(reason.map { [("reason", .string($0))] } ?? [])
    let model = try await client.send("POST", "/api/v1/admin/models/\(id)/\(action)", json: body)
    print("\(model["model_name"]?.displayText ?? "?") \(model["version"]?.displayText ?? "?") is now \(model["status"]?.displayText ?? "?")")
}
