import Foundation
import JSON
import Testing

/// The same document as JSONSerialization takes it.
private func foundationObject(_ value: JSONValue) -> Any {
    switch value {
    case .null: return NSNull()
    case .bool(let flag): return flag
    case .int(let number): return number
    case .double(let number): return number
    case .string(let text): return text
    case .array(let items): return items.map(foundationObject)
    case .object(let members): return Dictionary(members.map { ($0.0, foundationObject($0.1)) }, uniquingKeysWith: { first, _ in first })
    }
}

@Suite struct JSONPrettyTests {
    /// mlopsctl's `--json` output used to be JSONSerialization's; where
    /// Foundation's number text is exact (no integral doubles), ours is the
    /// same text: indentation, empty containers, escapes, sorted key order.
    @Test func sortedOutputIsFoundationsText() throws {
        var generator = DocumentGenerator(integralDoubles: false)
        for round in 0..<2000 {
            let value = round.isMultiple(of: 2) ? generator.object() : .array([generator.value()])
            let theirs = try JSONSerialization.data(withJSONObject: foundationObject(value), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            #expect(value.prettyPrinted(sortKeys: true) == String(decoding: theirs, as: UTF8.self), "\(value.serialized)")
        }
    }

    /// Any value, integral doubles included, reads back as itself; unsorted
    /// output keeps document order.
    @Test func prettyTextParsesBackToTheSameValue() throws {
        var generator = DocumentGenerator(integralDoubles: true)
        for _ in 0..<2000 {
            let value = generator.value()
            let unsorted = try JSONValue.parse(value.prettyPrinted())
            #expect(unsorted == value, "\(value.serialized)")
            #expect(unsorted.serialized == value.serialized)
            #expect(try JSONValue.parse(value.prettyPrinted(sortKeys: true)) == value, "\(value.serialized)")
        }
    }

    @Test func scalarsAreWrittenAsTheCompactWriterDoes() {
        for value: JSONValue in [.int(3), .double(3), .double(0.1), .string("a/b\u{08}"), .bool(false), .null] {
            #expect(value.prettyPrinted() == value.serialized)
        }
        #expect(JSONValue.double(3).prettyPrinted() == "3.0")
    }
}
