import JSON

extension RunnerEvent {
    /// Parses one stdout line. Never fails: a line that is not a JSON object
    /// with a string `type`, or a known type missing a required field (`log`:
    /// `message`; `progress`: `step`; `checkpoint`: `step`, `path`; `error`:
    /// `message`), becomes a raw `log` (level `warning`) whose message is the
    /// line. A mistyped optional field reads as nil. Unknown types → `other`.
    public static func parse(line: String) -> RunnerEvent {
        let text = line.trimmingASCIIWhitespace()
        guard text.hasPrefix("{"), let value = try? JSONValue.parse(text), let object = value.objectValue,
              let type = object["type"]?.stringValue,
              let event = typed(type, object) else {
            return .log(Log(time: nil, level: "warning", message: text, fields: [:], raw: true))
        }
        return event
    }

    /// Parses each non-blank line of a chunk of stdout.
    public static func parse(lines text: String) -> [RunnerEvent] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .filter { !$0.trimmingASCIIWhitespace().isEmpty }
            .map { parse(line: String($0)) }
    }

    private static func typed(_ type: String, _ o: [String: JSONValue]) -> RunnerEvent? {
        let time = o["time"]?.numberValue
        func int(_ key: String) -> Int? { o[key]?.intValue.map(Int.init) }
        switch type {
        case "log":
            guard let message = o["message"]?.stringValue else { return nil }
            let extras = o.filter { !["type", "time", "level", "message"].contains($0.key) }
            return .log(Log(time: time, level: o["level"]?.stringValue ?? "info", message: message,
                            fields: extras, raw: false))
        case "progress":
            guard let step = int("step") else { return nil }
            return .progress(Progress(time: time, step: step, total: int("total"),
                                      epoch: o["epoch"]?.numberValue))
        case "metrics":
            func number(_ key: String) -> Double? { o[key]?.numberValue }
            return .metrics(Metrics(time: time, step: int("step"), epoch: number("epoch"),
                                    loss: number("loss"), evalLoss: number("eval_loss"),
                                    perplexity: number("perplexity"), learningRate: number("learning_rate"),
                                    gradNorm: number("grad_norm"), tokensPerSecond: number("tokens_per_second"),
                                    gpuMemoryGB: number("gpu_memory_gb")))
        case "checkpoint":
            guard let step = int("step"), let path = o["path"]?.stringValue else { return nil }
            return .checkpoint(Checkpoint(time: time, step: step, path: path,
                                          size: o["size"]?.intValue, epoch: o["epoch"]?.numberValue))
        case "stopped":
            return .stopped(Stopped(time: time, jobID: o["job_id"]?.stringValue, step: int("step"),
                                    checkpoint: o["checkpoint"]?.stringValue,
                                    message: o["message"]?.stringValue ?? "stopped"))
        case "result":
            let metrics = (o["metrics"]?.objectValue ?? [:]).compactMapValues(\.numberValue)
            let artifacts = (o["artifacts"]?.arrayValue ?? []).compactMap(\.stringValue)
            return .result(Result(time: time, jobID: o["job_id"]?.stringValue, method: o["method"]?.stringValue,
                                  outputDir: o["output_dir"]?.stringValue, step: int("step"),
                                  total: int("total"), epoch: o["epoch"]?.numberValue,
                                  metrics: metrics, artifacts: artifacts,
                                  size: o["size"]?.intValue,
                                  fields: o.filter { $0.key != "type" && $0.key != "time" }))
        case "error":
            guard let message = o["message"]?.stringValue else { return nil }
            return .error(Failure(time: time, message: message, field: o["field"]?.stringValue))
        default:
            return .other(type: type, fields: o.filter { $0.key != "type" })
        }
    }
}
