/// A small, allocation-light JSON writer into a byte array: the list
/// route encodes hundreds of models per request, so no Foundation encoder,
/// no intermediate dictionaries. Callers write members in order; the writer
/// places the commas.
public struct JSONWriter {
    /// Plain array appends: ByteBuffer's per-write capacity and exclusivity
    /// checks showed up in profiles of the list route; one copy at the end is cheaper.
    public var bytes: [UInt8]
    /// One flag per open container: whether the next member needs a comma.
    private var needsComma: [Bool] = []

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        needsComma.reserveCapacity(8)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    @inline(__always) private mutating func put(_ byte: UInt8) { bytes.append(byte) }

    @inline(__always) private mutating func putStatic(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func putString(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func separator() {
        if let last = needsComma.last {
            if last { put(UInt8(ascii: ",")) } else { needsComma[needsComma.count - 1] = true }
        }
    }

    // MARK: containers

    public mutating func beginObject() {
        beforeValue()
        put(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
        put(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        beforeValue()
        put(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        needsComma.removeLast()
        put(UInt8(ascii: "]"))
    }

    /// Writes `"key":`; exactly one value follows.
    public mutating func key(_ key: StaticString) {
        separator()
        put(UInt8(ascii: "\""))
        putStatic(key)
        putStatic("\":")
        afterKey = true
    }

    public mutating func key(_ key: String) {
        separator()
        writeEscaped(key)
        put(UInt8(ascii: ":"))
        afterKey = true
    }

    private var afterKey = false

    /// Every value writer starts here: after a key no comma, else one between elements.
    private mutating func beforeValue() {
        if afterKey { afterKey = false } else { separator() }
    }

    // MARK: values

    public mutating func null() {
        beforeValue()
        putStatic("null")
    }

    public mutating func bool(_ value: Bool) {
        beforeValue()
        putStatic(value ? "true" : "false")
    }

    public mutating func int(_ value: some BinaryInteger) {
        beforeValue()
        writeDecimal(Int64(value))
    }

    public mutating func double(_ value: Double) {
        beforeValue()
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                writeDecimal(Int64(value))
                putStatic(".0")
            } else {
                putString(value.description)
            }
        } else {
            putStatic("null")
        }
    }

    public mutating func string(_ value: String) {
        beforeValue()
        writeEscaped(value)
    }

    /// A string, or null when it is empty.
    public mutating func stringOrNull(_ value: String) {
        if value.isEmpty { null() } else { string(value) }
    }

    /// An RFC 3339 UTC timestamp with milliseconds.
    public mutating func timestamp(unixMs: Int64) {
        beforeValue()
        RFC3339.write(unixMs: unixMs, into: &scratch)
        put(UInt8(ascii: "\""))
        bytes.append(contentsOf: scratch)
        put(UInt8(ascii: "\""))
    }

    private var scratch = [UInt8](repeating: 0, count: 24)

    /// Already-serialized JSON (trusted: produced by us or stored after validation).
    public mutating func raw(_ json: String) {
        beforeValue()
        putString(json)
    }

    /// A whole parsed value.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .int(let number): int(number)
        case .double(let number): double(number)
        case .string(let text): string(text)
        case .array(let items):
            beginArray()
            for item in items { self.value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for (name, member) in members {
                key(name)
                self.value(member)
            }
            endObject()
        }
    }

    /// An array of strings.
    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    // MARK: primitives

    private mutating func writeDecimal(_ value: Int64) {
        if value == 0 {
            put(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var magnitude = value.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            while magnitude > 0 {
                raw[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            if value < 0 {
                raw[19 - count] = UInt8(ascii: "-")
                count += 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer(rebasing: raw[(20 - count)...])))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeEscaped(_ value: String) {
        put(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var runStart = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                if runStart < index { self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                switch byte {
                case 0x22: putStatic("\\\"")
                case 0x5C: putStatic("\\\\")
                case 0x0A: putStatic("\\n")
                case 0x0D: putStatic("\\r")
                case 0x09: putStatic("\\t")
                default:
                    putStatic("\\u00")
                    put(Self.hexDigits[Int(byte >> 4)])
                    put(Self.hexDigits[Int(byte & 0x0F)])
                }
                runStart = index + 1
            }
            if runStart < utf8.count { self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        put(UInt8(ascii: "\""))
    }
}
