import Testing
@testable import DatasetDomain

// MARK: - helpers

private func read(_ bytes: [UInt8], _ format: InputFormat, chunk: Int? = nil,
                  maxRecordBytes: Int = IngestOptions.defaultMaxRecordBytes,
                  mapping: CSVColumnMapping = CSVColumnMapping(), delimiter: UInt8 = UInt8(ascii: ",")) -> [ParsedRecord] {
    var reader = SampleReader(options: IngestOptions(format: format, maxRecordBytes: maxRecordBytes,
                                                     csvMapping: mapping, csvDelimiter: delimiter))
    var out: [ParsedRecord] = []
    let size = chunk ?? max(bytes.count, 1)
    var i = 0
    while i < bytes.count {
        let j = min(bytes.count, i + size)
        reader.feed(Array(bytes[i..<j])) { out.append($0) }
        i = j
    }
    reader.finish { out.append($0) }
    return out
}

private func read(_ text: String, _ format: InputFormat, chunk: Int? = nil, maxRecordBytes: Int = IngestOptions.defaultMaxRecordBytes,
                  mapping: CSVColumnMapping = CSVColumnMapping(), delimiter: UInt8 = UInt8(ascii: ",")) -> [ParsedRecord] {
    read(Array(text.utf8), format, chunk: chunk, maxRecordBytes: maxRecordBytes, mapping: mapping, delimiter: delimiter)
}

/// Feeds in pseudo-random chunk sizes 1...maxChunk.
private func readRandomChunks(_ bytes: [UInt8], _ format: InputFormat, seed: UInt64, maxChunk: Int,
                              maxRecordBytes: Int = IngestOptions.defaultMaxRecordBytes) -> [ParsedRecord] {
    var rng = Xoshiro256StarStar(seed: seed)
    var reader = SampleReader(options: IngestOptions(format: format, maxRecordBytes: maxRecordBytes))
    var out: [ParsedRecord] = []
    var i = 0
    while i < bytes.count {
        let j = min(bytes.count, i + 1 + rng.next(below: maxChunk))
        reader.feed(Array(bytes[i..<j])) { out.append($0) }
        i = j
    }
    reader.finish { out.append($0) }
    return out
}

private func chat(_ user: String = "안녕하세요", _ assistant: String = "Hello!", extra: String = "") -> String {
    #"{"messages":[{"role":"user","content":"\#(user)"},{"role":"assistant","content":"\#(assistant)"}]\#(extra)}"#
}

private func only(_ records: [ParsedRecord]) -> RecordError? {
    records.count == 1 ? records[0].error : nil
}

// MARK: - JSONL

