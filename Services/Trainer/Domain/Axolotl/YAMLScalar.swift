/// YAML scalar spelling that reads back the same in YAML 1.1 (PyYAML, which
/// Axolotl uses) and YAML 1.2.
enum YAMLScalar {
    /// A double-quoted string: `\` and `"` escaped, control characters, DEL,
    /// NEL, LS, PS and BOM written as escapes; everything else (any language)
    /// literal. Never interpreted as a number, bool, null or YAML syntax.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            case "\u{FEFF}": out += "\\uFEFF"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                    out += "\\x" + hex(scalar.value, digits: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// An integer-valued double as an integer (`16`), otherwise Swift's
    /// shortest round-trip form with a `.0` mantissa before any exponent
    /// (`5.0e-05`): PyYAML reads `5e-05` as a string.
    static func number(_ value: Double) -> String {
        if value.isFinite, value.rounded() == value, abs(value) < 1e15 {
            return String(Int(value))
        }
        var text = "\(value)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), !text[..<e].contains(".") {
            text.insert(contentsOf: ".0", at: e)
        }
        if let e = text.firstIndex(of: "e"), text.index(after: e) < text.endIndex,
           text[text.index(after: e)].isNumber {
            text.insert("+", at: text.index(after: e))
        }
        return text
    }

    static func bool(_ value: Bool) -> String { value ? "true" : "false" }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
