import Bus

/// Field checks every service's requests share. Service-specific rules stay
/// in the service's domain (FieldRules, Fields); these are the common ones.
public enum FieldChecks {
    /// A positive row id.
    public static func id(_ value: Int64, field: String) throws(BusError) -> Int64 {
        guard value > 0 else { throw .invalidArgument(field: field, "must be a positive id") }
        return value
    }
}

/// Text for SQL patterns; values are still always bound, never spliced.
public enum SQLText {
    /// Makes `%`, `_` and the escape character itself match literally in LIKE/ILIKE (escape `\`).
    public static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// An ILIKE pattern matching `text` anywhere.
    public static func containsPattern(_ text: String) -> String {
        "%" + escapeLike(text) + "%"
    }
}
