import Foundation
import Logging
@testable import ServiceKit
import Testing

@Suite struct JSONLogHandlerTests {
    /// What a log shipper reads back with a stock JSON parser: every field,
    /// nested metadata, and text that needs escaping.
    @Test func aLineIsOneJSONObjectWithEveryField() throws {
        var handler = JSONLogHandler(label: "dataset")
        handler[metadataKey: "service"] = "dataset"
        handler[metadataKey: "trace_id"] = "from-handler"
        let tricky = "a \"quoted\"\tline\nwith \\ and \u{01} and 한글 / 😀"
        let event = LogEvent(level: .warning, message: "\(tricky)",
                             metadata: ["trace_id": "gw-42", "nested": ["list": ["x", "y"], "n": "\(7)"]],
                             source: nil, file: #fileID, function: #function, line: #line)
        let bytes = handler.render(event)
        #expect(!bytes.contains(0x0A), "one line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["message"] as? String == tricky)
        #expect(object["level"] as? String == "warning")
        #expect(object["logger"] as? String == "dataset")
        #expect(object["service"] as? String == "dataset")
        #expect(object["trace_id"] as? String == "gw-42", "the event's metadata wins over the handler's")
        let nested = try #require(object["nested"] as? [String: Any])
        #expect(nested["list"] as? [String] == ["x", "y"] && nested["n"] as? String == "7")
        let time = try #require(object["time"] as? String)
        #expect(ISO8601DateFormatter().date(from: time.replacingOccurrences(of: #"\.\d{3}Z$"#, with: "Z", options: .regularExpression)) != nil)
        // Keys sorted, so lines of one process diff cleanly.
        let text = String(decoding: bytes, as: UTF8.self)
        let order = ["level", "logger", "message", "nested", "service", "time", "trace_id"].map { text.range(of: "\"\($0)\":")!.lowerBound }
        #expect(order == order.sorted())
    }
}
