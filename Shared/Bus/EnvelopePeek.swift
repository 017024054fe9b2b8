/// Reads just the request id and deadline from a serialized `Request`
/// without decoding (and copying) its body: the broker needs no more to
/// route, and the body may be megabytes. Field numbers are bus.proto's.
struct EnvelopePeek: Equatable {
    var requestId: String = ""
    var deadlineUnixMs: Int64 = 0

    private static let idField = 1
    private static let metadataField = 5
    private static let deadlineField = 4

    /// nil when the bytes are not well-formed protobuf.
    init?(_ bytes: [UInt8]) {
        var reader = WireReader(bytes: bytes[...])
        while !reader.isAtEnd {
            guard let (field, wireType) = reader.tag() else { return nil }
            if field == Self.idField && wireType == 2 {
                guard let value = reader.lengthDelimited() else { return nil }
                requestId = String(decoding: value, as: UTF8.self)
            } else if field == Self.metadataField && wireType == 2 {
                guard let value = reader.lengthDelimited() else { return nil }
                var inner = WireReader(bytes: value)
                while !inner.isAtEnd {
                    guard let (innerField, innerType) = inner.tag() else { return nil }
                    if innerField == Self.deadlineField && innerType == 0 {
                        guard let raw = inner.varint() else { return nil }
                        deadlineUnixMs = Int64(bitPattern: raw)
                    } else if !inner.skip(wireType: innerType) {
                        return nil
                    }
                }
            } else if !reader.skip(wireType: wireType) {
                return nil
            }
        }
    }
}

struct WireReader {
    var bytes: ArraySlice<UInt8>

    var isAtEnd: Bool { bytes.isEmpty }

    mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift >= 64 { return nil }
        }
        return nil
    }

    mutating func tag() -> (field: Int, wireType: Int)? {
        guard let raw = varint(), raw >> 3 > 0, raw >> 3 <= UInt64(Int32.max) else { return nil }
        return (Int(raw >> 3), Int(raw & 7))
    }

    mutating func lengthDelimited() -> ArraySlice<UInt8>? {
        guard let length = varint(), length <= UInt64(bytes.count) else { return nil }
        let value = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return value
    }

    mutating func skip(wireType: Int) -> Bool {
        switch wireType {
        case 0: return varint() != nil
        case 1: guard bytes.count >= 8 else { return false }; bytes = bytes.dropFirst(8); return true
        case 2: return lengthDelimited() != nil
        case 5: guard bytes.count >= 4 else { return false }; bytes = bytes.dropFirst(4); return true
        default: return false
        }
    }
}
