import Foundation
import TestKit
import Testing

/// One gateway request followed through the processes' logs: the gateway's
/// request id is the bus trace id of its call, and the trainer passes it on to
/// the dataset service both while it serves the request (ListVersions) and
/// later, when the runner side prepares the job (ExportSplit, from the row).
@Suite(.serialized)
struct TracePropagationTests {
    /// The log lines of `process` whose `trace_id` is `traceId`: their message and metadata.
    private func traced(_ stack: TrainerStack, _ process: String, _ traceId: String) -> [[String: String]] {
        (stack.processes[process]?.log ?? "").split(separator: "\n").compactMap { line in
            guard line.contains(traceId), let fields = Self.fields(line) else { return nil }
            return fields["trace_id"] == traceId ? fields : nil
        }
    }

    /// A line of either LOG_FORMAT: `json` (one object) or `text`
    /// (`<time> <level> <label>: key=value … [<source>] <message>`).
    private static func fields(_ line: Substring) -> [String: String]? {
        if line.hasPrefix("{") {
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            return object?.compactMapValues { $0 as? String }
        }
        guard let source = line.range(of: "] ", options: .backwards) else { return nil }
        var fields = ["message": String(line[source.upperBound...])]
        for token in line[..<source.lowerBound].split(separator: " ") {
            guard let equals = token.firstIndex(of: "=") else { continue }
            fields[String(token[..<equals])] = String(token[token.index(after: equals)...])
        }
        return fields
    }

    private func methods(_ lines: [[String: String]], message: String) -> Set<String> {
        Set(lines.filter { $0["message"] == message }.compactMap { $0["method"] })
    }

    @Test func aGatewayRequestIdIsInTheLogsOfGatewayTrainerAndDataset() async throws {
        try await TrainerStack.with(logLevel: "debug") { stack in
            let created = try await stack.createJobReply("traced-1")
            let requestId = try #require(created.requestId, "the gateway sent no X-Request-Id")
            let id = try #require(created.object["id"] as? Int)
            // Queued means the split was exported (the dataset service's ExportSplit).
            try await stack.waitFor(id, ["queued", "running", "completed"])

            let expected: [(process: String, message: String, methods: Set<String>)] = [
                ("gateway", "bus call answered", ["CreateJob"]),
                ("trainer-a", "handled", ["CreateJob"]),
                ("trainer-a", "bus call answered", ["ListVersions", "ExportSplit"]),
                ("dataset", "handled", ["ListVersions", "ExportSplit"]),
            ]
            for (process, message, methods) in expected {
                let found = await eventually(timeout: .seconds(10), every: .milliseconds(200)) {
                    self.methods(traced(stack, process, requestId), message: message).isSuperset(of: methods)
                }
                #expect(found, "\(process): no '\(message)' lines for \(methods.sorted()) with trace_id \(requestId); found \(self.methods(traced(stack, process, requestId), message: message).sorted())")
            }
            // Another request's id is not in them: the ids are the requests' own.
            let listed = try await stack.call("GET", "/api/v1/admin/finetuning/jobs")
            let other = try #require(listed.requestId)
            #expect(other != requestId)
            #expect(traced(stack, "dataset", other).isEmpty, "listing jobs calls no dataset method")
        }
    }
}
