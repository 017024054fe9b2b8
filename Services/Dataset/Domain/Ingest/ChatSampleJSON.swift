/// The chat sample's JSON form: parsing one record and writing the canonical line.
///
/// Accepted input (one JSON object):
/// ```json
/// {"id": "a1" | 17, "messages": [{"role": "system|user|assistant", "content": "…"}],
///  "metadata": {"source": "…", "category": "…", "quality_score": 0.9, "any": …}}
/// ```
/// - `id` may be a string or a number (kept as its literal text); absent or null
///   means the line number.
/// - Unknown `metadata` keys, and unknown top-level keys, go into
///   `metadata.extra` as compact JSON text (a metadata key wins over a
///   top-level key of the same name). Unknown keys inside a message are ignored.
/// - A conversation needs at least one user turn and one assistant turn.
///
/// The canonical line written by `encode` is compact JSON with keys in the
/// order `id`, `messages` (`role`, `content`), `metadata` (`source`,
/// `category`, `quality_score`, then extras sorted by key bytes); nil fields
/// are omitted, non-ASCII is written as raw UTF-8. `parse(encode(s)) == s`.
public enum ChatSampleJSON {
    /// Parses one record (a JSONL line without its newline, or one JSON array
    /// element). Safe to call from several threads on different buffers.
    public static func parse(line: UnsafeRawBufferPointer, lineNumber: Int) -> Result<ChatSample, RecordError> {
        guard let base = line.baseAddress, line.count > 0 else {
            return .failure(RecordError(line: lineNumber, code: .invalidJSON, reason: "empty record"))
        }
        var parser = JSONByteParser(base.assumingMemoryBound(to: UInt8.self), count: line.count, line: lineNumber)
        do {
            return .success(try parser.parseSample())
        } catch {
            return .failure(error)
        }
    }

    public static func parse(_ bytes: [UInt8], lineNumber: Int) -> Result<ChatSample, RecordError> {
        bytes.withUnsafeBytes { parse(line: $0, lineNumber: lineNumber) }
    }

    public static func parse(_ text: String, lineNumber: Int) -> Result<ChatSample, RecordError> {
        var text = text
        return text.withUTF8 { parse(line: UnsafeRawBufferPointer($0), lineNumber: lineNumber) }
    }

