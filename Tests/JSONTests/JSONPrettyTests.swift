import Foundation
import JSON
import Testing

/// Random documents for the pretty printer: keys that Foundation's sorted
/// order treats specially (case, digit runs, punctuation), strings with
/// escapes and slashes, empty and nested containers.
private struct PrettyDocumentGenerator {
    var rng = SystemRandomNumberGenerator()
    /// Fractions only: Foundation prints an integral double as an integer (`3`), we keep `3.0`.
    var integralDoubles: Bool

    mutating func key() -> String {
        let pieces = ["a", "A", "b", "B", "z", "_", "-", ".", "2", "10", "9", "é", "한", "😀", "/", " ", "\""]
        return (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    mutating func string() -> String {
        let alphabet = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\r", "\u{01}", "\u{1F}", "é", "한", "😀", "\u{7F}", "\u{2028}"]
        return (0..<Int.random(in: 0...10, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    mutating func double() -> Double {
        let value: Double
        switch Int.random(in: 0...3, using: &rng) {
        case 0: value = Double.random(in: -1e-300...1e-300, using: &rng)
        case 1: value = Double.random(in: -1e300...1e300, using: &rng)
        case 2: value = Double(Int.random(in: -1000...1000, using: &rng)) + (integralDoubles ? 0 : 0.25)
        default: value = Double.random(in: -1...1, using: &rng)
        }
        // Past 1e16 both write the exponent form (`1e+300`), so those stay.
        return integralDoubles || value != value.rounded() || abs(value) >= 1e16 ? value : value + 0.5
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0...(depth >= 4 ? 5 : 7), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int([Int64.min, Int64.max, 0, -1].randomElement(using: &rng)!)
        case 3: return .int(Int64.random(in: -1_000_000...1_000_000, using: &rng))
        case 4: return .double(double())
        case 5: return .string(string())
        case 6: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in value(depth: depth + 1) })
        default: return object(depth: depth)
        }
    }

    mutating func object(depth: Int = 0) -> JSONValue {
        var members: [(String, JSONValue)] = []
        var names = Set<String>()
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            let name = key()
            if names.insert(name).inserted { members.append((name, value(depth: depth + 1))) }
        }
        return .object(members)
    }
}

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
        var generator = PrettyDocumentGenerator(integralDoubles: false)
        for round in 0..<2000 {
            let value = round.isMultiple(of: 2) ? generator.object() : .array([generator.value()])
            let theirs = try JSONSerialization.data(withJSONObject: foundationObject(value), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            #expect(value.prettyPrinted(sortKeys: true) == String(decoding: theirs, as: UTF8.self), "\(value.serialized)")
        }
    }

    /// Any value, integral doubles included, reads back as itself; unsorted
    /// output keeps document order.
    @Test func prettyTextParsesBackToTheSameValue() throws {
        var generator = PrettyDocumentGenerator(integralDoubles: true)
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