@Suite struct JSONLIngestTests {
    @Test func parsesChatRecordWithMetadataAndExtras() throws {
        let line = #"{"id":"s-1","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"한국어 질문?"},{"role":"assistant","content":"네, \"답\"입니다.\n끝"}],"metadata":{"source":"wiki","category":"qa","quality_score":0.85,"lang":"ko","tags":[ "a" , {"b": null} ]},"split_hint":true}"#
        let records = read(line + "\n", .jsonl)
        #expect(records.count == 1)
        let s = try #require(records[0].sample)
        #expect(records[0].line == 1)
        #expect(s.id == "s-1")
        #expect(s.messages == [
            ChatMessage(role: .system, content: "Be brief."),
            ChatMessage(role: .user, content: "한국어 질문?"),
            ChatMessage(role: .assistant, content: "네, \"답\"입니다.\n끝"),
        ])
        #expect(s.metadata.source == "wiki")
        #expect(s.metadata.category == "qa")
        #expect(s.metadata.qualityScore == 0.85)
        #expect(s.metadata.extra == ["lang": #""ko""#, "tags": #"["a",{"b":null}]"#, "split_hint": "true"])
    }

    @Test func idIsStringNumberOrLineNumber() throws {
        let text = """
        {"id":42,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}
        {"id":"x7","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}

        {"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}
        {"id":null,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}
        """
        let records = read(text, .jsonl)
        #expect(records.map(\.line) == [1, 2, 4, 5])
        #expect(records.compactMap(\.sample?.id) == ["42", "x7", "4", "5"])
    }

    @Test func decodesEscapesIncludingSurrogatePairs() throws {
        let line = #"{"messages":[{"role":"user","content":"a\u00e9\u20AC\ud83d\ude00\/\\\b\f\n\r\t\""},{"role":"assistant","content":"ok"}]}"#
        let s = try #require(read(line, .jsonl).first?.sample)
        #expect(s.messages[0].content == "aé€😀/\\\u{08}\u{0C}\n\r\t\"")
    }

    @Test func brokenUTF8IsNamedWithItsLine() {
        var bytes = Array((chat() + "\n").utf8)
        bytes += Array(#"{"messages":[{"role":"user","content":"bad "#.utf8) + [0xC3, 0x28] + Array(#""},{"role":"assistant","content":"x"}]}"#.utf8) + [0x0A]
        bytes += Array((chat() + "\n").utf8)
        let records = read(bytes, .jsonl)
        #expect(records.count == 3)
        #expect(records[0].sample != nil && records[2].sample != nil)
        #expect(records[1].error?.code == .invalidUTF8)
        #expect(records[1].error?.line == 2)
        #expect(records[1].error?.field == "messages[0].content")
    }

    @Test func loneSurrogatesAreInvalidUTF8() {
        for esc in [#"\ud800"#, #"\udc00"#, #"\ud83dx"#, #"\ud83d\u0041"#] {
            let records = read(chat("x\(esc)y"), .jsonl)
            #expect(only(records)?.code == .invalidUTF8, "\(esc)")
        }
    }

    @Test func fiftyMegabyteLineIsSkippedWithoutBuffering() {
        var reader = SampleReader(options: IngestOptions(format: .jsonl))
        var out: [ParsedRecord] = []
        reader.feed(Array((chat() + "\n").utf8)) { out.append($0) }
        reader.feed(Array(#"{"messages":[{"role":"user","content":""#.utf8)) { out.append($0) }
        let mib = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<50 { reader.feed(mib) { out.append($0) } }
        reader.feed(Array(("\"}]}\n" + chat("after") + "\n").utf8)) { out.append($0) }
        reader.finish { out.append($0) }
        #expect(out.count == 3)
        #expect(out[0].sample != nil)
        #expect(out[1].error?.code == .recordTooLarge)
        #expect(out[1].line == 2)
        #expect(out[2].line == 3)
        #expect(out[2].sample?.messages.first?.content == "after")
        #expect(reader.summary.accepted == 2 && reader.summary.rejected == 1)
    }

    @Test func maxRecordBytesIsConfigurable() {
        let long = chat(String(repeating: "x", count: 200))
        let text = chat() + "\n" + long + "\n" + chat() + "\n" + long
        for chunk in [1, 7, 64, 100_000] {
            let records = read(text, .jsonl, chunk: chunk, maxRecordBytes: 150)
            #expect(records.map(\.line) == [1, 2, 3, 4], "chunk \(chunk)")
            #expect(records.map { $0.error?.code } == [nil, .recordTooLarge, nil, .recordTooLarge], "chunk \(chunk)")
        }
    }

    @Test func wrongRolesAreRejected() {
        let text = chat() + "\n" + #"{"messages":[{"role":"user","content":"q"},{"role":"tool","content":"a"}]}"# + "\n"
            + #"{"messages":[{"role":"User","content":"q"},{"role":"assistant","content":"a"}]}"# + "\n"
            + #"{"messages":[{"role":3,"content":"q"},{"role":"assistant","content":"a"}]}"#
        let records = read(text, .jsonl)
        #expect(records.count == 4)
        #expect(records[1].error == RecordError(line: 2, code: .invalidRole, field: "messages[1].role",
                                                reason: #"role must be one of system, user, assistant; got "tool""#))
        #expect(records[2].error?.code == .invalidRole)
        #expect(records[2].error?.line == 3)
        #expect(records[3].error?.code == .invalidRole)
        #expect(records[3].error?.field == "messages[0].role")
    }

    @Test func emptyFileIsNamed() {
        for text in ["", "\n\n  \n", "\u{FEFF}"] {
            let records = read(text, .jsonl)
            #expect(records.count == 1)
            #expect(records[0].error?.code == .emptyFile)
            #expect(records[0].line == RecordError.fileLevelLine)
        }
        #expect(only(read("", .json))?.code == .emptyFile)
        #expect(only(read("[ ]", .json))?.code == .emptyFile)
        #expect(only(read("", .csv))?.code == .emptyFile)
        #expect(only(read("question,answer\n", .csv))?.code == .emptyFile)
    }

    @Test func missingOrEmptyMessages() {
        let text = #"{"id":"a"}"# + "\n" + #"{"messages":[]}"# + "\n" + #"{"messages":null}"# + "\n" + #"{"messages":"hi"}"#
        let records = read(text, .jsonl)
        #expect(records.map { $0.error?.code } == [.missingField, .emptyMessages, .missingField, .invalidFieldType])
        #expect(records.map { $0.error?.field } == ["messages", "messages", "messages", "messages"])
        #expect(records.map(\.line) == [1, 2, 3, 4])
    }

    @Test func nonStringContent() {
        for value in ["null", "42", #"[{"type":"text","text":"hi"}]"#, "{}", "true"] {
            let line = #"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":\#(value)}]}"#
            let e = only(read(line, .jsonl))
            #expect(e?.code == .nonStringContent, "\(value)")
            #expect(e?.field == "messages[1].content")
        }
        let missing = #"{"messages":[{"role":"user"},{"role":"assistant","content":"a"}]}"#
        #expect(only(read(missing, .jsonl))?.code == .missingField)
    }

    @Test func conversationNeedsUserAndAssistantTurns() {
        let systemOnly = #"{"messages":[{"role":"system","content":"s"}]}"#
        let userOnly = #"{"messages":[{"role":"user","content":"q"}]}"#
        let assistantOnly = #"{"messages":[{"role":"system","content":"s"},{"role":"assistant","content":"a"}]}"#
        let records = read([systemOnly, userOnly, assistantOnly].joined(separator: "\n"), .jsonl)
        #expect(records.map { $0.error?.code } == [.missingTurn, .missingTurn, .missingTurn])
        #expect(records.map { $0.error?.reason } == ["conversation has no user or assistant turn",
                                                     "conversation has no assistant turn",
                                                     "conversation has no user turn"])
    }

    @Test func syntaxErrorsAndWrongTypes() {
        let lines = [
            #"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]"#,   // unclosed
            #"["not", "an", "object"]"#,
            #"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]} x"#,
            #"{"id":[1],"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}"#,
            #"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}],"metadata":{"quality_score":"high"}}"#,
            #"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}],"metadata":{"category":1}}"#,
            #"{"messages":[{"role":"user","content":"tab\#traw"},{"role":"assistant","content":"a"}]}"#,
            #"{"messages":[{"role":"user","content":"q\x"},{"role":"assistant","content":"a"}]}"#,
            chat(),
        ]
        let records = read(lines.joined(separator: "\r\n"), .jsonl)
        #expect(records.map { $0.error?.code } == [.invalidJSON, .notAnObject, .invalidJSON, .invalidFieldType,
                                                  .invalidFieldType, .invalidFieldType, .invalidJSON, .invalidJSON, nil])
        #expect(records.map(\.line) == Array(1...9))
        #expect(records[4].error?.field == "metadata.quality_score")
        #expect(records[5].error?.field == "metadata.category")
        #expect(records[3].error?.field == "id")
    }

    @Test func unknownFormatIsNamed() throws {
        #expect(throws: IngestError.unknownFormat("parquet")) { try InputFormat(name: "parquet") }
        #expect(throws: IngestError.unknownFormat("data.xml")) { try InputFormat(fileName: "data.xml") }
        #expect(try InputFormat(name: " JSONL ") == .jsonl)
        #expect(try InputFormat(name: "ndjson") == .jsonl)
        #expect(try InputFormat(fileName: "train.v2.CSV") == .csv)
    }

    @Test func chunkBoundariesDoNotMatter() {
        var text = ""
        for k in 0..<40 {
            text += chat("질문 \(k) with \\\"escape\\\" and 😀", "답 \(k)") + (k % 3 == 0 ? "\r\n" : "\n")
            if k % 7 == 0 { text += "\n" }
            if k % 11 == 0 { text += #"{"messages":[{"role":"tool","content":"x"}]}"# + "\n" }
        }
        let whole = read(text, .jsonl)
        #expect(whole.count == 44)
        #expect(read(text, .jsonl, chunk: 1) == whole)
        for seed in 1...5 as ClosedRange<UInt64> {
            #expect(readRandomChunks(Array(text.utf8), .jsonl, seed: seed, maxChunk: 300) == whole)
        }
    }

    @Test func lastLineWithoutNewlineAndBOM() throws {
        let records = read("\u{FEFF}" + chat() + "\n" + chat("last"), .jsonl, chunk: 2)
        #expect(records.count == 2)
        #expect(records[1].sample?.messages[0].content == "last")
        #expect(records[1].line == 2)
    }
}

