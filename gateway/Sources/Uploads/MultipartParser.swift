#if canImport(Glibc)
import Glibc
#endif

/// A streaming multipart/form-data parser (RFC 7578): fed the body in
/// whatever pieces arrive, it reports each part's headers, then its content in
/// pieces, then its end — so a 200 MB file part goes to disk without ever
/// being held whole. Pure: no I/O, tested on its own.
struct MultipartParser {
    enum Event: Equatable {
        case partBegin(name: String, filename: String?, contentType: String?)
        case content([UInt8])
        case partEnd
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        var description: String { if case .malformed(let m) = self { return m }; return "" }
    }

    private enum State { case preamble, headers, content, done }

    private let delimiter: [UInt8]      // "\r\n--" + boundary
    private var buffer: [UInt8] = []
    private var state: State = .preamble
    private let maxHeaderBytes = 16 * 1024

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter may start the body without the leading CRLF.
        buffer = [0x0D, 0x0A]
    }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            var value = String(part.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    var isDone: Bool { state == .done }

    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Event) throws -> Void) throws {
        buffer.append(contentsOf: bytes)
        try drain(emit)
    }

    /// The body ended: anything but a completed closing delimiter is an error.
    func finish() throws {
        guard state == .done else { throw Failure.malformed("the multipart body ends before its closing boundary") }
    }

    private mutating func drain(_ emit: (Event) throws -> Void) throws {
        var start = 0
        defer { if start > 0 { buffer.removeSubrange(0..<start) } }
        while true {
            switch state {
            case .done:
                start = buffer.count
                return
            case .preamble, .content:
                guard let found = find(delimiter, from: start) else {
                    // Everything that cannot be the start of a delimiter is content.
                    let safe = max(start, buffer.count - delimiter.count)
                    if state == .content, safe > start { try emit(.content(Array(buffer[start..<safe]))) }
                    start = safe
                    return
                }
                // Need the two bytes after the delimiter: "--" (end) or CRLF (next part).
                guard found + delimiter.count + 2 <= buffer.count else {
                    if state == .content, found > start { try emit(.content(Array(buffer[start..<found]))) }
                    start = found
                    return
                }
                if state == .content {
                    if found > start { try emit(.content(Array(buffer[start..<found]))) }
                    try emit(.partEnd)
                }
                let after = found + delimiter.count
                if buffer[after] == 0x2D && buffer[after + 1] == 0x2D {
                    state = .done
                    start = buffer.count
                    return
                }
                // Transport padding (spaces/tabs) may precede the CRLF.
                var cursor = after
                while cursor < buffer.count, buffer[cursor] == 0x20 || buffer[cursor] == 0x09 { cursor += 1 }
                guard cursor + 2 <= buffer.count else { start = found; return }
                guard buffer[cursor] == 0x0D, buffer[cursor + 1] == 0x0A else { throw Failure.malformed("a boundary line is not followed by CRLF") }
                start = cursor + 2
                state = .headers
            case .headers:
                guard let end = find([0x0D, 0x0A, 0x0D, 0x0A], from: start) else {
                    guard buffer.count - start <= maxHeaderBytes else { throw Failure.malformed("a part's headers exceed 16 KiB") }
                    return
                }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                try emit(try Self.partBegin(headers: text))
                start = end + 4
                state = .content
            }
        }
    }

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard buffer.count - from >= needle.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            needle.withUnsafeBytes { pattern -> Int? in
                guard let base = raw.baseAddress, let p = pattern.baseAddress else { return nil }
                let first = Int32(needle[0])
                var offset = from
                let last = raw.count - needle.count
                while offset <= last {
                    guard let hit = memchr(base + offset, first, last - offset + 1) else { return nil }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + position, p, needle.count) == 0 { return position }
                    offset = position + 1
                }
                return nil
            }
        }
    }

    static func partBegin(headers: String) throws -> Event {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headers.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            if field == "content-disposition" {
                for parameter in value.split(separator: ";").dropFirst() {
                    let pair = parameter.trimmingCharacters(in: " \t")
                    guard let equals = pair.firstIndex(of: "=") else { continue }
                    let key = pair[..<equals].lowercased()
                    var raw = String(pair[pair.index(after: equals)...])
                    if raw.hasPrefix("\""), raw.hasSuffix("\""), raw.count >= 2 { raw = String(raw.dropFirst().dropLast()) }
                    if key == "name" { name = raw } else if key == "filename" { filename = raw }
                }
            } else if field == "content-type" {
                contentType = value
            }
        }
        guard let name, !name.isEmpty else { throw Failure.malformed("a part has no Content-Disposition name") }
        return .partBegin(name: name, filename: filename, contentType: contentType)
    }
}

private extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
