/// Reads a serialized `Request`'s routing fields and where its body and
/// metadata lie, without decoding (and copying) the body: the broker needs
/// only the id and deadline to route, and a worker decodes the body straight
/// into the method's input type. Field numbers are bus.proto's.
struct EnvelopePeek: Equatable {
    var requestId: String = ""
    var method: String = ""
    var deadlineUnixMs: Int64 = 0
    /// Whether the metadata names an end user (a subject or roles): the broker
    /// lets only peers allowed to act for users send one.
    var carriesIdentity = false
    /// The body's bytes within the peeked array (empty when absent).
    var body: Range<Int> = 0..<0
    /// The serialized `Metadata` within the peeked array; nil when absent.
    var metadata: Range<Int>?

    private static let idField = 1
    private static let methodField = 3
    private static let bodyField = 4
    private static let metadataField = 5
    private static let subjectField = 2
    private static let rolesField = 3
    private static let deadlineField = 4

    /// nil when the bytes are not well-formed protobuf.
    init?(_ bytes: [UInt8]) {
        var reader = WireReader(bytes: bytes[...])
        while !reader.isAtEnd {
            guard let (field, wireType) = reader.tag() else { return nil }
            if wireType == 2 && (field == Self.idField || field == Self.methodField || field == Self.bodyField || field == Self.metadataField) {
                guard let value = reader.lengthDelimited() else { return nil }
                switch field {
                case Self.idField: requestId = String(decoding: value, as: UTF8.self)
                case Self.methodField: method = String(decoding: value, as: UTF8.self)
                case Self.bodyField: body = value.startIndex..<value.endIndex
                default:
                    metadata = value.startIndex..<value.endIndex
                    guard let (deadline, identity) = Self.deadlineAndIdentity(in: value) else { return nil }
                    deadlineUnixMs = deadline
                    carriesIdentity = identity
                }
            } else if !reader.skip(wireType: wireType) {
                return nil
            }
        }
    }

    private static func deadlineAndIdentity(in metadata: ArraySlice<UInt8>) -> (Int64, Bool)? {
        var deadline: Int64 = 0
        var identity = false
        var reader = WireReader(bytes: metadata)
        while !reader.isAtEnd {
            guard let (field, wireType) = reader.tag() else { return nil }
            if field == deadlineField && wireType == 0 {
                guard let raw = reader.varint() else { return nil }
                deadline = Int64(bitPattern: raw)
            } else if (field == subjectField || field == rolesField) && wireType == 2 {
                // A role, even an empty one, counts; an empty subject is "none" (proto3's default).
                guard let value = reader.lengthDelimited() else { return nil }
                identity = identity || field == rolesField || !value.isEmpty
            } else if !reader.skip(wireType: wireType) {
                return nil
            }
        }
        return (deadline, identity)
    }
}

/// Reads a serialized `Response`'s id, status code and where its body lies,
/// without decoding it: the client matches replies by id on its I/O thread,
/// and an OK reply's body is decoded straight into the method's output type.
struct ResponsePeek: Equatable {
    var id: String = ""
    /// `Mlops_V1_StatusCode`'s raw value; 0 (OK) when the status is absent.
    var statusCode: Int = 0
    /// The body's bytes within the peeked array (empty when absent).
    var body: Range<Int> = 0..<0

    private static let idField = 1
    private static let statusField = 2
    private static let bodyField = 3
    private static let codeField = 1

    /// nil when the bytes are not well-formed protobuf.
    init?(_ bytes: [UInt8]) {
        var reader = WireReader(bytes: bytes[...])
        while !reader.isAtEnd {
            guard let (field, wireType) = reader.tag() else { return nil }
            if field == Self.idField && wireType == 2 {
                guard let value = reader.lengthDelimited() else { return nil }
                id = String(decoding: value, as: UTF8.self)
            } else if field == Self.bodyField && wireType == 2 {
                guard let value = reader.lengthDelimited() else { return nil }
                body = value.startIndex..<value.endIndex
            } else if field == Self.statusField && wireType == 2 {
                guard let value = reader.lengthDelimited() else { return nil }
                var inner = WireReader(bytes: value)
                while !inner.isAtEnd {
                    guard let (innerField, innerType) = inner.tag() else { return nil }
                    if innerField == Self.codeField && innerType == 0 {
                        guard let raw = inner.varint() else { return nil }
                        statusCode = Int(truncatingIfNeeded: Int32(truncatingIfNeeded: raw))
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