// MARK: - JSON array

@Suite struct JSONArrayIngestTests {
    static let document: String = {
        var s = "[\n"
        for k in 0..<12 {
            if k > 0 { s += ",\n" }
            if k == 4 {
                s += #"  {"messages": [{"role": "user", "content": "no answer"}]}"#
            } else if k == 7 {
                s += "  {\n    \"id\": \(k),\n    \"messages\": [\n      {\"role\": \"user\", \"content\": \"q[\(k)] {\\\"}\"},\n      {\"role\": \"assistant\", \"content\": \"한글 \\ud83d\\ude00\"}\n    ]\n  }"
            } else if k == 9 {
                s += "  17"
            } else {
                s += "  " + chat("q\(k) ] } ,", "a\(k)")
            }
        }
        return s + "\n]\n"
    }()

    @Test func streamsElementsWithStartLines() throws {
        let records = read(Self.document, .json)
        #expect(records.count == 12)
        #expect(records.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 18, 19])
        #expect(records[4].error?.code == .missingTurn)
        #expect(records[9].error?.code == .notAnObject)
        let s7 = try #require(records[7].sample)
        #expect(s7.id == "7")
        #expect(s7.messages[0].content == "q[7] {\"}")
        #expect(s7.messages[1].content == "한글 😀")
        #expect(records[0].sample?.id == "2")
    }

