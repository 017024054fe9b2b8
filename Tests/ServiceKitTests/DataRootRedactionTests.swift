import Foundation
import ServiceKit
import Testing

/// Answers carry paths relative to DATA_ROOT (issue "Security", item 6).
struct DataRootRedactionTests {
    @Test func serverPathsNeverReachTheClient() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("redact-\(UUID().uuidString.prefix(6))/data")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let dataRoot = DataRoot(root)
        let segment = { (0..<Int.random(in: 1...3)).map { _ in ["models", "Qwen", "jobs", "7", "tok-ko", "data"].randomElement()! }.joined(separator: "/") }
        for _ in 0..<500 {
            let inside = segment()
            let library = "/usr/lib/python3.11/site-packages/" + segment() + "/tokenization_utils_base.py"
            let message = "OSError: Can't load tokenizer for '\(root.path)/\(inside)'. File \"\(library)\", line 2014\nTraceback (most recent call last):\n  \(root.path)/secret"
            let shown = dataRoot.redacting(message)
            #expect(!shown.contains(root.path) && !shown.contains("/usr/lib") && !shown.contains("Traceback"), "\(shown)")
            #expect(shown.contains("'\(inside)'"), "the path inside DATA_ROOT stays, relative: \(shown)")
            #expect(shown.contains("tokenization_utils_base.py"), "a library path keeps its file name: \(shown)")
            #expect(dataRoot.relative(root.appendingPathComponent(inside).path) == inside)
        }
        #expect(dataRoot.relative("/elsewhere/x") == nil)
        // Relative paths and URIs are not touched; long text is capped.
        #expect(dataRoot.redacting("no folder 'models/x' (s3://bucket/key)") == "no folder 'models/x' (s3://bucket/key)")
        #expect(dataRoot.redacting(String(repeating: "x", count: 1_000), limit: 50).count == 50)
    }
}
