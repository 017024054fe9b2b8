import Foundation
import TestKit
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Fine-tuning through the gateway with real processes: the runner trains the
/// tiny model on CPU slots.
@Suite(.serialized)
struct TrainerJobTests {
    private func trainingLosses(_ stack: TrainerStack, _ id: Int) async throws -> [Double] {
        try await stack.metrics(id).compactMap { $0["loss"] as? Double }
    }

    @Test func loraAndFullFineTunesCompleteAndLearn() async throws {
        try await TrainerStack.with { stack in
            let lora = try await stack.createJob("lora-1", hyperparameters: ["num_epochs": 3])
            let full = try await stack.createJob("full-1", method: "full", hyperparameters: ["num_epochs": 3, "learning_rate": 0.001])
            // Lineage filters (issue "new-user findings", item 2): by dataset and version; unknown ones refused.
            let version = try #require(try await stack.job(lora)["dataset_version"] as? String)
            for (query, total) in [("dataset_id=1", 2), ("dataset_id=999", 0), ("dataset_id=1&dataset_version=\(version)", 2), ("dataset_id=1&dataset_version=v99.0", 0)] {
                let listed = try await stack.call("GET", "/api/v1/admin/finetuning/jobs?\(query)")
                #expect(listed.object["total"] as? Int == total, "\(query): \(listed.text)")
            }
            for (query, field) in [("dataset_version=\(version)", "dataset_version"), ("datasetid=1", "datasetid")] {
                let refused = try await stack.call("GET", "/api/v1/admin/finetuning/jobs?\(query)")
                #expect(refused.status == 400 && refused.fields.contains(field), "\(query): \(refused.text)")
            }
            for (id, artifact) in [(lora, "adapter_model.safetensors"), (full, "model.safetensors")] {
                let job = try await stack.waitFor(id, ["completed", "failed"])
                #expect(job["status"] as? String == "completed", "\(job["error"] ?? "")")
                let losses = try await trainingLosses(stack, id)
                try #require(losses.count >= 4, "too few loss points: \(losses)")
                let start: Double = losses.prefix(2).reduce(0, +) / 2
                let end: Double = losses.suffix(2).reduce(0, +) / 2
                #expect(end < start, "loss did not fall: \(losses)")
                let progress = try #require(job["progress"] as? [String: Any])
                #expect(progress["step"] as? Int == progress["total"] as? Int)
                let output = stack.dataRoot.appendingPathComponent(try #require(job["output_dir"] as? String))
                #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(artifact).path))
                #expect((try await stack.logs(id)).contains { $0.contains("[trainer] completed") })
            }
            // The adapter loads onto the base model with PEFT, and the checkpoints are listed.
            let adapter = stack.dataRoot.appendingPathComponent("trainer/jobs/\(lora)/output").path
            let base = stack.dataRoot.appendingPathComponent("models/tiny").path
            let load = TrainerStack.runPython(["-c", """
                import sys; from transformers import AutoModelForCausalLM; from peft import PeftModel
                m = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(sys.argv[1]), sys.argv[2])
                assert any('lora_A' in n for n, _ in m.named_parameters())
                """, base, adapter])
            #expect(load == 0, "the LoRA adapter does not load")
            let checkpoints = try await stack.call("GET", "/api/v1/admin/finetuning/jobs/\(lora)/checkpoints").object["items"] as? [[String: Any]] ?? []
            #expect(!checkpoints.isEmpty)
            // Lineage in one call: the model back to its job, the dataset version it trained on, and that version's parents.
            let registered = try await stack.call("POST", "/api/v1/admin/models/register",
                                                  json: ["model_name": "lora-1", "version": "1", "model_path": "s3://m/lora-1", "finetuning_job_id": lora])
            let modelId = try #require(registered.object["id"] as? Int, "\(registered.text)")
            let lineage = try await stack.call("GET", "/api/v1/admin/models/\(modelId)/lineage")
            #expect(lineage.status == 200, "\(lineage.text)")
            let lineageJob = lineage.object["job"] as? [String: Any]
            #expect(lineageJob?["id"] as? Int == lora && lineageJob?["method"] as? String == "lora" && lineageJob?["hyperparameters"] is [String: Any])
            #expect((lineage.object["dataset"] as? [String: Any])?["id"] as? Int == 1 && lineage.object["job_link"] as? String == "/api/v1/admin/finetuning/jobs/\(lora)")
            let chain = (lineage.object["versions"] as? [[String: Any]] ?? []).compactMap { $0["version"] as? [String: Any] }
            #expect(chain.first?["version"] as? String == version, "starts at the trained version: \(lineage.text)")
            #expect(!chain.isEmpty && chain.last?["parent_version_id"] is NSNull && chain.last?["transformation"] as? String == "ingest", "\(lineage.text)")
            for (child, parent) in zip(chain, chain.dropFirst()) { #expect(child["parent_version_id"] as? Int == parent["id"] as? Int) }
            #expect(!lineage.text.contains(stack.dataRoot.path), "no server paths in a job's answer: \(lineage.text)")
            let yaml = try await stack.call("GET", "/api/v1/admin/finetuning/jobs/\(lora)/axolotl.yaml")
            #expect(yaml.status == 200 && yaml.text.contains("adapter: lora") && yaml.text.contains("lora_r: 8"), "\(yaml.text)")
            #expect(!yaml.text.contains(stack.dataRoot.path) && !yaml.text.contains("\"/"), "no server paths for viewers: \(yaml.text)")
            let leases = try await stack.ints("SELECT count(*)::int FROM trainer.device_leases WHERE job_id IS NOT NULL")
            #expect(leases == [0], "leases left after the jobs ended")
        }
    }

    @Test func stopThenResumeFromACheckpoint() async throws {
        try await TrainerStack.with { stack in
            let id = try await stack.createJob("long-1", hyperparameters: ["num_epochs": 40, "save_steps": 4, "batch_size": 16])
            let checkpointed = await eventually(timeout: .seconds(120), every: .milliseconds(200)) {
                let items = (try? await stack.call("GET", "/api/v1/admin/finetuning/jobs/\(id)/checkpoints"))?.object["items"] as? [Any]
                return (items?.count ?? 0) >= 2
            }
            try #require(checkpointed, "no checkpoints were recorded")
            let stopping = try await stack.call("POST", "/api/v1/admin/finetuning/jobs/\(id)/stop")
            #expect(stopping.status == 200 && ["stopping", "stopped"].contains(stopping.object["status"] as? String ?? ""), "\(stopping.text)")
            let stopped = try await stack.waitFor(id, ["stopped", "failed", "completed"])
            #expect(stopped["status"] as? String == "stopped", "\(stopped["status_reason"] ?? "")")
            let again = try await stack.call("POST", "/api/v1/admin/finetuning/jobs/\(id)/stop")
            #expect(again.status == 412, "a stopped job cannot stop again: \(again.text)")

            let checkpoints = try await stack.call("GET", "/api/v1/admin/finetuning/jobs/\(id)/checkpoints").object["items"] as? [[String: Any]] ?? []
            let chosen = try #require(checkpoints.last)
            let step = try #require(chosen["step"] as? Int)
            let resumed = try await stack.call("POST", "/api/v1/admin/finetuning/jobs/\(id)/resume", json: ["checkpoint_id": chosen["id"] as Any])
            #expect(resumed.status == 200 && resumed.object["status"] as? String == "queued", "\(resumed.text)")
            // Make it short: stop again after resuming is not needed; let it finish.
            let done = try await stack.waitFor(id, ["completed", "failed", "stopped"], timeout: .seconds(300))
            #expect(done["status"] as? String == "completed", "\(done["error"] ?? "")")
            #expect(done["attempts"] as? Int == 2)
            let log = try await stack.logs(id, lines: 5000)
            #expect(log.contains { $0.contains("resuming from") && $0.contains("at step \(step)") }, "no resume at step \(step) in the log")
            let bogus = try await stack.call("POST", "/api/v1/admin/finetuning/jobs/\(id)/resume", json: ["checkpoint_id": 999_999])
            #expect(bogus.status == 412 || bogus.status == 400, "\(bogus.text)")
        }
    }

    @Test func badSpecsAreRefusedNamingTheField() async throws {
        try await TrainerStack.with { stack in
            // A second dataset without a split.
            let boundary = "b-x"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nunsplit\r\n".utf8)
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n".utf8)
            body += try Data(contentsOf: TrainerStack.fixtures.appendingPathComponent("samples.jsonl"))
            body += Data("\r\n--\(boundary)--\r\n".utf8)
            let unsplit = try await stack.call("POST", "/api/v1/admin/training/datasets", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            let unsplitID = try #require((unsplit.object["dataset"] as? [String: Any])?["id"] as? Int, "\(unsplit.text)")
            let base: [String: Any] = ["job_name": "bad", "base_model": "tiny", "dataset_id": 1, "method": "lora"]
            let cases: [(String, [String: Any])] = [
                ("method", ["method": "dora"]),
                ("hyperparameters.lora_rank", ["hyperparameters": ["lora_rank": 0]]),
                ("hyperparameters.learning_rate", ["hyperparameters": ["learning_rate": 0]]),
                ("hyperparameters.learning_rate", ["hyperparameters": ["learning_rate": -0.1]]),
                ("dataset_id", ["dataset_id": unsplitID]),
                ("dataset_id", ["dataset_id": 999]),
                ("gpu_ids", ["gpu_ids": "0"]),
                ("gpu_ids", ["gpu_ids": ["cpu7"]]),
                ("base_model", ["base_model": "no/such-model"]),
                ("hyperparameters.learning_rte", ["hyperparameters": ["learning_rte": 0.1]]),
            ]
            for (field, change) in cases {
                let reply = try await stack.call("POST", "/api/v1/admin/finetuning/jobs", json: base.merging(change) { $1 })
                #expect(reply.status == 400, "\(change): \(reply.text)")
                #expect(reply.fields.contains(field), "\(change) should name \(field): \(reply.text)")
            }
            let list = try await stack.call("GET", "/api/v1/admin/finetuning/jobs")
            #expect(list.object["total"] as? Int == 0, "a refused job was stored: \(list.text)")
        }
    }

    @Test func qloraTrainsWithFourBitLayersOnCPU() async throws {
        try await TrainerStack.with { stack in
            let id = try await stack.createJob("qlora-1", method: "qlora", hyperparameters: ["num_epochs": 1])
            let job = try await stack.waitFor(id, ["completed", "failed"])
            #expect(job["status"] as? String == "completed", "\(job["error"] ?? "")")
            let loaded = try await stack.logs(id).first { $0.contains("model loaded:") } ?? ""
            let layers = loaded.split(separator: ",").first { $0.contains("4-bit layers") }
                .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") } ?? 0
            #expect(layers > 0, "no bitsandbytes Linear4bit modules in the model: \(loaded)")
        }
    }

    @Test func eventsStreamLiveUntilTheJobEnds() async throws {
        try await TrainerStack.with { stack in
            let id = try await stack.createJob("sse-1")
            let events = try await sseEvents(port: stack.httpPort, path: "/api/v1/admin/finetuning/jobs/\(id)/events", token: stack.token)
            let kinds = events.map(\.kind)
            #expect(kinds.first == "snapshot")
            #expect(kinds.contains("log") && kinds.contains("progress") && kinds.contains("metrics"), "\(Set(kinds))")
            let last = try #require(events.last)
            #expect(last.kind == "state" && last.data.contains("\"completed\""), "\(last)")
        }
    }

    /// A client that drops and reconnects with Last-Event-ID (as EventSource
    /// does) gets every event it missed, in order, instead of a new snapshot.
    @Test func aReconnectWithLastEventIDGetsWhatItMissed() async throws {
        try await TrainerStack.with { stack in
            let id = try await stack.createJob("sse-resume", hyperparameters: ["num_epochs": 3, "logging_steps": 1])
            let path = "/api/v1/admin/finetuning/jobs/\(id)/events"
            let first = try await sseEvents(port: stack.httpPort, path: path, token: stack.token, stopAfter: 6)
            #expect(first.first?.kind == "snapshot")
            let last = try #require(first.last?.id.flatMap { UInt64($0) }, "events carry no id: \(first)")
            // Events go on while the client is away.
            try await Task.sleep(for: .seconds(2))
            let rest = try await sseEvents(port: stack.httpPort, path: path, token: stack.token, lastEventID: String(last))
            #expect(rest.first?.kind != "snapshot", "a reconnect got a snapshot instead of the missed events")
            let ids = rest.compactMap { $0.id.flatMap { UInt64($0) } }
            #expect(ids.first == last + 1, "the first event after the reconnect is not the next one: \(ids.prefix(3)) after \(last)")
            // Only this job publishes in the stack, so its ids are consecutive: no gap, no repeat.
            #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 == $0 + 1 }, "ids skip or repeat: \(ids)")
            #expect(rest.contains { $0.kind == "progress" })
            let end = try #require(rest.last)
            #expect(end.kind == "state" && end.data.contains("\"completed\""), "\(end)")
            // An id this gateway never gave falls back to a snapshot.
            let fresh = try await sseEvents(port: stack.httpPort, path: path, token: stack.token, lastEventID: "12", stopAfter: 1)
            #expect(fresh.first?.kind == "snapshot")
        }
    }
}

/// Reads a Server-Sent Events stream over a raw socket until the server ends it, or until `stopAfter`
/// events have come (then hangs up); `lastEventID` is sent as Last-Event-ID.
func sseEvents(port: Int, path: String, token: String, timeout: TimeInterval = 180, lastEventID: String? = nil,
               stopAfter: Int? = nil) async throws -> [(kind: String, data: String, id: String?)] {
    let fd = try #require(connectLoopback(port: port))
    defer { close(fd) }
    var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    let resume = lastEventID.map { "Last-Event-ID: \($0)\r\n" } ?? ""
    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nAccept: text/event-stream\r\n\(resume)Connection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    var events: [(kind: String, data: String, id: String?)] = []
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count < 0 && errno == EINTR { continue }
        if count <= 0 {
            if ProcessInfo.processInfo.environment["SSE_DEBUG"] != nil { print("SSE recv ended: \(count) errno \(errno) after \(bytes.count) bytes") }
            break
        }
        bytes += buffer[0..<count]
        events = parseSSE(String(decoding: bytes, as: UTF8.self))
        if let stopAfter, events.count >= stopAfter { return Array(events.prefix(stopAfter)) }
    }
    return parseSSE(String(decoding: bytes, as: UTF8.self))
}

/// Event frames, found by their field lines (chunked transfer encoding puts
/// size lines between them; the gateway writes each frame in one chunk).
func parseSSE(_ text: String) -> [(kind: String, data: String, id: String?)] {
    var events: [(kind: String, data: String, id: String?)] = []
    var kind = ""
    var id: String?
    // "\r\n" is one Character in Swift: split on code units instead.
    for line in text.replacingOccurrences(of: "\r", with: "").components(separatedBy: "\n") {
        if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
        if line.hasPrefix("event: ") { kind = String(line.dropFirst(7)) }
        if line.hasPrefix("data: "), !kind.isEmpty {
            events.append((kind, String(line.dropFirst(6)), id))
            kind = ""
            id = nil
        }
    }
    return events
}