    @Test func oneByteAndRandomChunksGiveTheSameResult() {
        let whole = read(Self.document, .json)
        #expect(read(Self.document, .json, chunk: 1) == whole)
        for seed in 1...8 as ClosedRange<UInt64> {
            #expect(readRandomChunks(Array(Self.document.utf8), .json, seed: seed, maxChunk: 97) == whole)
        }
    }

    @Test func singleTopLevelObject() throws {
        let text = "\n\n" + chat("solo") + "\n"
        for chunk in [1, 5, 1000] {
            let records = read(text, .json, chunk: chunk)
            #expect(records.count == 1)
            #expect(records[0].sample?.messages[0].content == "solo")
            #expect(records[0].line == 3)
        }
    }

    @Test func structuralErrorsStopTheStream() {
        let missingComma = "[\n" + chat() + "\n" + chat() + "\n]"
        let r1 = read(missingComma, .json)
        #expect(r1.map { $0.error?.code } == [nil, .invalidJSON])
        #expect(r1[1].line == 3)

        let unterminated = "[\n" + chat() + ",\n{\"messages\": ["
        let r2 = read(unterminated, .json, chunk: 3)
        #expect(r2.map { $0.error?.code } == [nil, .invalidJSON])
        #expect(r2[1].line == 3)

        let trailing = "[" + chat() + "] extra"
        #expect(read(trailing, .json).map { $0.error?.code } == [nil, .invalidJSON])

        let trailingComma = "[" + chat() + ",]"
        #expect(read(trailingComma, .json).map { $0.error?.code } == [nil, .invalidJSON])

        #expect(only(read("\"just a string\"", .json))?.code == .invalidJSON)
    }

