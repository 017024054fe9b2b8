/// Reads typed fields out of a JSON object and collects a `FieldProblem` for
/// each bad one instead of stopping at the first. A missing key or `null`
/// reads as nil with no problem (the caller applies the default or reports
/// "is required").
struct FieldReader {
    let object: [String: JSONValue]
    /// Prefix of every reported field name: "" or "hyperparameters.".
    let prefix: String
    private(set) var problems: [FieldProblem] = []

    init(_ object: [String: JSONValue], prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    mutating func report(_ key: String, _ reason: String) {
        problems.append(FieldProblem(prefix + key, reason))
    }

    /// The raw value, nil when missing or null.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    /// An integer ≥ `minimum` (and ≤ `maximum`); `3.0` counts as 3.
    mutating func int(_ key: String, minimum: Int, maximum: Int? = nil) -> Int? {
        guard let raw = value(key) else { return nil }
        guard let number = raw.intValue else {
            report(key, "must be an integer")
            return nil
        }
        if let maximum, !(minimum...maximum).contains(number) {
            report(key, "must be from \(minimum) to \(maximum)")
            return nil
        }
        guard number >= minimum else {
            report(key, "must be ≥ \(minimum)")
            return nil
        }
        return number
    }

    enum Bound { case positive, nonNegative, unitInterval }

    /// A finite number within `bound`: > 0, ≥ 0, or 0 ≤ x < 1.
    mutating func number(_ key: String, _ bound: Bound) -> Double? {
        guard let raw = value(key) else { return nil }
        guard let number = raw.numberValue, number.isFinite else {
            report(key, "must be a number")
            return nil
        }
        switch bound {
        case .positive where !(number > 0):
            report(key, "must be > 0")
        case .nonNegative where !(number >= 0):
            report(key, "must be ≥ 0")
        case .unitInterval where !(number >= 0 && number < 1):
            report(key, "must be ≥ 0 and < 1")
        default:
            return number
        }
        return nil
    }

    mutating func bool(_ key: String) -> Bool? {
        guard let raw = value(key) else { return nil }
        guard let flag = raw.boolValue else {
            report(key, "must be true or false")
            return nil
        }
        return flag
    }

    mutating func string(_ key: String) -> String? {
        guard let raw = value(key) else { return nil }
        guard let text = raw.stringValue else {
            report(key, "must be a string")
            return nil
        }
        return text
    }

    /// A value of a string-backed enum, reported as "must be one of …".
    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) -> T? where T.RawValue == String {
        guard let text = string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            report(key, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// Takes over another reader's problems (already prefixed).
    mutating func merge(_ other: FieldReader) {
        problems += other.problems
    }

    /// Reports every key of the object not in `known` as "unknown field".
    mutating func rejectUnknown(_ known: Set<String>) {
        for key in object.keys.sorted() where !known.contains(key) {
            report(key, "unknown field")
        }
    }
}
