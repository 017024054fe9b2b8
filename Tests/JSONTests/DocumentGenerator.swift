import JSON

/// Random JSON documents for the JSON tests: nested values, strings with
/// escapes, unicode and slashes, numbers at the edges of Int64 and Double,
/// and keys Foundation's sorted order treats specially (case, digit runs,
/// punctuation).
struct DocumentGenerator {
    var rng = SystemRandomNumberGenerator()
    /// Whether doubles may be whole numbers: Foundation prints an integral
    /// double as an integer (`3`), we keep `3.0`, so exact-text comparisons turn them off.
    var integralDoubles = true
    var keyPieces = ["a", "A", "b", "B", "z", "_", "-", ".", "2", "10", "9", "é", "한", "😀", "/", " ", "\""]

    mutating func key() -> String {
        (0..<Int.random(in: 0...4, using: &rng)).map { _ in keyPieces.randomElement(using: &rng)! }.joined()
    }

    mutating func string() -> String {
        let alphabet = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\r", "\u{01}", "\u{1F}", "é", "한", "글", "😀", "\u{7F}", "\u{2028}"]
        return (0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
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
        case 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth + 1) })
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