    @Test func oversizedElementIsSkipped() {
        let big = chat(String(repeating: "가", count: 100))
        let text = "[" + chat("a") + ",\n" + big + ",\n" + chat("b") + "]"
        for chunk in [1, 13, 10_000] {
            let records = read(text, .json, chunk: chunk, maxRecordBytes: 200)
            #expect(records.map { $0.error?.code } == [nil, .recordTooLarge, nil], "chunk \(chunk)")
            #expect(records.map(\.line) == [1, 2, 3])
        }
    }
}

// MARK: - CSV

@Suite struct CSVIngestTests {
    @Test func mapsColumnsAndKeepsOthersAsExtras() throws {
        let text = "ID,Question,answer,category,source,quality_score,system,lang\n"
            + "q1,What is 2+2?,4,math,gsm,0.9,,en\n"
            + ",질문,답변,,,,You are kind.,\n"
        let records = read(text, .csv)
        #expect(records.count == 2)
        let a = try #require(records[0].sample)
        #expect(a.id == "q1")
        #expect(a.messages == [ChatMessage(role: .user, content: "What is 2+2?"), ChatMessage(role: .assistant, content: "4")])
        #expect(a.metadata == SampleMetadata(source: "gsm", category: "math", qualityScore: 0.9, extra: ["lang": #""en""#]))
        let b = try #require(records[1].sample)
        #expect(b.id == "3")
        #expect(b.messages.map(\.role) == [.system, .user, .assistant])
        #expect(b.metadata.category == nil)
        #expect(b.metadata.extra.isEmpty)
    }

    @Test func quotedNewlinesAndEscapedQuotesKeepLineNumbers() throws {
        let text = "question,answer,category\r\n"
            + "\"multi\nline \"\"quoted\"\" question\",\"answer, with comma\",a\r\n"
            + "plain,\"x\n\ny\",b\r\n"
            + "\"\",empty question,c\r\n"
            + "last,one,d"
        let whole = read(text, .csv)
        #expect(whole.map(\.line) == [2, 4, 7, 8])
        #expect(whole[0].sample?.messages[0].content == "multi\nline \"quoted\" question")
        #expect(whole[0].sample?.messages[1].content == "answer, with comma")
        #expect(whole[1].sample?.messages[1].content == "x\n\ny")
        #expect(whole[1].sample?.id == "4")
        #expect(whole[2].error?.code == .missingTurn)
        #expect(whole[2].error?.field == "question")
        #expect(whole[3].sample?.metadata.category == "d")
        #expect(read(text, .csv, chunk: 1) == whole)
        for seed in 1...5 as ClosedRange<UInt64> {
            #expect(readRandomChunks(Array(text.utf8), .csv, seed: seed, maxChunk: 17) == whole)
        }
    }

    @Test func malformedRows() {
        let text = "question,answer\n"
            + "\"closed\"junk,a\n"      // 2: text after closing quote
            + "only one field\n"         // 3: field count
            + "a,b,c\n"                  // 4: field count
            + "fine,ok\n"                // 5
            + "\"never closed,x\nmore\n"  // 6: unterminated at EOF
        let records = read(text, .csv)
        #expect(records.map { $0.error?.code } == [.csvMalformed, .csvFieldCount, .csvFieldCount, nil, .csvMalformed])
        #expect(records.map(\.line) == [2, 3, 4, 5, 6])
    }