    /// Appends the canonical compact JSON of `sample` to `out` (no newline).
    public static func encode(_ sample: ChatSample, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        appendJSONString(sample.id, to: &out)
        out.append(contentsOf: #","messages":["#.utf8)
        for (k, m) in sample.messages.enumerated() {
            if k > 0 { out.append(Byte.comma) }
            switch m.role {
            case .system: out.append(contentsOf: #"{"role":"system","content":"#.utf8)
            case .user: out.append(contentsOf: #"{"role":"user","content":"#.utf8)
            case .assistant: out.append(contentsOf: #"{"role":"assistant","content":"#.utf8)
            }
            appendJSONString(m.content, to: &out)
            out.append(Byte.rbrace)
        }
        out.append(contentsOf: #"],"metadata":{"#.utf8)
        var first = true
        let md = sample.metadata
        if let s = md.source {
            out.append(contentsOf: #""source":"#.utf8)
            appendJSONString(s, to: &out)
            first = false
        }
        if let c = md.category {
            if !first { out.append(Byte.comma) }
            out.append(contentsOf: #""category":"#.utf8)
            appendJSONString(c, to: &out)
            first = false
        }
        if let q = md.qualityScore, q.isFinite {
            if !first { out.append(Byte.comma) }
            out.append(contentsOf: #""quality_score":"#.utf8)
            out.append(contentsOf: q.description.utf8)
            first = false
        }
        if !md.extra.isEmpty {
            let keys = md.extra.keys
                .filter { $0 != "source" && $0 != "category" && $0 != "quality_score" }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for key in keys {
                if !first { out.append(Byte.comma) }
                appendJSONString(key, to: &out)
                out.append(Byte.colon)
                appendExtraValue(md.extra[key]!, to: &out)
                first = false
            }
        }
        out.append(Byte.rbrace)
        out.append(Byte.rbrace)
    }

    /// The canonical line as a String (no newline).
    public static func encode(_ sample: ChatSample) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        encode(sample, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes an extra value: compacted when it is valid JSON, otherwise as a
    /// JSON string holding the text, so the line stays valid JSON.
    static func appendExtraValue(_ text: String, to out: inout [UInt8]) {
        var text = text
        let compact: [UInt8]? = text.withUTF8 { buf -> [UInt8]? in
            guard let base = buf.baseAddress, buf.count > 0 else { return nil }
            var parser = JSONByteParser(base, count: buf.count, line: 0)
            var tmp: [UInt8] = []
            tmp.reserveCapacity(buf.count)
            do {
                try parser.copyCompactValue(into: &tmp)
                parser.skipWS()
                return parser.i == parser.n ? tmp : nil
            } catch {
                return nil
            }
        }
        if let compact {
            out.append(contentsOf: compact)
        } else {
            appendJSONString(text, to: &out)
        }
    }
}

extension JSONByteParser {
    mutating func parseSample() throws(RecordError) -> ChatSample {
        skipWS()
        guard i < n else { throw error(.invalidJSON, "empty record") }
        guard p[i] == Byte.lbrace else {
            if p[i] == Byte.lbracket || p[i] == Byte.quote || p[i] == Byte.minus || isDigit(p[i])
                || p[i] == UInt8(ascii: "t") || p[i] == UInt8(ascii: "f") || p[i] == UInt8(ascii: "n") {
                let t = typeName()
                var sink: [UInt8] = []
                try copyCompactValue(into: &sink)  // a syntax error inside wins
                throw error(.notAnObject, "record is \(t), expected an object")
            }
            throw syntax("'{'")
        }
        i += 1
        var id: String?
        var messages: [ChatMessage]?
        var metadata = SampleMetadata()
        var topExtra: [String: String] = [:]
        skipWS()
        if peek() == Byte.rbrace {
            i += 1
        } else {
            while true {
                skipWS()
                var name: String?
                let key = try readKey(name: &name)
                skipWS()
                try expect(Byte.colon, "':'")
                skipWS()
                switch key {
                case .id:
                    id = try readID()
                case .messages:
                    if peek() == Byte.lbracket {
                        messages = try readMessages()
                    } else if takeNull() {
                        messages = nil
                    } else {
                        throw error(.invalidFieldType, "messages must be an array, got \(typeName())", field: "messages")
                    }
                case .metadata:
                    if peek() == Byte.lbrace {
                        try readMetadata(into: &metadata)
                    } else if !takeNull() {
                        throw error(.invalidFieldType, "metadata must be an object, got \(typeName())", field: "metadata")
                    }
                default:
                    let keyName = name ?? keyText(key)
                    topExtra[keyName] = try readCompactValueText()
                }
                skipWS()
                guard i < n else { throw syntax("',' or '}'") }
                if p[i] == Byte.comma { i += 1; continue }
                if p[i] == Byte.rbrace { i += 1; break }
                throw syntax("',' or '}'")
            }
        }
        skipWS()
        guard i == n else { throw syntax("end of record after the object") }

        guard let messages else {
            throw error(.missingField, "messages is missing", field: "messages")
        }
        guard !messages.isEmpty else {
            throw error(.emptyMessages, "messages is empty", field: "messages")
        }
        try checkTurns(messages, line: line)
        for (k, v) in topExtra where metadata.extra[k] == nil {
            metadata.extra[k] = v
        }
        return ChatSample(id: id ?? String(line), messages: messages, metadata: metadata)
    }

    func keyText(_ key: JSONKey) -> String {
        switch key {
        case .id: return "id"
        case .messages: return "messages"
        case .metadata: return "metadata"
        case .role: return "role"
        case .content: return "content"
        case .source: return "source"
        case .category: return "category"
        case .qualityScore: return "quality_score"
        case .other: return ""
        }
    }

    mutating func readID() throws(RecordError) -> String? {
        let b = peek()
        if b == Byte.quote { return try readString(field: "id") }
        if b == Byte.minus || isDigit(b) {
            let r = try scanNumber()
            return String(decoding: UnsafeBufferPointer(start: p + r.lowerBound, count: r.count), as: UTF8.self)
        }
        if takeNull() { return nil }
        throw error(.invalidFieldType, "id must be a string or a number, got \(typeName())", field: "id")
    }

    mutating func readMessages() throws(RecordError) -> [ChatMessage] {
        i += 1  // [
        var out: [ChatMessage] = []
        out.reserveCapacity(4)
        skipWS()
        if peek() == Byte.rbracket { i += 1; return out }
        while true {
            skipWS()
            let idx = out.count
            guard peek() == Byte.lbrace else {
                throw error(.invalidFieldType, "message must be an object, got \(typeName())", field: "messages[\(idx)]")
            }
            i += 1
            var role: ChatRole?
            var content: String?
            skipWS()
            if peek() == Byte.rbrace {
                i += 1
            } else {
                while true {
                    skipWS()
                    var name: String?
                    let key = try readKey(name: &name)
                    skipWS()
                    try expect(Byte.colon, "':'")
                    skipWS()
                    switch key {
                    case .role:
                        role = try readRole(index: idx)
                    case .content:
                        guard peek() == Byte.quote else {
                            throw error(.nonStringContent, "content must be a string, got \(typeName())", field: "messages[\(idx)].content")
                        }
                        content = try readString(field: "messages[\(idx)].content")
                    default:
                        try skipValue()
                    }
                    skipWS()
                    guard i < n else { throw syntax("',' or '}'") }
                    if p[i] == Byte.comma { i += 1; continue }
                    if p[i] == Byte.rbrace { i += 1; break }
                    throw syntax("',' or '}'")
                }
            }
            guard let role else {
                throw error(.missingField, "message has no role", field: "messages[\(idx)].role")
            }
            guard let content else {
                throw error(.missingField, "message has no content", field: "messages[\(idx)].content")
            }
            out.append(ChatMessage(role: role, content: content))
            skipWS()
            guard i < n else { throw syntax("',' or ']'") }
            if p[i] == Byte.comma { i += 1; continue }
            if p[i] == Byte.rbracket { i += 1; return out }
            throw syntax("',' or ']'")
        }
    }

    mutating func readRole(index: Int) throws(RecordError) -> ChatRole {
        guard peek() == Byte.quote else {
            throw error(.invalidRole, "role must be one of system, user, assistant; got \(typeName())", field: "messages[\(index)].role")
        }
        let s = try scanString()
        let role: ChatRole? = s.escaped
            ? scratch.withUnsafeBufferPointer { classifyRole($0.baseAddress!, $0.count) }
            : classifyRole(p + s.start, s.end - s.start)
        if let role { return role }
        var given = (try? makeString(s, field: nil)) ?? "<invalid UTF-8>"
        if given.count > 40 { given = String(given.prefix(40)) + "…" }
        throw error(.invalidRole, "role must be one of system, user, assistant; got \"\(given)\"", field: "messages[\(index)].role")
    }

    @inline(__always)
    func classifyRole(_ k: UnsafePointer<UInt8>, _ len: Int) -> ChatRole? {
        switch len {
        case 4: return bytesEqual(k, len, "user") ? .user : nil
        case 6: return bytesEqual(k, len, "system") ? .system : nil
        case 9: return bytesEqual(k, len, "assistant") ? .assistant : nil
        default: return nil
        }
    }

    mutating func readMetadata(into md: inout SampleMetadata) throws(RecordError) {
        i += 1  // {
        skipWS()
        if peek() == Byte.rbrace { i += 1; return }
        while true {
            skipWS()
            var name: String?
            let key = try readKey(name: &name)
            skipWS()
            try expect(Byte.colon, "':'")
            skipWS()
            switch key {
            case .source:
                md.source = try readOptionalString(field: "metadata.source")
            case .category:
                md.category = try readOptionalString(field: "metadata.category")
            case .qualityScore:
                let b = peek()
                if b == Byte.minus || isDigit(b) {
                    md.qualityScore = try readDouble(field: "metadata.quality_score")
                } else if takeNull() {
                    md.qualityScore = nil
                } else {
                    throw error(.invalidFieldType, "quality_score must be a number, got \(typeName())", field: "metadata.quality_score")
                }
            default:
                md.extra[name ?? keyText(key)] = try readCompactValueText()
            }
            skipWS()
            guard i < n else { throw syntax("',' or '}'") }
            if p[i] == Byte.comma { i += 1; continue }
            if p[i] == Byte.rbrace { i += 1; return }
            throw syntax("',' or '}'")
        }
    }

    mutating func readOptionalString(field: String) throws(RecordError) -> String? {
        if peek() == Byte.quote { return try readString(field: field) }
        if takeNull() { return nil }
        throw error(.invalidFieldType, "\(field) must be a string, got \(typeName())", field: field)
    }
}

/// A conversation must hold at least one user turn and one assistant turn.
func checkTurns(_ messages: [ChatMessage], line: Int) throws(RecordError) {
    var user = false, assistant = false
    for m in messages {
        if m.role == .user { user = true } else if m.role == .assistant { assistant = true }
    }
    if !user && !assistant {
        throw RecordError(line: line, code: .missingTurn, field: "messages", reason: "conversation has no user or assistant turn")
    }
    if !user {
        throw RecordError(line: line, code: .missingTurn, field: "messages", reason: "conversation has no user turn")
    }
    if !assistant {
        throw RecordError(line: line, code: .missingTurn, field: "messages", reason: "conversation has no assistant turn")
    }
}
