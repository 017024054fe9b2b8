import Foundation
import JSON
import Testing

/// Our value as Foundation's reference parser reads the same text.
private func sameAsFoundation(_ ours: JSONValue, _ theirs: Any) -> Bool {
    switch ours {
    case .null: return theirs is NSNull
    // On Linux Foundation hands back Swift Bool/Int/Double, not always NSNumber.
    case .bool(let flag): return (theirs as? Bool) == flag
    case .int(let value):
        if let number = theirs as? Int { return Int64(number) == value }
        return (theirs as? NSNumber).map { $0.int64Value == value } ?? false
    case .double(let value):
        // Foundation keeps long literals as NSDecimalNumber, whose doubleValue
        // is not correctly rounded: compare the decimal it read instead.
        if let decimal = theirs as? NSDecimalNumber { return Double(decimal.description) == value }
        if let number = theirs as? Double { return number == value }
        // An integral fraction (`-70.0`) may come back as an integer.
        if let number = theirs as? Int { return Double(number) == value }
        return (theirs as? NSNumber).map { $0.doubleValue == value } ?? false
    case .string(let text): return (theirs as? String) == text
    case .array(let items):
        guard let other = theirs as? [Any], other.count == items.count else { return false }
        return zip(items, other).allSatisfy { sameAsFoundation($0, $1) }
    case .object(let members):
        guard let other = theirs as? [String: Any], other.count == members.count else { return false }
        return members.allSatisfy { name, value in other[name].map { sameAsFoundation(value, $0) } ?? false }
    }
}

@Suite struct JSONRoundTripTests {
    @Test func writtenDocumentsParseBackEqual() throws {
        var generator = DocumentGenerator()
        generator.keyPieces += ["\n", "\t", "\u{01}", "\\"]
        for _ in 0..<2000 {
            let value = generator.value()
            let text = value.serialized
            let back = try JSONValue.parse(text)
            #expect(back == value, "\(text)")
            // Same members in the same order: the writer keeps document order.
            #expect(back.serialized == text)
        }
    }

    @Test func foundationReadsWhatWeWriteAsWeDo() throws {
        var generator = DocumentGenerator()
        generator.keyPieces += ["\n", "\t", "\u{01}", "\\"]
        for _ in 0..<2000 {
            let value = JSONValue.array([generator.value()])
            let data = Data(value.serializedBytes)
            let theirs = try JSONSerialization.jsonObject(with: data)
            #expect(sameAsFoundation(value, theirs), "\(value.serialized)")
            #expect(sameAsFoundation(try JSONValue.parse(data), theirs))
        }
    }

    @Test func strictWhereFoundationIsLenientOrStrict() {
        // Refused by RFC 8259 (and so by us), each with a byte offset.
        let invalid = ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "+1", "NaN", "Infinity", "'a'", "\"\u{01}\"",
                       "\"\\x\"", "\"\\ud800\"", "{\"a\":1,\"a\":2}", "[1] [2]", "tru", "nul", "1e", "-", "\"abc"]
        for text in invalid {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue.parse(text) }
        }
        // Nesting is capped so a hostile body cannot exhaust the stack.
        let deep = String(repeating: "[", count: JSONParser.maxDepth + 1) + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func integersAndFractionsStayApart() throws {
        #expect(try JSONValue.parse("3") == .int(3))
        #expect(try JSONValue.parse("3.0") == .double(3))
        #expect(try JSONValue.parse("3e0") == .double(3))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONValue.parse("true").numberValue == nil)
    }

    @Test func objectEqualityIgnoresMemberOrder() throws {
        let a = try JSONValue.parse(#"{"x":1,"y":[true,null]}"#)
        let b = try JSONValue.parse(#"{"y":[true,null],"x":1}"#)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != (try JSONValue.parse(#"{"x":1.0,"y":[true,null]}"#)))
        #expect(JSONValue(object: ["b": .int(1), "a": .int(2)]).serialized == #"{"a":2,"b":1}"#)
    }

    @Test func timestampsMatchFoundation() {
        // Foundation's formatter to the second (its fractions go through a
        // Double), ours to the millisecond; 1970–2199, inside the Gregorian era.
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ms = Int64.random(in: 0...7_258_118_399_999, using: &rng)
            let ours = RFC3339.format(unixMs: ms)
            let seconds = formatter.string(from: Date(timeIntervalSince1970: Double(ms / 1000)))
            #expect(ours == seconds.dropLast() + String(format: ".%03dZ", Int(ms % 1000)), "\(ms)")
            #expect(RFC3339.parseUnixMs(ours) == ms, "\(ours)")
        }
    }
}
