import Testing
@testable import GatewayApp

/// The streaming multipart parser, fed in every possible piece size.
struct MultipartParserTests {
    static let body = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nroad-qa\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
        + "line 1\r\n--Xy not a boundary\r\nline 3\n"
        + "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n--XyZ--\r\nepilogue"

    func parse(_ text: String, pieces: Int) throws -> (fields: [String: String], file: String, done: Bool) {
        var parser = MultipartParser(boundary: "XyZ")
        var fields: [String: String] = [:]
        var file: [UInt8] = []
        var current = ""
        var buffer: [UInt8] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + pieces)
            try Array(bytes[offset..<end]).withUnsafeBytes { raw in
                try parser.feed(raw) { event in
                    switch event {
                    case .partBegin(let name, _, _): current = name; buffer = []
                    case .content(let chunk): if current == "file" { file += chunk } else { buffer += chunk }
                    case .partEnd: if current != "file" { fields[current] = String(decoding: buffer, as: UTF8.self) }
                    }
                }
            }
            offset = end
        }
        return (fields, String(decoding: file, as: UTF8.self), parser.isDone)
    }

    @Test(arguments: [1, 2, 3, 7, 16, 1000])
    func partsSurviveAnyChunking(pieces: Int) throws {
        let result = try parse(Self.body, pieces: pieces)
        #expect(result.fields == ["name": "road-qa", "empty": ""])
        #expect(result.file == "line 1\r\n--Xy not a boundary\r\nline 3\n")
        #expect(result.done)
    }

    @Test func truncatedBodiesAndBadHeadersAreRefused() throws {
        var parser = MultipartParser(boundary: "XyZ")
        try Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue".utf8).withUnsafeBytes { try parser.feed($0) { _ in } }
        #expect(throws: MultipartParser.Failure.self) { try parser.finish() }
        var nameless = MultipartParser(boundary: "XyZ")
        #expect(throws: MultipartParser.Failure.self) {
            try Array("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--".utf8).withUnsafeBytes { try nameless.feed($0) { _ in } }
        }
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"abc\"") == "abc")
        #expect(MultipartParser.boundary(contentType: "application/json") == nil)
    }
}