    @Test func brokenUTF8AndBadScore() {
        var bytes = Array("question,answer,quality_score\n".utf8)
        bytes += Array("ok,fine,0.5\n".utf8)
        bytes += Array("bad ".utf8) + [0xFF] + Array(",x,\n".utf8)
        bytes += Array("q,a,high\n".utf8)
        let records = read(bytes, .csv)
        #expect(records.map { $0.error?.code } == [nil, .invalidUTF8, .invalidFieldType])
        #expect(records[1].error?.field == "question")
        #expect(records[1].line == 3)
        #expect(records[2].error?.field == "quality_score")
    }

    @Test func missingRequiredColumnStopsTheFile() {
        let records = read("prompt,response\na,b\nc,d\n", .csv)
        #expect(records.count == 1)
        #expect(records[0].error?.code == .csvMissingColumn)
        #expect(records[0].error?.line == 1)
    }

    @Test func customMappingDelimiterAndBOM() throws {
        let mapping = CSVColumnMapping(question: "prompt", answer: "response", category: "topic")
        let text = "\u{FEFF}prompt\tresponse\ttopic\nhi\tthere\tgreeting\n"
        let records = read(text, .csv, chunk: 1, mapping: mapping, delimiter: 0x09)
        let s = try #require(records.first?.sample)
        #expect(records.count == 1)
        #expect(s.metadata.category == "greeting")
        #expect(s.messages[1].content == "there")
        #expect(IngestOptions.csvDelimiter(from: "\t") == 0x09)
        #expect(IngestOptions.csvDelimiter(from: "TAB") == 0x09)
        #expect(IngestOptions.csvDelimiter(from: ";") == UInt8(ascii: ";"))
        #expect(IngestOptions.csvDelimiter(from: "\"") == nil)
        #expect(IngestOptions.csvDelimiter(from: ",,") == nil)
        #expect(IngestOptions.csvDelimiter(from: "a") == nil)
    }

    @Test func oversizedRowIsSkipped() {
        let text = "question,answer\na,b\n\"" + String(repeating: "x\n", count: 100) + "\",y\nc,d\n"
        for chunk in [1, 9, 5000] {
            let records = read(text, .csv, chunk: chunk, maxRecordBytes: 64)
            #expect(records.map { $0.error?.code } == [nil, .recordTooLarge, nil], "chunk \(chunk)")
            #expect(records.map(\.line) == [2, 3, 104])
        }
    }
}

// MARK: - canonical JSON

