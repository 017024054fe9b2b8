/// Writes a serialized `Request` around a body that is already encoded, in
/// one buffer sized up front: the client's hot path. Building the generated
/// message and serializing it encoded the body, copied it into the envelope's
/// `Data` field and copied it again into the output, with the generated code's
/// per-field overhead on top. The bytes are exactly what SwiftProtobuf writes
/// for the same fields (tested), so every reader decodes them as before.
/// Field numbers are bus.proto's.
struct RequestEnvelope {
    var id: String
    var service: String
    var method: String
    var traceId: String
    var subject: String
    var roles: [String]
    var deadlineUnixMs: Int64
    var idempotencyKey: String

    func serialized(body: [UInt8]) -> [UInt8] {
        let metadataSize = self.metadataSize
        var size = WireWriter.stringFieldSize(id) + WireWriter.stringFieldSize(service) + WireWriter.stringFieldSize(method)
        if !body.isEmpty { size += 1 + WireWriter.varintSize(UInt64(body.count)) + body.count }
        size += 1 + WireWriter.varintSize(UInt64(metadataSize)) + metadataSize
        var writer = WireWriter(capacity: size)
        writer.string(field: 1, id)
        writer.string(field: 2, service)
        writer.string(field: 3, method)
        if !body.isEmpty {
            writer.tag(field: 4, wireType: 2)
            writer.varint(UInt64(body.count))
            writer.bytes.append(contentsOf: body)
        }
        // Metadata is always present: the generated code writes it once any of its fields was set.
        writer.tag(field: 5, wireType: 2)
        writer.varint(UInt64(metadataSize))
        writer.string(field: 1, traceId)
        writer.string(field: 2, subject)
        for role in roles { writer.string(field: 3, role, evenIfEmpty: true) }
        if deadlineUnixMs != 0 {
            writer.tag(field: 4, wireType: 0)
            writer.varint(UInt64(bitPattern: deadlineUnixMs))
        }
        writer.string(field: 5, idempotencyKey)
        assert(writer.bytes.count == size, "RequestEnvelope sized \(size) bytes, wrote \(writer.bytes.count)")
        return writer.bytes
    }

    private var metadataSize: Int {
        var size = WireWriter.stringFieldSize(traceId) + WireWriter.stringFieldSize(subject) + WireWriter.stringFieldSize(idempotencyKey)
        for role in roles { size += WireWriter.stringFieldSize(role, evenIfEmpty: true) }
        if deadlineUnixMs != 0 { size += 1 + WireWriter.varintSize(UInt64(bitPattern: deadlineUnixMs)) }
        return size
    }
}

/// Writes an OK `Response` around an already-encoded body: the worker's hot
/// path, byte for byte what SwiftProtobuf writes for the same message (with
/// its status set, as the router always sets it). Errors are rare and go
/// through the generated message.
enum ResponseEnvelope {
    static func ok(id: String, body: [UInt8]) -> [UInt8] {
        var size = WireWriter.stringFieldSize(id) + 2
        if !body.isEmpty { size += 1 + WireWriter.varintSize(UInt64(body.count)) + body.count }
        var writer = WireWriter(capacity: size)
        writer.string(field: 1, id)
        // An OK status: an empty message, present.
        writer.tag(field: 2, wireType: 2)
        writer.varint(0)
        if !body.isEmpty {
            writer.tag(field: 3, wireType: 2)
            writer.varint(UInt64(body.count))
            writer.bytes.append(contentsOf: body)
        }
        return writer.bytes
    }
}

/// Protobuf wire-format output for field numbers below 16 (one-byte tags).
struct WireWriter {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func tag(field: Int, wireType: Int) {
        precondition(field > 0 && field < 16, "one-byte tags only")
        bytes.append(UInt8(field << 3 | wireType))
    }

    /// A string field; proto3 leaves an empty singular string out.
    mutating func string(field: Int, _ value: String, evenIfEmpty: Bool = false) {
        guard evenIfEmpty || !value.isEmpty else { return }
        tag(field: field, wireType: 2)
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    static func stringFieldSize(_ value: String, evenIfEmpty: Bool = false) -> Int {
        let count = value.utf8.count
        guard evenIfEmpty || count > 0 else { return 0 }
        return 1 + varintSize(UInt64(count)) + count
    }

    static func varintSize(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }
}
