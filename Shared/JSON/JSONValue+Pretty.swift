import Foundation

extension JSONValue {
    /// Indented text for people (mlopsctl's output), in the shape of
    /// Foundation's `.prettyPrinted` so it reads as it did when JSONSerialization
    /// wrote it: two spaces a level, `"key" : value`, an empty container as
    /// `{`, a blank line, `}`. Slashes are not escaped. Scalars are written by
    /// `JSONWriter`, so `3.0` stays a fraction (Foundation prints `3`).
    ///
    /// `sortKeys` orders members as Foundation's `.sortedKeys` does (ignoring
    /// case, digit runs by value: `a2` before `a10`); otherwise document order.
    public func prettyPrinted(sortKeys: Bool = false) -> String {
        var writer = JSONWriter(capacity: 1024)
        Self.writePretty(self, level: 0, sortKeys: sortKeys, into: &writer)
        return writer.string
    }

    private static func writePretty(_ value: JSONValue, level: Int, sortKeys: Bool, into writer: inout JSONWriter) {
        switch value {
        case .array(let items):
            writeContainer(open: "[", close: "]", count: items.count, level: level, into: &writer) { index, writer in
                writePretty(items[index], level: level + 1, sortKeys: sortKeys, into: &writer)
            }
        case .object(let members):
            let ordered = sortKeys ? members.sorted { foundationKeyOrder($0.0, $1.0) } : members
            writeContainer(open: "{", close: "}", count: ordered.count, level: level, into: &writer) { index, writer in
                // The writer has no open container, so it adds no commas: it only escapes.
                writer.string(ordered[index].0)
                writer.bytes.append(contentsOf: " : ".utf8)
                writePretty(ordered[index].1, level: level + 1, sortKeys: sortKeys, into: &writer)
            }
        default:
            writer.value(value)
        }
    }

    private static func writeContainer(open: Unicode.Scalar, close: Unicode.Scalar, count: Int, level: Int, into writer: inout JSONWriter,
                                       element: (Int, inout JSONWriter) -> Void) {
        writer.bytes.append(UInt8(ascii: open))
        writer.bytes.append(UInt8(ascii: "\n"))
        if count == 0 { writer.bytes.append(UInt8(ascii: "\n")) }
        for index in 0..<count {
            indent(level + 1, into: &writer)
            element(index, &writer)
            if index < count - 1 { writer.bytes.append(UInt8(ascii: ",")) }
            writer.bytes.append(UInt8(ascii: "\n"))
        }
        indent(level, into: &writer)
        writer.bytes.append(UInt8(ascii: close))
    }

    private static func indent(_ level: Int, into writer: inout JSONWriter) {
        writer.bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
    }

    /// The comparison swift-corelibs-foundation's JSONSerialization sorts keys with.
    private static func foundationKeyOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: nil, locale: NSLocale.system) == .orderedAscending
    }
}
