import Foundation

public struct AuditEntry: Sendable {
    public var subject: String
    public var role: String
    public var action: String
    public var resource: String
    public var clientIP: String
    public var requestId: String
    public var status: Int
    public var createdAt: Date
}

extension AuditEntry {
    /// Longest stored text per column, in characters; longer values end in "…".
    static let limits = (subject: 255, role: 32, action: 512, resource: 1_024, clientIP: 64, requestId: 128)

    /// The entry as it can always be stored and read: control characters
    /// (NUL first of all, which PostgreSQL refuses in text) written as `\u{…}`,
    /// other text kept, each column capped. Applied before queueing, so one
    /// attacker-chosen username cannot fail a batch of other people's rows.
    func sanitized() -> AuditEntry {
        var entry = self
        entry.subject = Self.clean(subject, max: Self.limits.subject)
        entry.role = Self.clean(role, max: Self.limits.role)
        entry.action = Self.clean(action, max: Self.limits.action)
        entry.resource = Self.clean(resource, max: Self.limits.resource)
        entry.clientIP = Self.clean(clientIP, max: Self.limits.clientIP)
        entry.requestId = Self.clean(requestId, max: Self.limits.requestId)
        return entry
    }

    static func clean(_ text: String, max: Int) -> String {
        let needsEscape = text.unicodeScalars.contains { isControl($0) }
        var out = text
        if needsEscape {
            out = ""
            out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
            for scalar in text.unicodeScalars {
                if isControl(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if out.count > max { out = String(out.prefix(max - 1)) + "…" }
        return out
    }

    /// C0, DEL and C1 controls; also lone line/paragraph separators that split log lines.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
