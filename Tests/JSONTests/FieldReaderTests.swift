import JSON
import Testing

private func reader(_ text: String, prefix: String = "") throws -> FieldReader {
    FieldReader(try JSONValue.parse(text), prefix: prefix)
}

@Suite struct FieldReaderTests {
    /// The one rule per type, for every kind of JSON value against every reader.
    @Test func oneRulePerType() throws {
        let samples: [(String, JSONValue)] = [
            ("3", .int(3)), ("3.0", .double(3)), ("3.5", .double(3.5)), ("\"3\"", .string("3")),
            ("true", .bool(true)), ("[]", .array([])), ("{}", .object([])),
        ]
        for (text, value) in samples {
            var r = try reader(#"{"v":\#(text)}"#)
            let int = r.int("v", range: Int64.min...Int64.max)
            let number = r.double("v")
            let flag = r.bool("v")
            let string = r.string("v")
            // An integer is an integer literal, a number any numeric literal; no kind converts to another.
            #expect((int != nil) == (value.intValue != nil), "\(text)")
            #expect((number != nil) == (value.numberValue != nil), "\(text)")
            #expect((flag != nil) == (value.boolValue != nil), "\(text)")
            #expect((string != nil) == (value.stringValue != nil), "\(text)")
            let accepted = [int != nil, number != nil, flag != nil, string != nil].filter { $0 }.count
            #expect(r.problems.count == 4 - accepted, "\(text): \(r.problems)")
            #expect(r.problems.allSatisfy { $0.field == "v" })
        }
    }

    @Test func fractionNamedInTheMessage() throws {
        var r = try reader(#"{"epochs":3.0,"steps":"10"}"#)
        #expect(r.int("epochs", range: 1...10) == nil)
        #expect(r.int("steps", range: 1...10) == nil)
        #expect(r.problems.map(\.description) == ["epochs: must be an integer, not a fraction", "steps: must be an integer, not string"])
    }

    @Test func nullIsAbsentAndRequiredIsReported() throws {
        var r = try reader(#"{"a":null}"#)
        #expect(r.string("a") == nil && r.problems.isEmpty)
        #expect(r.string("a", required: true) == nil)
        #expect(r.int("b", required: true, range: 0...1) == nil)
        #expect(r.problems.map(\.description) == ["a: is required", "b: is required"])
    }

    @Test func rangesAndBounds() throws {
        var r = try reader(#"{"low":0,"high":11,"edge":10,"min":-5,"p":0,"u":1,"n":-0.1}"#)
        #expect(r.int("low", range: 1...10) == nil)
        #expect(r.int("high", range: 1...10) == nil)
        #expect(r.int("edge", range: 1...10) == 10)
        #expect(r.int("min", range: 0...Int64.max) == nil)
        #expect(r.double("p", .positive) == nil)
        #expect(r.double("u", .unitInterval) == nil)
        #expect(r.double("n", .nonNegative) == nil)
        #expect(r.problems.map(\.description) == [
            "low: must be between 1 and 10", "high: must be between 1 and 10", "min: must be at least 0",
            "p: must be greater than 0", "u: must be at least 0 and less than 1", "n: must be at least 0",
        ])
    }

    @Test func nestedReadersPrefixTheirFields() throws {
        var r = try reader(#"{"hp":{"rank":0,"typo":1},"flat":2}"#)
        let hp = r.nested("hp")
        var nested = try #require(hp)
        _ = nested.int("rank", range: 1...64)
        nested.rejectUnknown(["rank"])
        r.merge(nested)
        let flat = r.nested("flat")
        #expect(flat == nil)
        r.rejectUnknown(["hp"])
        #expect(r.problems.map(\.description) == [
            "hp.rank: must be between 1 and 64", "hp.typo: is not a known field",
            "flat: must be an object, not number", "flat: is not a known field",
        ])
    }

    @Test func stringsArraysAndPatterns() throws {
        var r = try reader(#"{"tags":["a",2],"name":"bad name","sha":"ABC","long":"xxxx","map":{"k":1}}"#)
        #expect(r.strings("tags", maxCount: 5, length: 1...10) == nil)
        #expect(r.string("name", pattern: .modelName) == nil)
        #expect(r.string("sha", length: 64...64, pattern: .sha256) == nil)
        #expect(r.string("long", length: 1...3) == nil)
        #expect(r.stringMap("map", maxCount: 4) == nil)
        #expect(r.problems.map(\.field) == ["tags[1]", "name", "sha", "long", "map.k"])
    }

    @Test func objectsAreForwardedAsCompactText() throws {
        var r = try reader(#"{ "config" : { "b" : [1, 2.5], "a" : "x" } }"#)
        let config = r.object("config")
        #expect(config == #"{"b":[1,2.5],"a":"x"}"#)
        #expect(r.problems.isEmpty)
    }
}