@Suite struct CanonicalJSONTests {
    @Test func encodesCanonicalLine() {
        let s = ChatSample(id: "7", messages: [ChatMessage(role: .user, content: "q \"x\"\n"), ChatMessage(role: .assistant, content: "한")],
                           metadata: SampleMetadata(source: nil, category: "c", qualityScore: 0.5, extra: ["z": "1", "a": #" { "k" : [1, 2] } "#]))
        #expect(ChatSampleJSON.encode(s) ==
            #"{"id":"7","messages":[{"role":"user","content":"q \"x\"\n"},{"role":"assistant","content":"한"}],"metadata":{"category":"c","quality_score":0.5,"a":{"k":[1,2]},"z":1}}"#)
        let bare = ChatSample(id: "1", messages: [ChatMessage(role: .user, content: "")])
        #expect(ChatSampleJSON.encode(bare) == #"{"id":"1","messages":[{"role":"user","content":""}],"metadata":{}}"#)
    }

    @Test func roundTrips() throws {
        let samples = [
            ChatSample(id: "a\u{1}b", messages: [
                ChatMessage(role: .system, content: "\u{0}\u{1F}\u{7F} tab\t cr\r bs\\ slash/ 😀 é 漢字"),
                ChatMessage(role: .user, content: String(repeating: "긴 문장 long sentence. ", count: 50)),
                ChatMessage(role: .assistant, content: ""),
            ], metadata: SampleMetadata(source: "s\"rc", category: "카테고리", qualityScore: 1e-7,
                                        extra: ["n": "null", "o": #"{"x":"\u00e9"}"#, "notjson": "plain text"])),
            ChatSample(id: "2", messages: [ChatMessage(role: .user, content: "q"), ChatMessage(role: .assistant, content: "a")],
                       metadata: SampleMetadata(qualityScore: 0.1 + 0.2)),
        ]
        for s in samples {
            var out: [UInt8] = []
            ChatSampleJSON.encode(s, into: &out)
            #expect(!out.contains(0x0A))
            var back = try ChatSampleJSON.parse(out, lineNumber: 1).get()
            var expected = s
            expected.metadata.extra["notjson"] = expected.metadata.extra["notjson"].map { _ in #""plain text""# }
            #expect(back == expected)
            // And encoding the parsed sample is byte-identical (canonical).
            var again: [UInt8] = []
            ChatSampleJSON.encode(back, into: &again)
            #expect(again == out)
            back.id = ""
        }
    }

    @Test func parseAcceptsWhitespaceAndKeyOrder() throws {
        let text = "  { \"metadata\" : { \"category\" : \"c\" } , \"messages\" : [ { \"content\" : \"a\" , \"role\" : \"assistant\" , \"weight\": 1 } , {\"role\":\"user\",\"content\":\"q\"} ] , \"id\" : -1.5e3 }  "
        let s = try ChatSampleJSON.parse(text, lineNumber: 9).get()
        #expect(s.id == "-1.5e3")
        #expect(s.messages.map(\.role) == [.assistant, .user])
        #expect(s.metadata.category == "c")
    }
}

// MARK: - robustness

@Suite struct FuzzTests {
    static let base = Array(#"{"id":"x","messages":[{"role":"user","content":"a\n\u00e9\ud83d\ude00 한 \"q\""},{"role":"assistant","content":"b"}],"metadata":{"source":"s","category":"c","quality_score":0.5,"x":[1,{"y":null}]}}"#.utf8)

    @Test func everyProperPrefixIsRejected() {
        #expect(ChatSampleJSON.parse(Self.base, lineNumber: 1).error == nil)
        for k in 0..<Self.base.count {
            #expect(ChatSampleJSON.parse(Array(Self.base[0..<k]), lineNumber: 3).error?.line == 3, "prefix \(k)")
        }
    }

    @Test func mutatedInputNeverCrashesAndRoundTrips() {
        var rng = Xoshiro256StarStar(seed: 99)
        var all: [UInt8] = []
        for _ in 0..<3000 {
            var b = Self.base
            switch rng.next(below: 3) {
            case 0: b = Array(b[0..<rng.next(below: b.count)])
            case 1: for _ in 0...rng.next(below: 3) { b[rng.next(below: b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            default: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: rng.next(below: b.count))
            }
            switch ChatSampleJSON.parse(b, lineNumber: 1) {
            case .success(let s):
                #expect(ChatSampleJSON.parse(ChatSampleJSON.encode(s), lineNumber: 1) == .success(s))
            case .failure(let e):
                #expect(e.line == 1)
            }
            all += b
            all.append(rng.next(below: 2) == 0 ? 0x0A : UInt8(ascii: ","))
        }
        // The same bytes through every streaming reader, in random chunks: no crash, and
        // chunking never changes the outcome.
        for format in InputFormat.allCases {
            let whole = read(all, format)
            #expect(readRandomChunks(all, format, seed: 5, maxChunk: 50, maxRecordBytes: 300)
                    == read(all, format, chunk: 4096, maxRecordBytes: 300))
            #expect(!whole.isEmpty)
        }
    }
}

extension Result where Failure == RecordError {
    fileprivate var error: RecordError? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
