import Bus
import Contracts

extension WireNamed {
    /// A value read back from a text column the service wrote with `name`;
    /// any other text means the schema and this build disagree.
    public static func stored(_ text: String, column: String) throws(BusError) -> Self {
        guard let value = Self(name: text) else { throw BusError.internal("unknown \(column) '\(text)' in the database") }
        return value
    }
}
