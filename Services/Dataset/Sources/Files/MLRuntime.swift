import Bus
import Foundation
import JSON
import Logging
import ServiceKit

/// The `ml` Python runtime, for what Swift does not do natively: Parquet and
/// real tokenizers. Every stdout line it writes is one JSON object. Its error
/// texts reach clients redacted (paths relative to DATA_ROOT, one short line);
/// the whole text is logged under the request id.
struct MLRuntime: Sendable {
    let python: String
    let dataRoot: DataRoot
    let logger: Logger

    func convertParquet(_ source: URL, to target: URL, columns: [String: String]) async throws {
        var arguments = ["-m", "mlops_ml", "convert", "--in", source.path, "--out", target.path]
        if !columns.isEmpty {
            arguments += ["--columns", columns.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")]
        }
        let (status, lines) = try await run(arguments)
        guard status == 0 else {
            let error = Self.firstError(lines)
            throw BusError.invalidArgument(field: error?["field"]?.stringValue ?? "file",
                                           clientText(error?["message"]?.stringValue, fallback: "the Parquet file could not be converted (exit \(status))"))
        }
    }

    /// The ml runtime's token-stats summary (a JSON object) for a plaintext JSONL file.
    func tokenStats(tokenizer: URL, input: URL) async throws -> String {
        let (status, lines) = try await run(["-m", "mlops_ml", "token-stats", "--tokenizer", tokenizer.path, "--in", input.path])
        guard status == 0, let last = lines.last(where: { line in Self.object(line).map { $0["type"]?.stringValue != "error" } ?? false }) else {
            throw BusError.invalidArgument(field: "tokenizer", clientText(Self.firstError(lines)?["message"]?.stringValue,
                                                                          fallback: "the tokenizer could not be used (exit \(status))"))
        }
        return last
    }

    private func clientText(_ message: String?, fallback: String) -> String {
        guard let message else { return fallback }
        logger.warning("ml runtime failed", metadata: ["message": .string(message)])
        return dataRoot.redacting(message)
    }

    /// A stdout line as a JSON object; nil for anything else (stray output).
    private static func object(_ line: String) -> JSONValue? {
        guard let value = try? JSONValue.parse(line), case .object = value else { return nil }
        return value
    }

    /// The first `{"type":"error",…}` event.
    private static func firstError(_ lines: [String]) -> JSONValue? {
        lines.lazy.compactMap(object).first { $0["type"]?.stringValue == "error" }
    }

    private func run(_ arguments: [String]) async throws -> (Int32, [String]) {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw BusError.failedPrecondition("the ml runtime is not installed (ML_PYTHON=\(python)); run scripts/up or scripts/test once")
        }
        let python = self.python
        return try await runOnThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments
            var environment = ProcessInfo.processInfo.environment
            environment["OMP_NUM_THREADS"] = environment["OMP_NUM_THREADS"] ?? "1"
            process.environment = environment
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            return (process.terminationStatus, lines)
        }
    }
}
